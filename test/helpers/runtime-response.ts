/** Shared fixtures and readers for the runtime-threat-response workflow tests. */
import { DEFAULT_CONFIG } from '../../definitions/config';
import type { ChatNotification } from '../../lambdas/core/render';
import type { EventResult, PublishedNotification, Simulator } from '../../local/engine';
import { ACCOUNT, REGION } from '../../local/fixtures/events';
import type { ApiCall } from '../../local/sandbox/account';
import type { ServiceName } from '../../local/sandbox/types';

export const FINDING_ID = '5ec0b1d2a3e4f5a6b7c8d9e0f1a2b3c4';
export const TASK_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const OTHER_TASK_ID = 'f9e8d7c6b5a4039281706f5e4d3c2b1a';
export const CLUSTER = 'prod';
export const SERVICE = 'payments-api';
export const REPOSITORY = 'payments-api';
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}:v1.4.2`;
export const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${TASK_ID}`;
export const EXEMPT_KEY = DEFAULT_CONFIG.exemptTagKey;
export const SANDBOX_VPC = 'vpc-0sandbox0000000';

export type Input = Record<string, unknown>;

export function callsTo(result: EventResult, service: ServiceName, operation?: string): ApiCall[] {
  return result.apiCalls.filter(
    (c) => c.service === service && (operation === undefined || c.operation === operation),
  );
}

export function inputOf(call: ApiCall | undefined): Input {
  return (call?.input ?? {}) as Input;
}

export function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected exactly one item');
  return item;
}

export function parts(notification: PublishedNotification): { chat: ChatNotification; email: string } {
  const message = JSON.parse(notification.message) as { default: string; email: string };
  return { chat: JSON.parse(message.default) as ChatNotification, email: message.email };
}

export function execution(result: EventResult) {
  return only(result.executions);
}

export function objects(simulator: Simulator): Record<string, string> {
  return simulator.account.s3.objects(simulator.bucket);
}

export async function incidentStatus(simulator: Simulator, incidentId: string): Promise<string | undefined> {
  const out = (await simulator.account.call('dynamodb', 'GetItem', {
    TableName: simulator.table,
    Key: { pk: { S: `INCIDENT#${incidentId}` } },
    ConsistentRead: true,
  })) as { Item?: Record<string, { S?: string }> };
  return out.Item?.status?.S;
}

export async function imageDetail(
  simulator: Simulator,
  digest: string,
): Promise<{ imageTags?: string[]; imageStatus?: string }> {
  const out = (await simulator.account.call('ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageDigest: digest }],
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails?: { imageTags?: string[]; imageStatus?: string }[] };
  return only(out.imageDetails ?? []);
}

export async function rulesOf(simulator: Simulator, groupId: string): Promise<unknown[]> {
  const out = (await simulator.account.call('ec2', 'DescribeSecurityGroupRules', {
    Filters: [{ Name: 'group-id', Values: [groupId] }],
  })) as { SecurityGroupRules?: unknown[] };
  return out.SecurityGroupRules ?? [];
}

export const REVOKES = ['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress'];
export const ECS_EC2_ECR: readonly ServiceName[] = ['ecs', 'ec2', 'ecr'];
