/**
 * Network isolation of an ECS task, only where it is real and cannot outlive the task. awsvpc task ENIs
 * are requester-managed, so their security groups cannot be swapped: instead, when every group on the ENI
 * is used by this task alone (no other ENI has it, and no service, deployment or task set names it:
 * group-uses.ts), its rules are saved and revoked. An EC2-launch task in bridge/host mode shares its
 * instance's network: when no other task on the instance is exempt or guarded (instance-neighbours.ts),
 * the instance's groups are swapped for the quarantine group and the instance is drained. Anything else
 * is reported as not possible in place, with the reason. The undo
 * (restoreIsolation) authorizes the saved rules again, or gives the instance its groups back and makes it
 * ACTIVE, from the record saved before any change.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  type EC2Client,
  type IpPermission,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  type ECSClient,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsErrorName } from '../core/errors';
import type { RuntimeFinding } from '../core/finding';
import type { IsolationResult } from '../core/outcome';
import type { TaskEnrichment } from '../core/policy';
import { evidenceKey, putOriginalState } from './evidence';
import { groupUses } from './group-uses';
import { instanceNeighbours, type NeighbourSettings } from './instance-neighbours';
import { failure, type ReleaseStep } from './release-step';

export interface IsolationDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly s3: S3Client;
  readonly evidenceBucket: string;
  /** Quarantine security group per VPC id, for container-instance isolation. */
  readonly quarantineGroups: Readonly<Record<string, string>>;
  /** Which other tasks on a container instance keep it out of quarantine. */
  readonly neighbours: NeighbourSettings;
}

/** What restoreIsolation needs to undo an isolation, saved to evidence before anything changes. */
export interface IsolationRecord {
  readonly kind: 'security-group-rules' | 'container-instance';
  readonly eniId?: string;
  readonly rules?: SecurityGroupRule[];
  readonly containerInstanceArn?: string;
  readonly clusterArn?: string;
  readonly ec2InstanceId?: string;
  readonly originalGroupIds?: string[];
  readonly quarantineGroupId?: string;
}

export const ISOLATION_EVIDENCE = 'isolation.json';

async function rulesOf(ec2: EC2Client, groupIds: string[]): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: groupIds }],
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    rules.push(...(out.SecurityGroupRules ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return rules;
}

/**
 * Rules by security group and direction, as `pick` makes them (a rule id to revoke, a permission to
 * authorize), in the order the groups first appear; `left` counts the rules `pick` or a missing group left out.
 */
function byGroup<T>(
  rules: readonly SecurityGroupRule[],
  pick: (rule: SecurityGroupRule) => T | undefined,
): { groups: Map<string, { ingress: T[]; egress: T[] }>; left: number } {
  const groups = new Map<string, { ingress: T[]; egress: T[] }>();
  let left = 0;
  for (const rule of rules) {
    const picked = pick(rule);
    if (!rule.GroupId || !picked) {
      left += 1;
      continue;
    }
    const entry = groups.get(rule.GroupId) ?? { ingress: [], egress: [] };
    (rule.IsEgress ? entry.egress : entry.ingress).push(picked);
    groups.set(rule.GroupId, entry);
  }
  return { groups, left };
}

/**
 * With `quarantineVpcIds` configured, IAM allows revokes only on groups of those VPCs (`ec2:Vpc`):
 * a task elsewhere is reported as not isolable in place instead of failing on AccessDenied.
 */
function outsideIsolationVpcs(deps: IsolationDeps, vpcId: string | undefined): string | undefined {
  const vpcs = Object.keys(deps.quarantineGroups);
  if (vpcs.length === 0 || (vpcId !== undefined && vpcs.includes(vpcId))) return undefined;
  return `isolation not possible in place: the task's VPC ${vpcId ?? '(unknown)'} is not in quarantineVpcIds, the only VPCs where shield-right may revoke security-group rules`;
}

async function revokeRules(ec2: EC2Client, rules: SecurityGroupRule[]): Promise<void> {
  for (const [GroupId, { ingress, egress }] of byGroup(rules, (rule) => rule.SecurityGroupRuleId).groups) {
    if (ingress.length > 0)
      await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, SecurityGroupRuleIds: ingress }));
    if (egress.length > 0)
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, SecurityGroupRuleIds: egress }));
  }
}

async function isolateAwsvpcTask(
  deps: IsolationDeps,
  finding: RuntimeFinding,
  eniId: string,
): Promise<IsolationResult> {
  const described = await deps.ec2.send(
    new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }),
  );
  const eni = described.NetworkInterfaces?.[0];
  if (!eni) return { status: 'not-possible', eniId, reason: `network interface ${eniId} no longer exists` };
  const groupIds = (eni.Groups ?? []).map((g) => g.GroupId).filter((id): id is string => id !== undefined);
  if (groupIds.length === 0)
    return { status: 'not-possible', eniId, reason: 'the network interface has no security groups' };
  const uses = await groupUses(deps, groupIds, eniId, finding.cluster.arn);
  if (uses.shared.length > 0) {
    return {
      status: 'not-possible',
      eniId,
      securityGroupIds: groupIds,
      reason: `isolation not possible in place: security group(s) ${uses.shared.join(', ')} are shared, and the task ENI is requester-managed so its groups cannot be replaced`,
    };
  }
  if (uses.unknown) {
    return {
      status: 'not-possible',
      eniId,
      securityGroupIds: groupIds,
      reason: `isolation not possible in place: whether security group(s) ${groupIds.join(', ')} are the task's alone is not known (${uses.unknown}), so no rule is revoked`,
    };
  }
  const outside = outsideIsolationVpcs(deps, eni.VpcId);
  if (outside) return { status: 'not-possible', eniId, securityGroupIds: groupIds, reason: outside };
  const rules = await rulesOf(deps.ec2, groupIds);
  if (rules.length === 0) {
    return {
      status: 'already-done',
      method: 'security-group-rules-revoked',
      eniId,
      securityGroupIds: groupIds,
      revokedRuleCount: 0,
    };
  }
  const record: IsolationRecord = { kind: 'security-group-rules', eniId, rules };
  const key = await putOriginalState(
    deps.s3,
    deps.evidenceBucket,
    evidenceKey(finding.incidentId, ISOLATION_EVIDENCE),
    record,
  );
  await revokeRules(deps.ec2, rules);
  return {
    status: 'done',
    method: 'security-group-rules-revoked',
    eniId,
    securityGroupIds: groupIds,
    revokedRuleCount: rules.length,
    evidenceKey: key,
    reason:
      'all rules of the task-exclusive security groups revoked; connections already established may persist until they close',
  };
}

async function isolateContainerInstance(
  deps: IsolationDeps,
  finding: RuntimeFinding,
  containerInstanceArn: string,
): Promise<IsolationResult> {
  const ci = await deps.ecs.send(
    new DescribeContainerInstancesCommand({
      cluster: finding.cluster.arn,
      containerInstances: [containerInstanceArn],
    }),
  );
  const containerInstance = ci.containerInstances?.[0];
  const ec2InstanceId = containerInstance?.ec2InstanceId;
  if (!ec2InstanceId) {
    return {
      status: 'not-possible',
      containerInstanceArn,
      reason: 'the container instance has no EC2 instance',
    };
  }
  const out = await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ec2InstanceId] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  const vpcId = instance?.VpcId;
  const quarantineGroupId = vpcId ? deps.quarantineGroups[vpcId] : undefined;
  if (!instance || !vpcId || !quarantineGroupId) {
    return {
      status: 'not-possible',
      containerInstanceArn,
      ec2InstanceId,
      reason: `isolation not possible in place: no quarantine security group is configured for ${vpcId ?? 'the instance VPC'} (add it to quarantineVpcIds)`,
    };
  }
  const neighbours = await instanceNeighbours(
    deps.ecs,
    finding.cluster.arn,
    containerInstanceArn,
    finding.task?.arn,
    deps.neighbours,
  );
  if (neighbours.blockers.length > 0) {
    return {
      status: 'not-possible',
      containerInstanceArn,
      ec2InstanceId,
      reason: `isolation not possible in place: quarantining instance ${ec2InstanceId} would cut off other tasks that must keep running: ${neighbours.blockers.join('; ')}`,
    };
  }
  const originalGroupIds = (instance.SecurityGroups ?? [])
    .map((g) => g.GroupId)
    .filter((id): id is string => id !== undefined);
  const drain = () =>
    deps.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: finding.cluster.arn,
        containerInstances: [containerInstanceArn],
        status: 'DRAINING',
      }),
    );
  if (originalGroupIds.length === 1 && originalGroupIds[0] === quarantineGroupId) {
    // A retry after the swap: finish the drain if it did not happen.
    if (containerInstance?.status !== 'DRAINING') await drain();
    return {
      status: 'already-done',
      method: 'container-instance-quarantined',
      containerInstanceArn,
      ec2InstanceId,
    };
  }
  const record: IsolationRecord = {
    kind: 'container-instance',
    containerInstanceArn,
    clusterArn: finding.cluster.arn,
    ec2InstanceId,
    originalGroupIds,
    quarantineGroupId,
  };
  const key = await putOriginalState(
    deps.s3,
    deps.evidenceBucket,
    evidenceKey(finding.incidentId, ISOLATION_EVIDENCE),
    record,
  );
  await deps.ec2.send(
    new ModifyInstanceAttributeCommand({ InstanceId: ec2InstanceId, Groups: [quarantineGroupId] }),
  );
  await drain();
  return {
    status: 'done',
    method: 'container-instance-quarantined',
    containerInstanceArn,
    ec2InstanceId,
    securityGroupIds: [quarantineGroupId],
    evidenceKey: key,
    rescheduledTaskCount: neighbours.rescheduled.length,
    notRescheduledTaskCount: neighbours.notRescheduled.length,
    reason: `instance ${ec2InstanceId} moved to quarantine group ${quarantineGroupId} and drained; ${neighbourEffect(neighbours)}`,
  };
}

/** What the drain does to the other tasks, as counted before it. */
function neighbourEffect(n: { rescheduled: string[]; notRescheduled: string[] }): string {
  const parts: string[] = [];
  if (n.rescheduled.length > 0)
    parts.push(`${n.rescheduled.length} other task(s) of services are replaced elsewhere by their services`);
  if (n.notRescheduled.length > 0)
    parts.push(
      `${n.notRescheduled.length} other task(s) of no service keep running on the instance, cut off, and are not rescheduled`,
    );
  return parts.length > 0 ? parts.join('; ') : 'no other task runs on the instance';
}

export async function isolateTask(
  deps: IsolationDeps,
  finding: RuntimeFinding,
  enrichment: TaskEnrichment,
): Promise<IsolationResult> {
  if (enrichment.networkMode === 'awsvpc' && enrichment.eniId)
    return isolateAwsvpcTask(deps, finding, enrichment.eniId);
  if (enrichment.containerInstanceArn && enrichment.networkMode !== 'awsvpc') {
    return isolateContainerInstance(deps, finding, enrichment.containerInstanceArn);
  }
  return {
    status: 'not-possible',
    reason: `isolation not possible in place for network mode ${enrichment.networkMode}: the task is contained by stopping it`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The undo, from the isolation record.

/** A saved rule as the permission that recreates it (one peer per rule, as DescribeSecurityGroupRules lists them). */
export function ipPermissionOf(rule: SecurityGroupRule): IpPermission | undefined {
  const protocol = rule.IpProtocol ?? '-1';
  const base: IpPermission = {
    IpProtocol: protocol,
    ...(protocol !== '-1' && rule.FromPort !== undefined ? { FromPort: rule.FromPort } : {}),
    ...(protocol !== '-1' && rule.ToPort !== undefined ? { ToPort: rule.ToPort } : {}),
  };
  const description = rule.Description ? { Description: rule.Description } : {};
  if (rule.CidrIpv4) return { ...base, IpRanges: [{ CidrIp: rule.CidrIpv4, ...description }] };
  if (rule.CidrIpv6) return { ...base, Ipv6Ranges: [{ CidrIpv6: rule.CidrIpv6, ...description }] };
  if (rule.PrefixListId)
    return { ...base, PrefixListIds: [{ PrefixListId: rule.PrefixListId, ...description }] };
  const ref = rule.ReferencedGroupInfo;
  if (ref?.GroupId) {
    return {
      ...base,
      UserIdGroupPairs: [
        {
          GroupId: ref.GroupId,
          ...(ref.UserId ? { UserId: ref.UserId } : {}),
          ...(ref.VpcPeeringConnectionId ? { VpcPeeringConnectionId: ref.VpcPeeringConnectionId } : {}),
          ...description,
        },
      ],
    };
  }
  return undefined;
}

async function authorize(
  ec2: EC2Client,
  groupId: string,
  egress: boolean,
  permissions: IpPermission[],
): Promise<{ added: number; present: number }> {
  const send = async (IpPermissions: IpPermission[]): Promise<void> => {
    if (egress) await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions }));
    else await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions }));
  };
  try {
    await send(permissions);
    return { added: permissions.length, present: 0 };
  } catch (err) {
    if (awsErrorName(err) !== 'InvalidPermission.Duplicate') throw err;
    if (permissions.length === 1) return { added: 0, present: 1 };
    // One rule already back fails the whole call: add them one by one, keeping the ones present.
  }
  let added = 0;
  let present = 0;
  for (const permission of permissions) {
    const one = await authorize(ec2, groupId, egress, [permission]);
    added += one.added;
    present += one.present;
  }
  return { added, present };
}

async function restoreRules(ec2: EC2Client, record: IsolationRecord): Promise<ReleaseStep> {
  const target = `ENI ${record.eniId ?? 'unknown'}`;
  const { groups: permissionsByGroup, left: unknown } = byGroup(record.rules ?? [], ipPermissionOf);
  let added = 0;
  let present = 0;
  for (const [groupId, { ingress, egress }] of permissionsByGroup) {
    for (const [isEgress, permissions] of [
      [false, ingress],
      [true, egress],
    ] as const) {
      if (permissions.length === 0) continue;
      const action = `ec2:AuthorizeSecurityGroup${isEgress ? 'Egress' : 'Ingress'}`;
      try {
        const r = await authorize(ec2, groupId, isEgress, permissions);
        added += r.added;
        present += r.present;
      } catch (err) {
        return {
          action: 'restore-security-group-rules',
          target,
          status: 'failed',
          detail: failure(`${action} on ${groupId}`, err),
        };
      }
    }
  }
  const groups = [...permissionsByGroup.keys()].join(', ');
  const notes = [
    `${added} rule(s) restored${present > 0 ? `, ${present} already present` : ''} in ${groups || 'no group'}`,
    ...(unknown > 0 ? [`${unknown} saved rule(s) with an unknown peer left out`] : []),
  ];
  return {
    action: 'restore-security-group-rules',
    target,
    status: added === 0 && present > 0 ? 'already-done' : 'done',
    detail: notes.join('; '),
  };
}

async function restoreContainerInstance(
  deps: Pick<IsolationDeps, 'ec2' | 'ecs'>,
  record: IsolationRecord,
): Promise<ReleaseStep> {
  const target = `instance ${record.ec2InstanceId ?? 'unknown'}`;
  const groups = record.originalGroupIds ?? [];
  if (!record.ec2InstanceId || groups.length === 0 || !record.containerInstanceArn || !record.clusterArn) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: 'the isolation evidence is incomplete',
    };
  }
  try {
    await deps.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: record.ec2InstanceId, Groups: groups }),
    );
  } catch (err) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: failure('ec2:ModifyInstanceAttribute', err),
    };
  }
  try {
    await deps.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: record.clusterArn,
        containerInstances: [record.containerInstanceArn],
        status: 'ACTIVE',
      }),
    );
  } catch (err) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: `groups ${groups.join(', ')} restored; ${failure('ecs:UpdateContainerInstancesState', err)}`,
    };
  }
  return {
    action: 'restore-container-instance',
    target,
    status: 'done',
    detail: `groups ${groups.join(', ')} restored, container instance ACTIVE again`,
  };
}

/** What restoreIsolation would do, for a dry run; undefined when the record is of no known kind. */
export function plannedIsolationRestore(record: IsolationRecord): ReleaseStep | undefined {
  if (record.kind === 'security-group-rules') {
    return {
      action: 'restore-security-group-rules',
      target: `ENI ${record.eniId ?? 'unknown'}`,
      status: 'planned',
      detail: `authorize ${record.rules?.length ?? 0} saved rule(s)`,
    };
  }
  if (record.kind === 'container-instance') {
    return {
      action: 'restore-container-instance',
      target: `instance ${record.ec2InstanceId ?? 'unknown'}`,
      status: 'planned',
      detail: `groups back to ${(record.originalGroupIds ?? []).join(', ')}, container instance ACTIVE`,
    };
  }
  return undefined;
}

/**
 * Undoes an isolation as recorded: the saved rules authorized again, or the instance's groups back;
 * undefined when the record is of no known kind.
 */
export function restoreIsolation(
  deps: Pick<IsolationDeps, 'ec2' | 'ecs'> & { readonly onStep?: (text: string) => void },
  record: IsolationRecord,
): Promise<ReleaseStep> | undefined {
  if (record.kind === 'security-group-rules') {
    deps.onStep?.('restoring security group rules');
    return restoreRules(deps.ec2, record);
  }
  if (record.kind === 'container-instance') {
    deps.onStep?.('restoring the container instance');
    return restoreContainerInstance(deps, record);
  }
  return undefined;
}
