/**
 * The state of the sandbox EC2: VPCs, subnets, security groups and their rules, network interfaces and
 * instances, with the indexes that keep filtered calls off a full scan and the lookups operations start from.
 */
import type { GroupIdentifier } from '@aws-sdk/client-ec2';
import { clearAll, indexAdd } from '../shared';
import { type AccountContext, AwsError } from '../types';
import type {
  Ec2Snapshot,
  InstanceRecord,
  NetworkInterfaceRecord,
  RuleRecord,
  SecurityGroupRecord,
  SubnetRecord,
  VpcRecord,
} from './records';
import { groupNameNotFound } from './rules';

export class Ec2Store {
  constructor(protected readonly ctx: AccountContext) {}

  protected readonly vpcs = new Map<string, VpcRecord>();
  protected readonly subnets = new Map<string, SubnetRecord>();
  protected readonly groups = new Map<string, SecurityGroupRecord>();
  /** groupId -> ruleId -> rule, in creation order. */
  protected readonly rulesByGroup = new Map<string, Map<string, RuleRecord>>();
  protected readonly rules = new Map<string, RuleRecord>();
  protected readonly interfaces = new Map<string, NetworkInterfaceRecord>();
  protected readonly interfacesByGroup = new Map<string, Set<string>>();
  protected readonly interfacesByInstance = new Map<string, Set<string>>();
  protected readonly instances = new Map<string, InstanceRecord>();

  snapshot(): Ec2Snapshot {
    return structuredClone({
      vpcs: [...this.vpcs.values()],
      subnets: [...this.subnets.values()],
      securityGroups: [...this.groups.values()],
      rules: [...this.rules.values()],
      networkInterfaces: [...this.interfaces.values()],
      instances: [...this.instances.values()],
    });
  }

  restore(state: unknown): void {
    const snapshot = structuredClone((state ?? {}) as Partial<Ec2Snapshot>);
    clearAll([
      this.vpcs,
      this.subnets,
      this.groups,
      this.rulesByGroup,
      this.rules,
      this.interfaces,
      this.interfacesByGroup,
      this.interfacesByInstance,
      this.instances,
    ]);
    for (const vpc of snapshot.vpcs ?? []) this.vpcs.set(vpc.vpcId, vpc);
    for (const subnet of snapshot.subnets ?? []) this.subnets.set(subnet.subnetId, subnet);
    for (const group of snapshot.securityGroups ?? []) {
      this.groups.set(group.groupId, group);
      this.rulesByGroup.set(group.groupId, new Map());
    }
    for (const rule of snapshot.rules ?? []) {
      this.rules.set(rule.ruleId, rule);
      this.rulesByGroup.get(rule.groupId)?.set(rule.ruleId, rule);
    }
    for (const eni of snapshot.networkInterfaces ?? []) this.addInterface(eni);
    for (const instance of snapshot.instances ?? []) this.instances.set(instance.instanceId, instance);
  }

  protected requireGroup(groupId: string): SecurityGroupRecord {
    const group = this.groups.get(groupId);
    if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    return group;
  }

  protected groupByName(name: string, vpcId?: string): SecurityGroupRecord | undefined {
    for (const group of this.groups.values()) {
      if (group.groupName === name && (vpcId === undefined || group.vpcId === vpcId)) return group;
    }
    return undefined;
  }

  protected resolveGroup(groupId: string | undefined, groupName: string | undefined): SecurityGroupRecord {
    if (groupId !== undefined) return this.requireGroup(groupId);
    if (groupName !== undefined) {
      const group = this.groupByName(groupName);
      if (!group) throw groupNameNotFound(groupName);
      return group;
    }
    throw new AwsError('MissingParameter', 'The request must contain the parameter groupName or groupId');
  }

  protected requireInterface(id: string): NetworkInterfaceRecord {
    const eni = this.interfaces.get(id);
    if (!eni) {
      throw new AwsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${id}' does not exist`,
      );
    }
    return eni;
  }

  protected requireInstance(id: string): InstanceRecord {
    const instance = this.instances.get(id);
    if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  protected instanceInterfaces(instance: InstanceRecord): NetworkInterfaceRecord[] {
    const ids = this.interfacesByInstance.get(instance.instanceId) ?? new Set<string>();
    return [...ids].flatMap((id) => this.interfaces.get(id) ?? []);
  }

  protected addInterface(eni: NetworkInterfaceRecord): void {
    this.interfaces.set(eni.networkInterfaceId, eni);
    for (const groupId of eni.groups) indexAdd(this.interfacesByGroup, groupId, eni.networkInterfaceId);
    const instanceId = eni.attachment?.instanceId;
    if (instanceId !== undefined) indexAdd(this.interfacesByInstance, instanceId, eni.networkInterfaceId);
  }

  protected groupIdentifiers(groupIds: string[]): GroupIdentifier[] {
    return groupIds.map((GroupId) => ({ GroupId, GroupName: this.groups.get(GroupId)?.groupName }));
  }
}
