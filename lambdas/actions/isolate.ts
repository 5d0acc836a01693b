/**
 * Network isolation of an ECS task, only where it is real. awsvpc task ENIs are requester-managed, so
 * their security groups cannot be swapped: instead, when every group on the ENI is used by this task
 * alone, its rules are saved and revoked. An EC2-launch task in bridge/host mode shares its instance's
 * network: the instance's groups are swapped for the quarantine group and the instance is drained.
 * Anything else is reported as not possible in place, and the stop is the containment.
 */
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  type EC2Client,
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
import type { RuntimeFinding } from '../core/finding';
import type { IsolationResult } from '../core/outcome';
import type { TaskEnrichment } from '../core/policy';
import { evidenceKey, putOriginalState } from './evidence';

export interface IsolationDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly s3: S3Client;
  readonly evidenceBucket: string;
  /** Quarantine security group per VPC id, for container-instance isolation. */
  readonly quarantineGroups: Readonly<Record<string, string>>;
}

/** What `release` needs to undo an isolation, saved to evidence before anything changes. */
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

async function groupsSharedWithOthers(ec2: EC2Client, groupIds: string[], eniId: string): Promise<string[]> {
  const shared: string[] = [];
  await Promise.all(
    groupIds.map(async (groupId) => {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
      );
      const others = (out.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId !== eniId);
      if (others.length > 0) shared.push(`${groupId} (${others.length} other network interface(s))`);
    }),
  );
  return shared.sort();
}

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

async function revokeRules(ec2: EC2Client, rules: SecurityGroupRule[]): Promise<void> {
  const byGroup = new Map<string, { ingress: string[]; egress: string[] }>();
  for (const rule of rules) {
    if (!rule.GroupId || !rule.SecurityGroupRuleId) continue;
    const entry = byGroup.get(rule.GroupId) ?? { ingress: [], egress: [] };
    (rule.IsEgress ? entry.egress : entry.ingress).push(rule.SecurityGroupRuleId);
    byGroup.set(rule.GroupId, entry);
  }
  for (const [GroupId, { ingress, egress }] of byGroup) {
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
  const shared = await groupsSharedWithOthers(deps.ec2, groupIds, eniId);
  if (shared.length > 0) {
    return {
      status: 'not-possible',
      eniId,
      securityGroupIds: groupIds,
      reason: `isolation not possible in place: security group(s) ${shared.join(', ')} are shared, and the task ENI is requester-managed so its groups cannot be replaced`,
    };
  }
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
    reason: `instance ${ec2InstanceId} moved to quarantine group ${quarantineGroupId} and drained (other tasks on it are rescheduled)`,
  };
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
