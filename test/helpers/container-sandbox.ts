/**
 * The ECS, EC2 and ECR sandbox services of one account behind real SDK v3 clients (transport replaced), so
 * inputs, outputs and errors are exactly what the Lambda handlers see; the clock moves only when told.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { Ec2Service } from '../../local/sandbox/ec2';
import { EcrService } from '../../local/sandbox/ecr';
import { EcsService } from '../../local/sandbox/ecs';
import type { AccountContext } from '../../local/sandbox/types';
import { attachService, clientConfig, testContext } from './sandbox-transport';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** The test account with a clock that stands still until `advance` moves it. */
export function clockedContext(): AccountContext & { advance(ms: number): void } {
  let clock = Date.parse('2025-06-01T12:00:00Z');
  return {
    ...testContext({ accountId: ACCOUNT, region: REGION, now: () => clock }),
    advance: (ms) => {
      clock += ms;
    },
  };
}

export function containerSandbox() {
  const ctx = clockedContext();
  const ecr = new EcrService(ctx);
  const ecs = new EcsService(ctx, {
    imagePullable: (image, digest) => ecr.imagePullable(image, digest),
    taskInterface: (input) => ec2.putTaskInterface(input),
  });
  const ec2 = new Ec2Service(ctx);
  const ecsClient = new ECSClient(clientConfig);
  const ec2Client = new EC2Client(clientConfig);
  const ecrClient = new ECRClient(clientConfig);
  attachService(ecsClient, ecs);
  attachService(ec2Client, ec2);
  attachService(ecrClient, ecr);
  return { ctx, ecr, ecs, ec2, ecsClient, ec2Client, ecrClient };
}

export type ContainerSandbox = ReturnType<typeof containerSandbox>;
