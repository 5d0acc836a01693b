/**
 * Explicit denies that make IAM enforce what the response policy already refuses to do, so a bug or a
 * forged input cannot make a role act outside it: nothing in a protected cluster, nothing on an
 * exempt repository, group or instance. A Deny wins over every Allow (IAM policy evaluation logic).
 * The condition keys and resource ARNs used here are cited in docs/aws-behaviours.md (IAM rows).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { ShieldRightConfig } from '../../definitions/config';
import { accountArn } from './permissions';

/** ECS actions the roles take on a task, a service or a container instance of a cluster. */
export type ClusterScopedAction = 'ecs:StopTask' | 'ecs:TagResource' | 'ecs:UpdateContainerInstancesState';

/**
 * The resource each action addresses (its ARN is `<type>/<cluster name>/<id>`) and whether the action
 * documents the `ecs:cluster` condition key (StopTask and UpdateContainerInstancesState do; for
 * TagResource only the resource ARN is relied on).
 */
const CLUSTER_SCOPE: Readonly<Record<ClusterScopedAction, { resource: string; clusterKey: boolean }>> = {
  'ecs:StopTask': { resource: 'task', clusterKey: true },
  'ecs:UpdateContainerInstancesState': { resource: 'container-instance', clusterKey: true },
  'ecs:TagResource': { resource: 'service', clusterKey: false },
};

interface ProtectedCluster {
  /** The `ecs:cluster` value: the cluster ARN. */
  readonly arn: string;
  /** `arn:…:<type>/<cluster name>/*` for a resource type of the cluster. */
  readonly resources: (type: string) => string;
}

/** The configured protected clusters (names in this account, or ARNs), as ARNs and resource patterns. */
export function protectedClusters(scope: IConstruct, config: ShieldRightConfig): ProtectedCluster[] {
  return [...new Set(config.protectedClusters)].map((entry) => {
    if (entry.startsWith('arn:')) {
      return { arn: entry, resources: (type: string) => `${entry.replace(':cluster/', `:${type}/`)}/*` };
    }
    return {
      arn: accountArn(scope, 'ecs', `cluster/${entry}`),
      resources: (type: string) => accountArn(scope, 'ecs', `${type}/${entry}/*`),
    };
  });
}

function deny(principal: iam.IPrincipal, statement: iam.PolicyStatementProps): void {
  principal.addToPrincipalPolicy(new iam.PolicyStatement({ ...statement, effect: iam.Effect.DENY }));
}

/** A tag set to `true` (the code trims and ignores case; IAM ignores case only). */
function taggedExempt(key: string, tagKey: string) {
  return { StringEqualsIgnoreCase: { [`${key}/${tagKey}`]: 'true' } };
}

/**
 * Denies `actions` in the protected clusters: by the `ecs:cluster` key where the action has it, and by
 * the resource ARN (which names the cluster) always. Nothing when no cluster is protected.
 */
export function denyInProtectedClusters(
  scope: IConstruct,
  principal: iam.IPrincipal,
  config: ShieldRightConfig,
  actions: readonly ClusterScopedAction[],
): void {
  const clusters = protectedClusters(scope, config);
  if (clusters.length === 0 || actions.length === 0) return;
  const keyed = actions.filter((a) => CLUSTER_SCOPE[a].clusterKey);
  if (keyed.length > 0) {
    deny(principal, {
      actions: keyed,
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': clusters.map((c) => c.arn) } },
    });
  }
  for (const action of actions) {
    deny(principal, {
      actions: [action],
      resources: clusters.map((c) => c.resources(CLUSTER_SCOPE[action].resource)),
    });
  }
}

/**
 * Denies `actions` on resources carrying the exemption tag, read by `tagKey` (`aws:ResourceTag` for ECS
 * services, `ec2:ResourceTag` for security groups and instances): the policy never acts on them.
 */
function denyOnTaggedExempt(
  principal: iam.IPrincipal,
  config: ShieldRightConfig,
  actions: readonly string[],
  tagKey: string,
): void {
  deny(principal, {
    actions: [...actions],
    resources: ['*'],
    conditions: taggedExempt(tagKey, config.exemptTagKey),
  });
}

/** Denies tagging a service that carries the exemption tag. */
export function denyOnExemptServices(
  principal: iam.IPrincipal,
  config: ShieldRightConfig,
  actions: readonly string[],
): void {
  denyOnTaggedExempt(principal, config, actions, 'aws:ResourceTag');
}

/** The ARN of a configured repository (a name in this account, or an ARN). */
function repositoryArn(scope: IConstruct, entry: string): string {
  return entry.startsWith('arn:') ? entry : accountArn(scope, 'ecr', `repository/${entry}`);
}

/**
 * Denies the ECR writes on the exempt repositories: those named in `inspector.exemptRepositories`, and
 * any repository tagged with the exemption tag (`ecr:ResourceTag`, as the ECR guide's tag-based example
 * uses, and the global `aws:ResourceTag`).
 */
export function denyOnExemptRepositories(
  scope: IConstruct,
  principal: iam.IPrincipal,
  config: ShieldRightConfig,
  actions: readonly string[],
): void {
  for (const key of ['ecr:ResourceTag', 'aws:ResourceTag'])
    denyOnTaggedExempt(principal, config, actions, key);
  const named = [...new Set(config.inspector.exemptRepositories)];
  if (named.length > 0) {
    deny(principal, { actions: [...actions], resources: named.map((r) => repositoryArn(scope, r)) });
  }
}

/** Denies `actions` on EC2 resources (security groups, instances) tagged with the exemption tag. */
export function denyOnExemptEc2Resources(
  principal: iam.IPrincipal,
  config: ShieldRightConfig,
  actions: readonly string[],
): void {
  denyOnTaggedExempt(principal, config, actions, 'ec2:ResourceTag');
}

/**
 * The `ec2:Vpc` condition values (VPC ARNs) of the VPC ids, any owner account: a VPC shared through RAM
 * has its owner's account in its ARN, and VPC ids are unique, so the id alone scopes it.
 */
export function vpcArns(scope: IConstruct, vpcIds: readonly string[]): string[] {
  const stack = Stack.of(scope);
  return vpcIds.map((id) => `arn:${stack.partition}:ec2:${stack.region}:*:vpc/${id}`);
}
