/**
 * IAM helpers shared by the constructs: ARNs in this stack's account, statements that carry their own
 * cdk-nag evidence, and KMS grants limited to the one service that uses the key on the caller's behalf.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { PACKAGE_ROOT } from '../../definitions/package-root';

/** The repository (or installed package) root: handler entries and ASL files in the manifests are relative to it. */
export const REPO_ROOT = PACKAGE_ROOT;

/** An ARN in this stack's partition, region and account (tokens when the stack is environment-agnostic). */
export function accountArn(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
}

/**
 * A resolved CloudFormation value flattened the way cdk-nag names its findings (`Fn::Join` joined,
 * `Ref` as `<X>`, `Fn::GetAtt` as `<X.Attr>`), so acknowledgments match whether the stack is
 * environment-agnostic (pseudo parameters) or pinned to an account and region (literals).
 */
export function flattenForNag(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flattenForNag).join(join[0]);
    }
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(flattenForNag).join('.')}>`;
    if ('Ref' in node) return `<${flattenForNag(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

type Conditions = Record<string, Record<string, unknown>>;

export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Conditions;
  /** Required when a resource contains `*`: the evidence cdk-nag (AwsSolutions-IAM5) asks for. */
  readonly wildcardReason?: string;
}

/**
 * cdk-nag v3 takes one finding id per acknowledgment, and the last acknowledgment of an id on a construct
 * wins: reasons are collected per id and applied once, so statements sharing a finding (`Resource::*`)
 * all keep their justification.
 */
export class Acknowledgments {
  private readonly reasons = new Map<string, string[]>();

  constructor(readonly scope: IConstruct) {}

  add(id: string, reason: string): void {
    const list = this.reasons.get(id) ?? [];
    if (!list.includes(reason)) list.push(reason);
    this.reasons.set(id, list);
  }

  /** The wildcard resources among `resources`, in cdk-nag's notation. */
  wildcards(resources: readonly string[]): string[] {
    const stack = Stack.of(this.scope);
    return resources.map((r) => flattenForNag(stack.resolve(r))).filter((r) => r.includes('*'));
  }

  addWildcards(resources: readonly string[], reason: string): void {
    for (const flat of this.wildcards(resources)) this.add(`AwsSolutions-IAM5[Resource::${flat}]`, reason);
  }

  apply(): void {
    for (const [id, reasons] of this.reasons) {
      Validations.of(this.scope).acknowledge({ id, reason: reasons.join(' ') });
    }
  }
}

/** Adds a statement to the principal's policy and acknowledges its wildcard resources with its reason. */
export function allow(principal: iam.IPrincipal, acks: Acknowledgments, permission: Permission): void {
  if (acks.wildcards(permission.resources).length > 0 && !permission.wildcardReason) {
    throw new Error(`shield-right: wildcard resource for ${permission.actions.join(', ')} needs a reason`);
  }
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...permission.actions],
      resources: [...permission.resources],
      ...(permission.conditions ? { conditions: permission.conditions } : {}),
    }),
  );
  if (permission.wildcardReason) acks.addWildcards(permission.resources, permission.wildcardReason);
}

/** Services that use the shared key on a caller's behalf; the grant only works through them. */
export type KeyUser = 'dynamodb' | 's3' | 'sns';

/**
 * KMS actions each service needs from the caller, for the one operation shield-right performs:
 * DynamoDB reads and writes items under the table key; S3 PutObject with SSE-KMS generates a data key;
 * SNS Publish to an encrypted topic generates and decrypts a data key.
 */
const KEY_ACTIONS: Readonly<Record<KeyUser, readonly string[]>> = {
  dynamodb: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
  s3: ['kms:Decrypt', 'kms:GenerateDataKey'],
  sns: ['kms:Decrypt', 'kms:GenerateDataKey'],
};

/** Grants the key only via the named service (`kms:ViaService`), so the role cannot use it directly. */
export function grantKeyVia(principal: iam.IPrincipal, key: kms.IKey, service: KeyUser): void {
  const region = Stack.of(key).region;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...KEY_ACTIONS[service]],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    }),
  );
}
