/**
 * Amazon EC2 in the sandbox account, limited to what isolating a container needs: VPCs, subnets, security
 * groups and their rules, network interfaces and instances.
 *
 * AWS behaviour kept because containment depends on it:
 * - A requester-managed ENI (every awsvpc task ENI ECS creates) refuses attribute changes, security groups
 *   included, with `AuthFailure`, even for an administrator.
 * - `ModifyInstanceAttribute Groups` changes the primary ENI only when it is the instance's sole ENI; with
 *   awsvpc task ENIs attached it fails with `InvalidInstanceID` and asks for an interface id.
 * - Revokes are all-or-nothing: one rule that does not exist fails the call and revokes nothing
 *   (`InvalidPermission.NotFound` for rule properties, `InvalidSecurityGroupRuleId.NotFound` for rule ids).
 * - Rules are one per peer (CIDR, IPv6 CIDR, prefix list, group); CIDRs are canonicalized; duplicates fail.
 * All VPCs are treated as non-default VPCs.
 */
import { createHash } from 'node:crypto';
import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  Filter,
  GroupIdentifier,
  Instance,
  InstanceNetworkInterface,
  IpPermission,
  ModifyInstanceAttributeRequest,
  ModifyNetworkInterfaceAttributeRequest,
  NetworkInterface,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
  SecurityGroupRule,
  Tag,
} from '@aws-sdk/client-ec2';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

const MAX_GROUPS_PER_INTERFACE = 5;
const ALL_PORTS = -1;

export interface VpcRecord {
  vpcId: string;
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  vpcId: string;
  description: string;
  tags: Tag[];
}

type PeerKind = 'cidr4' | 'cidr6' | 'prefixList' | 'group';

export interface RuleRecord {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  peerKind: PeerKind;
  peer: string;
  /** Account of a referenced group. */
  peerUserId?: string;
  description?: string;
}

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  groups: string[];
  requesterManaged: boolean;
  interfaceType: string;
  privateIpAddress: string;
  macAddress: string;
  description: string;
  sourceDestCheck: boolean;
  attachment?: {
    attachmentId: string;
    instanceId?: string;
    deviceIndex: number;
    attachTime: string;
  };
  tags: Tag[];
}

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  vpcId: string;
  subnetId: string;
  primaryNetworkInterfaceId: string;
  imageId: string;
  instanceType: string;
  launchTime: string;
}

interface Ec2Snapshot {
  vpcs: VpcRecord[];
  subnets: SubnetRecord[];
  securityGroups: SecurityGroupRecord[];
  rules: RuleRecord[];
  networkInterfaces: NetworkInterfaceRecord[];
  instances: InstanceRecord[];
}

/** A rule as requested, before it gets an id. */
type RuleSpec = Omit<RuleRecord, 'ruleId' | 'groupId' | 'isEgress'>;

export interface PutSecurityGroupInput {
  groupId?: string;
  groupName?: string;
  vpcId: string;
  description?: string;
  ingress?: IpPermission[];
  /** Replaces the default allow-all egress rule when given. */
  egress?: IpPermission[];
}

export interface PutNetworkInterfaceInput {
  networkInterfaceId?: string;
  subnetId: string;
  vpcId: string;
  groups: string[];
  requesterManaged: boolean;
  interfaceType?: string;
  privateIpAddress?: string;
  description?: string;
  attachmentInstanceId?: string;
}

export interface PutInstanceInput {
  instanceId?: string;
  vpcId: string;
  subnetId: string;
  groups: string[];
  /** Id of the primary ENI to create. */
  networkInterfaceId?: string;
  privateIpAddress?: string;
}

export class Ec2Service implements SandboxService {
  readonly name = 'ec2' as const;
  readonly operations: Readonly<Record<string, Operation>> = {
    DescribeNetworkInterfaces: op((input: DescribeNetworkInterfacesRequest) =>
      this.describeNetworkInterfaces(input),
    ),
    DescribeSecurityGroups: op((input: DescribeSecurityGroupsRequest) => this.describeSecurityGroups(input)),
    DescribeSecurityGroupRules: op((input: DescribeSecurityGroupRulesRequest) =>
      this.describeSecurityGroupRules(input),
    ),
    RevokeSecurityGroupIngress: op((input: RevokeSecurityGroupIngressRequest) => this.revoke(input, false)),
    RevokeSecurityGroupEgress: op((input: RevokeSecurityGroupEgressRequest) => this.revoke(input, true)),
    AuthorizeSecurityGroupIngress: op((input: AuthorizeSecurityGroupIngressRequest) =>
      this.authorize(input, false),
    ),
    AuthorizeSecurityGroupEgress: op((input: AuthorizeSecurityGroupEgressRequest) =>
      this.authorize(input, true),
    ),
    ModifyNetworkInterfaceAttribute: op((input: ModifyNetworkInterfaceAttributeRequest) =>
      this.modifyNetworkInterfaceAttribute(input),
    ),
    ModifyInstanceAttribute: op((input: ModifyInstanceAttributeRequest) =>
      this.modifyInstanceAttribute(input),
    ),
    DescribeInstances: op((input: DescribeInstancesRequest) => this.describeInstances(input)),
  };

  private readonly vpcs = new Map<string, VpcRecord>();
  private readonly subnets = new Map<string, SubnetRecord>();
  private readonly groups = new Map<string, SecurityGroupRecord>();
  /** groupId -> ruleId -> rule, in creation order. */
  private readonly rulesByGroup = new Map<string, Map<string, RuleRecord>>();
  private readonly rules = new Map<string, RuleRecord>();
  private readonly interfaces = new Map<string, NetworkInterfaceRecord>();
  private readonly interfacesByGroup = new Map<string, Set<string>>();
  private readonly interfacesByInstance = new Map<string, Set<string>>();
  private readonly instances = new Map<string, InstanceRecord>();

  constructor(private readonly ctx: AccountContext) {}

  // ---- provisioning -------------------------------------------------------------------------------------

  putVpc(vpcId: string): string {
    if (!this.vpcs.has(vpcId)) this.vpcs.set(vpcId, { vpcId });
    return vpcId;
  }

  putSubnet(input: { subnetId: string; vpcId: string; availabilityZone?: string }): string {
    this.putVpc(input.vpcId);
    if (!this.subnets.has(input.subnetId)) {
      this.subnets.set(input.subnetId, {
        subnetId: input.subnetId,
        vpcId: input.vpcId,
        availabilityZone: input.availabilityZone ?? `${this.ctx.region}a`,
      });
    }
    return input.subnetId;
  }

  /** Creates the group (by id, or by name within the VPC) if missing; returns its id. */
  putSecurityGroup(input: PutSecurityGroupInput): string {
    this.putVpc(input.vpcId);
    if (input.groupId !== undefined && this.groups.has(input.groupId)) return input.groupId;
    if (input.groupId === undefined && input.groupName !== undefined) {
      const named = this.groupByName(input.groupName, input.vpcId);
      if (named) return named.groupId;
    }
    const groupId = input.groupId ?? `sg-${this.hex('sg', 17)}`;
    this.groups.set(groupId, {
      groupId,
      groupName: input.groupName ?? groupId,
      vpcId: input.vpcId,
      description: input.description ?? `sandbox security group ${input.groupName ?? groupId}`,
      tags: [],
    });
    this.rulesByGroup.set(groupId, new Map());
    const group = this.requireGroup(groupId);
    const add = (permissions: IpPermission[], isEgress: boolean): void => {
      const existing = new Set<string>();
      for (const spec of permissions.flatMap((permission) => this.expand(permission, group))) {
        const key = ruleKey(spec);
        if (!existing.has(key)) this.addRule(group, isEgress, spec);
        existing.add(key);
      }
    };
    add(input.ingress ?? [], false);
    add(input.egress ?? [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], true);
    return groupId;
  }

  /** Creates the ENI (and any missing subnet or group) if missing; returns its id. */
  putNetworkInterface(input: PutNetworkInterfaceInput): string {
    if (input.networkInterfaceId !== undefined && this.interfaces.has(input.networkInterfaceId)) {
      return input.networkInterfaceId;
    }
    this.putSubnet({ subnetId: input.subnetId, vpcId: input.vpcId });
    for (const groupId of input.groups) this.putSecurityGroup({ groupId, vpcId: input.vpcId });
    const id = input.networkInterfaceId ?? `eni-${this.hex('eni', 17)}`;
    const subnet = this.subnets.get(input.subnetId);
    let attachment: NetworkInterfaceRecord['attachment'];
    if (input.attachmentInstanceId !== undefined || input.requesterManaged) {
      attachment = {
        attachmentId: `${input.attachmentInstanceId === undefined ? 'ela-attach' : 'eni-attach'}-${this.hex('attach', 17)}`,
        instanceId: input.attachmentInstanceId,
        deviceIndex:
          input.attachmentInstanceId === undefined
            ? 1
            : (this.interfacesByInstance.get(input.attachmentInstanceId)?.size ?? 0),
        attachTime: this.isoNow(),
      };
    }
    const record: NetworkInterfaceRecord = {
      networkInterfaceId: id,
      subnetId: input.subnetId,
      vpcId: input.vpcId,
      availabilityZone: subnet?.availabilityZone ?? `${this.ctx.region}a`,
      groups: [...input.groups],
      requesterManaged: input.requesterManaged,
      interfaceType: input.interfaceType ?? 'interface',
      privateIpAddress: input.privateIpAddress ?? privateIpFor(id),
      macAddress: macFor(id),
      description:
        input.description ??
        (input.requesterManaged
          ? `arn:${this.ctx.partition}:ecs:${this.ctx.region}:${this.ctx.accountId}:attachment/${this.hex('attachment', 32)}`
          : ''),
      sourceDestCheck: true,
      attachment,
      tags: [],
    };
    this.addInterface(record);
    return id;
  }

  /** Creates the instance and its primary ENI (not requester-managed) if missing; returns its id. */
  putInstance(input: PutInstanceInput): string {
    if (input.instanceId !== undefined && this.instances.has(input.instanceId)) return input.instanceId;
    const instanceId = input.instanceId ?? `i-${this.hex('instance', 17)}`;
    const primary = this.putNetworkInterface({
      networkInterfaceId: input.networkInterfaceId,
      subnetId: input.subnetId,
      vpcId: input.vpcId,
      groups: input.groups,
      requesterManaged: false,
      privateIpAddress: input.privateIpAddress,
      description: 'Primary network interface',
      attachmentInstanceId: instanceId,
    });
    this.instances.set(instanceId, {
      instanceId,
      reservationId: `r-${this.hex('reservation', 17)}`,
      vpcId: input.vpcId,
      subnetId: input.subnetId,
      primaryNetworkInterfaceId: primary,
      imageId: `ami-${this.hex('ami', 17)}`,
      instanceType: 'm5.large',
      launchTime: this.isoNow(),
    });
    return instanceId;
  }

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
    for (const map of [
      this.vpcs,
      this.subnets,
      this.groups,
      this.rulesByGroup,
      this.rules,
      this.interfaces,
      this.interfacesByGroup,
      this.interfacesByInstance,
      this.instances,
    ]) {
      map.clear();
    }
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

  // ---- operations ---------------------------------------------------------------------------------------

  private describeNetworkInterfaces(
    input: DescribeNetworkInterfacesRequest,
  ): DescribeNetworkInterfacesResult {
    const filters = input.Filters ?? [];
    let candidates: Iterable<NetworkInterfaceRecord>;
    if (input.NetworkInterfaceIds && input.NetworkInterfaceIds.length > 0) {
      candidates = input.NetworkInterfaceIds.map((id) => this.requireInterface(id));
    } else {
      candidates = this.interfaceCandidates(filters);
    }
    const matched: NetworkInterfaceRecord[] = [];
    for (const eni of candidates) {
      if (matchesFilters(filters, (name) => this.interfaceFilterValues(eni, name))) matched.push(eni);
    }
    const page = paginate(matched, input.MaxResults, input.NextToken);
    return { NetworkInterfaces: page.items.map((eni) => this.interfaceView(eni)), NextToken: page.nextToken };
  }

  private describeSecurityGroups(input: DescribeSecurityGroupsRequest): DescribeSecurityGroupsResult {
    let candidates: SecurityGroupRecord[];
    if (input.GroupIds && input.GroupIds.length > 0) {
      candidates = input.GroupIds.map((id) => this.requireGroup(id));
    } else {
      candidates = [...this.groups.values()];
    }
    if (input.GroupNames && input.GroupNames.length > 0) {
      const names = new Set(input.GroupNames);
      for (const name of names) {
        if (!candidates.some((group) => group.groupName === name)) throw groupNameNotFound(name);
      }
      candidates = candidates.filter((group) => names.has(group.groupName));
    }
    const filters = input.Filters ?? [];
    const matched = candidates.filter((group) =>
      matchesFilters(filters, (name) => {
        switch (name) {
          case 'group-id':
            return [group.groupId];
          case 'group-name':
            return [group.groupName];
          case 'vpc-id':
            return [group.vpcId];
          case 'description':
            return [group.description];
          case 'owner-id':
            return [this.ctx.accountId];
          default:
            return undefined;
        }
      }),
    );
    const page = paginate(matched, input.MaxResults, input.NextToken);
    return { SecurityGroups: page.items.map((group) => this.groupView(group)), NextToken: page.nextToken };
  }

  private describeSecurityGroupRules(
    input: DescribeSecurityGroupRulesRequest,
  ): DescribeSecurityGroupRulesResult {
    const filters = input.Filters ?? [];
    let candidates: Iterable<RuleRecord>;
    if (input.SecurityGroupRuleIds && input.SecurityGroupRuleIds.length > 0) {
      candidates = input.SecurityGroupRuleIds.map((id) => {
        const rule = this.rules.get(id);
        if (!rule) throw ruleIdNotFound(id);
        return rule;
      });
    } else {
      const groupIds = exactValues(filters, 'group-id');
      candidates = groupIds
        ? groupIds.flatMap((id) => [...(this.rulesByGroup.get(id)?.values() ?? [])])
        : this.rules.values();
    }
    const matched: RuleRecord[] = [];
    for (const rule of candidates) {
      const ok = matchesFilters(filters, (name) => {
        switch (name) {
          case 'group-id':
            return [rule.groupId];
          case 'security-group-rule-id':
            return [rule.ruleId];
          case 'is-egress':
            return [String(rule.isEgress)];
          default:
            return undefined;
        }
      });
      if (ok) matched.push(rule);
    }
    const page = paginate(matched, input.MaxResults, input.NextToken);
    return { SecurityGroupRules: page.items.map((rule) => this.ruleView(rule)), NextToken: page.nextToken };
  }

  private authorize(
    input: AuthorizeSecurityGroupIngressRequest | AuthorizeSecurityGroupEgressRequest,
    isEgress: boolean,
  ): AuthorizeSecurityGroupIngressResult {
    const group = this.resolveGroup(input.GroupId, 'GroupName' in input ? input.GroupName : undefined);
    const specs = this.requestedPermissions(input).flatMap((permission) => this.expand(permission, group));
    if (specs.length === 0) {
      throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions');
    }
    const existing = new Set(
      [...(this.rulesByGroup.get(group.groupId)?.values() ?? [])]
        .filter((rule) => rule.isEgress === isEgress)
        .map(ruleKey),
    );
    const requested = new Set<string>();
    for (const spec of specs) {
      const key = ruleKey(spec);
      if (existing.has(key) || requested.has(key)) {
        throw new AwsError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${spec.peer}, ${spec.ipProtocol === '-1' ? 'ALL' : spec.ipProtocol.toUpperCase()}, ` +
            `from port: ${spec.fromPort}, to port: ${spec.toPort}, ALLOW" already exists`,
        );
      }
      requested.add(key);
    }
    const created = specs.map((spec) => this.addRule(group, isEgress, spec));
    return { Return: true, SecurityGroupRules: created.map((rule) => this.ruleView(rule)) };
  }

  private revoke(
    input: RevokeSecurityGroupIngressRequest | RevokeSecurityGroupEgressRequest,
    isEgress: boolean,
  ): RevokeSecurityGroupIngressResult {
    const group = this.resolveGroup(input.GroupId, 'GroupName' in input ? input.GroupName : undefined);
    const groupRules = this.rulesByGroup.get(group.groupId) ?? new Map<string, RuleRecord>();
    const toRevoke = new Map<string, RuleRecord>();
    for (const id of input.SecurityGroupRuleIds ?? []) {
      const rule = groupRules.get(id);
      if (!rule || rule.isEgress !== isEgress) throw ruleIdNotFound(id);
      toRevoke.set(id, rule);
    }
    const permissions = this.requestedPermissions(input);
    if (permissions.length > 0) {
      const byKey = new Map<string, RuleRecord>();
      for (const rule of groupRules.values()) if (rule.isEgress === isEgress) byKey.set(ruleKey(rule), rule);
      for (const spec of permissions.flatMap((permission) => this.expand(permission, group))) {
        const rule = byKey.get(ruleKey(spec));
        if (!rule) {
          throw new AwsError(
            'InvalidPermission.NotFound',
            'The specified rule does not exist in this security group.',
          );
        }
        toRevoke.set(rule.ruleId, rule);
      }
    }
    if (toRevoke.size === 0 && (input.SecurityGroupRuleIds ?? []).length === 0 && permissions.length === 0) {
      throw new AwsError(
        'MissingParameter',
        'The request must contain the parameter ipPermissions or securityGroupRuleIds',
      );
    }
    const revoked: RevokedSecurityGroupRule[] = [];
    for (const rule of toRevoke.values()) {
      groupRules.delete(rule.ruleId);
      this.rules.delete(rule.ruleId);
      const view = this.ruleView(rule);
      revoked.push({
        SecurityGroupRuleId: view.SecurityGroupRuleId,
        GroupId: view.GroupId,
        IsEgress: view.IsEgress,
        IpProtocol: view.IpProtocol,
        FromPort: view.FromPort,
        ToPort: view.ToPort,
        CidrIpv4: view.CidrIpv4,
        CidrIpv6: view.CidrIpv6,
        PrefixListId: view.PrefixListId,
        ReferencedGroupId: view.ReferencedGroupInfo?.GroupId,
        Description: view.Description,
      });
    }
    return { Return: true, RevokedSecurityGroupRules: revoked };
  }

  private modifyNetworkInterfaceAttribute(
    input: ModifyNetworkInterfaceAttributeRequest,
  ): Record<string, never> {
    const eni = this.requireInterface(requireId(input.NetworkInterfaceId, 'NetworkInterfaceId'));
    if (eni.requesterManaged) {
      // ECS owns its task ENIs: AWS refuses every change but tags, whatever the caller's IAM policy says.
      throw new AwsError('AuthFailure', 'You do not have permission to access the specified resource.', {
        statusCode: 401,
      });
    }
    if (input.Groups !== undefined) this.setGroups(eni, input.Groups);
    if (input.Description?.Value !== undefined) eni.description = input.Description.Value;
    if (input.SourceDestCheck?.Value !== undefined) eni.sourceDestCheck = input.SourceDestCheck.Value;
    return {};
  }

  private modifyInstanceAttribute(input: ModifyInstanceAttributeRequest): Record<string, never> {
    const instance = this.requireInstance(requireId(input.InstanceId, 'InstanceId'));
    const groups =
      input.Groups ?? (input.Attribute === 'groupSet' && input.Value ? [input.Value] : undefined);
    if (groups !== undefined) {
      const attached = this.interfacesByInstance.get(instance.instanceId)?.size ?? 0;
      if (attached > 1) {
        throw new AwsError(
          'InvalidInstanceID',
          `There are multiple interfaces attached to instance '${instance.instanceId}'. ` +
            'Please specify an interface ID for the operation instead.',
        );
      }
      this.setGroups(this.requireInterface(instance.primaryNetworkInterfaceId), groups);
    }
    if (input.SourceDestCheck?.Value !== undefined) {
      this.requireInterface(instance.primaryNetworkInterfaceId).sourceDestCheck = input.SourceDestCheck.Value;
    }
    return {};
  }

  private describeInstances(input: DescribeInstancesRequest): DescribeInstancesResult {
    let candidates: InstanceRecord[];
    if (input.InstanceIds && input.InstanceIds.length > 0) {
      if (input.MaxResults !== undefined) {
        throw new AwsError(
          'InvalidParameterCombination',
          'The parameter instancesSet cannot be used with the parameter maxResults',
        );
      }
      const missing = input.InstanceIds.filter((id) => !this.instances.has(id));
      if (missing.length > 0) {
        throw new AwsError(
          'InvalidInstanceID.NotFound',
          missing.length === 1
            ? `The instance ID '${missing[0]}' does not exist`
            : `The instance IDs '${missing.join(', ')}' do not exist`,
        );
      }
      candidates = input.InstanceIds.map((id) => this.requireInstance(id));
    } else {
      candidates = [...this.instances.values()];
    }
    const filters = input.Filters ?? [];
    const matched = candidates.filter((instance) =>
      matchesFilters(filters, (name) => {
        switch (name) {
          case 'instance-id':
            return [instance.instanceId];
          case 'vpc-id':
            return [instance.vpcId];
          case 'subnet-id':
            return [instance.subnetId];
          case 'instance-state-name':
            return ['running'];
          case 'instance.group-id':
            return this.instanceInterfaces(instance).flatMap((eni) => eni.groups);
          case 'network-interface.network-interface-id':
            return this.instanceInterfaces(instance).map((eni) => eni.networkInterfaceId);
          default:
            return undefined;
        }
      }),
    );
    const page = paginate(matched, input.MaxResults, input.NextToken);
    return {
      Reservations: page.items.map((instance) => ({
        ReservationId: instance.reservationId,
        OwnerId: this.ctx.accountId,
        Groups: [],
        Instances: [this.instanceView(instance)],
      })),
      NextToken: page.nextToken,
    };
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private isoNow(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  /** `length` hex digits from the account's deterministic id source, whatever prefix it adds. */
  private hex(prefix: string, length: number): string {
    const raw = this.ctx
      .nextId(prefix, length)
      .toLowerCase()
      .replace(/[^0-9a-f]/g, '');
    return raw.slice(-length).padStart(length, '0');
  }

  private requireGroup(groupId: string): SecurityGroupRecord {
    const group = this.groups.get(groupId);
    if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    return group;
  }

  private groupByName(name: string, vpcId?: string): SecurityGroupRecord | undefined {
    for (const group of this.groups.values()) {
      if (group.groupName === name && (vpcId === undefined || group.vpcId === vpcId)) return group;
    }
    return undefined;
  }

  private resolveGroup(groupId: string | undefined, groupName: string | undefined): SecurityGroupRecord {
    if (groupId !== undefined) return this.requireGroup(groupId);
    if (groupName !== undefined) {
      const group = this.groupByName(groupName);
      if (!group) throw groupNameNotFound(groupName);
      return group;
    }
    throw new AwsError('MissingParameter', 'The request must contain the parameter groupName or groupId');
  }

  private requireInterface(id: string): NetworkInterfaceRecord {
    const eni = this.interfaces.get(id);
    if (!eni) {
      throw new AwsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${id}' does not exist`,
      );
    }
    return eni;
  }

  private requireInstance(id: string): InstanceRecord {
    const instance = this.instances.get(id);
    if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  private instanceInterfaces(instance: InstanceRecord): NetworkInterfaceRecord[] {
    const ids = this.interfacesByInstance.get(instance.instanceId) ?? new Set<string>();
    return [...ids].flatMap((id) => this.interfaces.get(id) ?? []);
  }

  private addInterface(eni: NetworkInterfaceRecord): void {
    this.interfaces.set(eni.networkInterfaceId, eni);
    for (const groupId of eni.groups) indexAdd(this.interfacesByGroup, groupId, eni.networkInterfaceId);
    const instanceId = eni.attachment?.instanceId;
    if (instanceId !== undefined) indexAdd(this.interfacesByInstance, instanceId, eni.networkInterfaceId);
  }

  private setGroups(eni: NetworkInterfaceRecord, groupIds: string[]): void {
    if (groupIds.length === 0) {
      throw new AwsError('MissingParameter', 'The request must contain the parameter groupId');
    }
    const unique = [...new Set(groupIds)];
    if (unique.length > MAX_GROUPS_PER_INTERFACE) {
      throw new AwsError(
        'SecurityGroupsPerInterfaceLimitExceeded',
        `The maximum number of security groups per interface (${MAX_GROUPS_PER_INTERFACE}) has been reached.`,
      );
    }
    for (const groupId of unique) {
      const group = this.requireGroup(groupId);
      if (group.vpcId !== eni.vpcId) {
        throw new AwsError(
          'InvalidParameter',
          `Security group ${groupId} and interface ${eni.networkInterfaceId} belong to different networks.`,
        );
      }
    }
    for (const groupId of eni.groups) this.interfacesByGroup.get(groupId)?.delete(eni.networkInterfaceId);
    eni.groups = unique;
    for (const groupId of unique) indexAdd(this.interfacesByGroup, groupId, eni.networkInterfaceId);
  }

  /** The smallest set of ENIs an exact-valued filter allows, so filtered calls stay off a full scan. */
  private interfaceCandidates(filters: Filter[]): Iterable<NetworkInterfaceRecord> {
    const lookups: Array<[string, (value: string) => Iterable<string>]> = [
      ['network-interface-id', (value) => [value]],
      ['group-id', (value) => this.interfacesByGroup.get(value) ?? []],
      ['attachment.instance-id', (value) => this.interfacesByInstance.get(value) ?? []],
    ];
    for (const [name, lookup] of lookups) {
      const values = exactValues(filters, name);
      if (!values) continue;
      const ids = new Set<string>();
      for (const value of values) for (const id of lookup(value)) ids.add(id);
      return [...ids].flatMap((id) => this.interfaces.get(id) ?? []);
    }
    return this.interfaces.values();
  }

  private interfaceFilterValues(eni: NetworkInterfaceRecord, name: string): string[] | undefined {
    switch (name) {
      case 'network-interface-id':
        return [eni.networkInterfaceId];
      case 'group-id':
        return eni.groups;
      case 'group-name':
        return eni.groups.map((id) => this.groups.get(id)?.groupName ?? id);
      case 'vpc-id':
        return [eni.vpcId];
      case 'subnet-id':
        return [eni.subnetId];
      case 'attachment.instance-id':
        return eni.attachment?.instanceId === undefined ? [] : [eni.attachment.instanceId];
      case 'attachment.status':
        return eni.attachment ? ['attached'] : [];
      case 'requester-managed':
        return [String(eni.requesterManaged)];
      case 'interface-type':
        return [eni.interfaceType];
      case 'private-ip-address':
      case 'addresses.private-ip-address':
        return [eni.privateIpAddress];
      case 'mac-address':
        return [eni.macAddress];
      case 'status':
        return [eni.attachment ? 'in-use' : 'available'];
      case 'description':
        return [eni.description];
      case 'owner-id':
        return [this.ctx.accountId];
      default:
        return undefined;
    }
  }

  private requestedPermissions(
    input:
      | AuthorizeSecurityGroupIngressRequest
      | AuthorizeSecurityGroupEgressRequest
      | RevokeSecurityGroupIngressRequest
      | RevokeSecurityGroupEgressRequest,
  ): IpPermission[] {
    if (input.IpPermissions && input.IpPermissions.length > 0) return input.IpPermissions;
    // The older flat form (one CIDR, or one source group by name).
    if (
      input.IpProtocol === undefined &&
      input.CidrIp === undefined &&
      input.SourceSecurityGroupName === undefined
    ) {
      return [];
    }
    return [
      {
        IpProtocol: input.IpProtocol ?? '-1',
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp === undefined ? undefined : [{ CidrIp: input.CidrIp }],
        UserIdGroupPairs:
          input.SourceSecurityGroupName === undefined
            ? undefined
            : [{ GroupName: input.SourceSecurityGroupName }],
      },
    ];
  }

  /** One rule per peer of the permission, validated and canonicalized as AWS stores it. */
  private expand(permission: IpPermission, group: SecurityGroupRecord): RuleSpec[] {
    const ipProtocol = normalizeProtocol(permission.IpProtocol);
    const [fromPort, toPort] = normalizePorts(ipProtocol, permission.FromPort, permission.ToPort);
    const base = { ipProtocol, fromPort, toPort };
    const specs: RuleSpec[] = [];
    for (const range of permission.IpRanges ?? []) {
      specs.push({
        ...base,
        peerKind: 'cidr4',
        peer: canonicalCidr4(range.CidrIp),
        description: range.Description,
      });
    }
    for (const range of permission.Ipv6Ranges ?? []) {
      specs.push({
        ...base,
        peerKind: 'cidr6',
        peer: canonicalCidr6(range.CidrIpv6),
        description: range.Description,
      });
    }
    for (const prefix of permission.PrefixListIds ?? []) {
      const id = requireId(prefix.PrefixListId, 'PrefixListId');
      specs.push({ ...base, peerKind: 'prefixList', peer: id, description: prefix.Description });
    }
    for (const pair of permission.UserIdGroupPairs ?? []) {
      const foreign = pair.UserId !== undefined && pair.UserId !== this.ctx.accountId;
      let peer = pair.GroupId;
      if (peer === undefined && pair.GroupName !== undefined) {
        const named = this.groupByName(pair.GroupName, group.vpcId);
        if (!named) throw groupNameNotFound(pair.GroupName);
        peer = named.groupId;
      }
      if (peer === undefined) {
        throw new AwsError('MissingParameter', 'A user id group pair must name a groupId or groupName');
      }
      if (!foreign) this.requireGroup(peer);
      specs.push({
        ...base,
        peerKind: 'group',
        peer,
        peerUserId: pair.UserId ?? this.ctx.accountId,
        description: pair.Description,
      });
    }
    return specs;
  }

  private addRule(group: SecurityGroupRecord, isEgress: boolean, spec: RuleSpec): RuleRecord {
    const rule: RuleRecord = {
      ...spec,
      ruleId: `sgr-${this.hex('sgr', 17)}`,
      groupId: group.groupId,
      isEgress,
    };
    this.rules.set(rule.ruleId, rule);
    let groupRules = this.rulesByGroup.get(group.groupId);
    if (!groupRules) {
      groupRules = new Map();
      this.rulesByGroup.set(group.groupId, groupRules);
    }
    groupRules.set(rule.ruleId, rule);
    return rule;
  }

  private ruleView(rule: RuleRecord): SecurityGroupRule {
    return {
      SecurityGroupRuleId: rule.ruleId,
      GroupId: rule.groupId,
      GroupOwnerId: this.ctx.accountId,
      IsEgress: rule.isEgress,
      IpProtocol: rule.ipProtocol,
      FromPort: rule.fromPort,
      ToPort: rule.toPort,
      CidrIpv4: rule.peerKind === 'cidr4' ? rule.peer : undefined,
      CidrIpv6: rule.peerKind === 'cidr6' ? rule.peer : undefined,
      PrefixListId: rule.peerKind === 'prefixList' ? rule.peer : undefined,
      ReferencedGroupInfo:
        rule.peerKind === 'group'
          ? { GroupId: rule.peer, UserId: rule.peerUserId ?? this.ctx.accountId }
          : undefined,
      Description: rule.description,
      Tags: [],
      SecurityGroupRuleArn: `arn:${this.ctx.partition}:ec2:${this.ctx.region}:${this.ctx.accountId}:security-group-rule/${rule.ruleId}`,
    };
  }

  /** Rules folded back into `IpPermissions`, one entry per protocol and port range, as DescribeSecurityGroups does. */
  private permissions(group: SecurityGroupRecord, isEgress: boolean): IpPermission[] {
    const byRange = new Map<string, IpPermission>();
    for (const rule of this.rulesByGroup.get(group.groupId)?.values() ?? []) {
      if (rule.isEgress !== isEgress) continue;
      const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
      let permission = byRange.get(key);
      if (!permission) {
        permission = {
          IpProtocol: rule.ipProtocol,
          FromPort: rule.ipProtocol === '-1' ? undefined : rule.fromPort,
          ToPort: rule.ipProtocol === '-1' ? undefined : rule.toPort,
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        };
        byRange.set(key, permission);
      }
      const Description = rule.description;
      if (rule.peerKind === 'cidr4') permission.IpRanges?.push({ CidrIp: rule.peer, Description });
      if (rule.peerKind === 'cidr6') permission.Ipv6Ranges?.push({ CidrIpv6: rule.peer, Description });
      if (rule.peerKind === 'prefixList')
        permission.PrefixListIds?.push({ PrefixListId: rule.peer, Description });
      if (rule.peerKind === 'group') {
        permission.UserIdGroupPairs?.push({ GroupId: rule.peer, UserId: rule.peerUserId, Description });
      }
    }
    return [...byRange.values()];
  }

  private groupView(group: SecurityGroupRecord): SecurityGroup {
    return {
      GroupId: group.groupId,
      GroupName: group.groupName,
      Description: group.description,
      OwnerId: this.ctx.accountId,
      VpcId: group.vpcId,
      SecurityGroupArn: `arn:${this.ctx.partition}:ec2:${this.ctx.region}:${this.ctx.accountId}:security-group/${group.groupId}`,
      IpPermissions: this.permissions(group, false),
      IpPermissionsEgress: this.permissions(group, true),
      Tags: group.tags.map((tag) => ({ ...tag })),
    };
  }

  private groupIdentifiers(groupIds: string[]): GroupIdentifier[] {
    return groupIds.map((GroupId) => ({ GroupId, GroupName: this.groups.get(GroupId)?.groupName }));
  }

  private interfaceView(eni: NetworkInterfaceRecord): NetworkInterface {
    const privateDnsName = `ip-${eni.privateIpAddress.replace(/\./g, '-')}.ec2.internal`;
    return {
      Attachment: eni.attachment && {
        AttachmentId: eni.attachment.attachmentId,
        AttachTime: new Date(eni.attachment.attachTime),
        DeleteOnTermination: true,
        DeviceIndex: eni.attachment.deviceIndex,
        NetworkCardIndex: 0,
        InstanceId: eni.attachment.instanceId,
        InstanceOwnerId: eni.attachment.instanceId === undefined ? 'amazon-aws' : this.ctx.accountId,
        Status: 'attached',
      },
      AvailabilityZone: eni.availabilityZone,
      Description: eni.description,
      Groups: this.groupIdentifiers(eni.groups),
      InterfaceType: eni.interfaceType as NetworkInterface['InterfaceType'],
      Ipv6Addresses: [],
      MacAddress: eni.macAddress,
      NetworkInterfaceId: eni.networkInterfaceId,
      OwnerId: this.ctx.accountId,
      PrivateDnsName: privateDnsName,
      PrivateIpAddress: eni.privateIpAddress,
      PrivateIpAddresses: [
        { Primary: true, PrivateIpAddress: eni.privateIpAddress, PrivateDnsName: privateDnsName },
      ],
      RequesterManaged: eni.requesterManaged,
      SourceDestCheck: eni.sourceDestCheck,
      Status: eni.attachment ? 'in-use' : 'available',
      SubnetId: eni.subnetId,
      TagSet: eni.tags.map((tag) => ({ ...tag })),
      VpcId: eni.vpcId,
    };
  }

  private instanceView(instance: InstanceRecord): Instance {
    const enis = this.instanceInterfaces(instance);
    const primary = this.interfaces.get(instance.primaryNetworkInterfaceId);
    const networkInterfaces: InstanceNetworkInterface[] = enis.map((eni) => ({
      Attachment: eni.attachment && {
        AttachmentId: eni.attachment.attachmentId,
        AttachTime: new Date(eni.attachment.attachTime),
        DeleteOnTermination: eni.networkInterfaceId === instance.primaryNetworkInterfaceId,
        DeviceIndex: eni.attachment.deviceIndex,
        NetworkCardIndex: 0,
        Status: 'attached',
      },
      Description: eni.description,
      Groups: this.groupIdentifiers(eni.groups),
      Ipv6Addresses: [],
      MacAddress: eni.macAddress,
      NetworkInterfaceId: eni.networkInterfaceId,
      OwnerId: this.ctx.accountId,
      PrivateIpAddress: eni.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: eni.privateIpAddress }],
      SourceDestCheck: eni.sourceDestCheck,
      Status: 'in-use',
      SubnetId: eni.subnetId,
      VpcId: eni.vpcId,
      InterfaceType: eni.interfaceType,
    }));
    return {
      InstanceId: instance.instanceId,
      ImageId: instance.imageId,
      InstanceType: instance.instanceType as Instance['InstanceType'],
      State: { Code: 16, Name: 'running' },
      LaunchTime: new Date(instance.launchTime),
      Placement: {
        AvailabilityZone: this.subnets.get(instance.subnetId)?.availabilityZone ?? `${this.ctx.region}a`,
      },
      PrivateIpAddress: primary?.privateIpAddress,
      SubnetId: instance.subnetId,
      VpcId: instance.vpcId,
      SecurityGroups: this.groupIdentifiers(primary?.groups ?? []),
      NetworkInterfaces: networkInterfaces,
      SourceDestCheck: primary?.sourceDestCheck ?? true,
      Tags: [],
    };
  }
}

/** Operations receive the SDK command input as-is; this names its type once, at the boundary. */
function op<T>(fn: (input: T) => unknown): Operation {
  return (input) => fn(input as unknown as T);
}

function requireId(value: string | undefined, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}

function indexAdd(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function ruleIdNotFound(id: string): AwsError {
  return new AwsError(
    'InvalidSecurityGroupRuleId.NotFound',
    `The security group rule ID '${id}' does not exist`,
  );
}

function groupNameNotFound(name: string): AwsError {
  return new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
}

function ruleKey(rule: RuleSpec): string {
  return `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}|${rule.peerKind}|${rule.peer}`;
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

function normalizeProtocol(protocol: string | undefined): string {
  if (protocol === undefined)
    throw new AwsError('MissingParameter', 'The request must contain the parameter ipProtocol');
  const lower = protocol.toLowerCase();
  if (lower === '-1' || lower === 'all') return '-1';
  if (['tcp', 'udp', 'icmp', 'icmpv6'].includes(lower)) return lower;
  if (/^\d+$/.test(lower) && Number(lower) <= 255) return PROTOCOL_NAMES[lower] ?? lower;
  throw new AwsError(
    'InvalidParameterValue',
    `Invalid value '${protocol}' for IP protocol. Unknown protocol.`,
  );
}

/** Ports as AWS stores them: required for TCP/UDP, type/code for ICMP, -1 for every other protocol. */
function normalizePorts(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
): [number, number] {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) {
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value 'Must specify both from and to ports with TCP/UDP.'`,
      );
    }
    if (from < 0 || to > 65535 || from > to) {
      throw new AwsError('InvalidParameterValue', `Invalid port range ${from}-${to}`);
    }
    return [from, to];
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') return [from ?? ALL_PORTS, to ?? ALL_PORTS];
  return [ALL_PORTS, ALL_PORTS];
}

function canonicalCidr4(cidr: string | undefined): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr ?? '');
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || bits > 32) {
    throw new AwsError('InvalidParameterValue', `Value (${String(cidr)}) for parameter cidrIp is invalid.`);
  }
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  // Arithmetic rather than bitwise masking: JavaScript bit operators are signed 32-bit.
  const network = address - (address % 2 ** (32 - bits));
  const parts = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${parts.join('.')}/${bits}`;
}

function canonicalCidr6(cidr: string | undefined): string {
  if (cidr === undefined || !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr) || Number(cidr.split('/')[1]) > 128) {
    throw new AwsError('InvalidParameterValue', `Value (${String(cidr)}) for parameter cidrIpv6 is invalid.`);
  }
  return cidr.toLowerCase();
}

function hashBytes(seed: string): number[] {
  return [...createHash('sha256').update(seed).digest()];
}

/** Deterministic, locally administered MAC (0a:...), as AWS assigns to ENIs. */
function macFor(id: string): string {
  const bytes = hashBytes(`mac|${id}`).slice(0, 5);
  return ['0a', ...bytes.map((byte) => byte.toString(16).padStart(2, '0'))].join(':');
}

function privateIpFor(id: string): string {
  const [a = 0, b = 0] = hashBytes(`ip|${id}`);
  return `10.0.${a}.${4 + (b % 250)}`;
}

/** Filter values of one name whose values are all exact (no wildcard), for index lookups. */
function exactValues(filters: Filter[], name: string): string[] | undefined {
  const filter = filters.find((candidate) => candidate.Name === name);
  const values = filter?.Values;
  if (!values || values.some((value) => /[*?]/.test(value))) return undefined;
  return values;
}

/** EC2 filter semantics: filters AND, values OR, `*` and `?` wildcards; an unknown filter name is an error. */
function matchesFilters(filters: Filter[], valuesOf: (name: string) => string[] | undefined): boolean {
  for (const filter of filters) {
    const name = filter.Name ?? '';
    const actual = valuesOf(name);
    if (actual === undefined) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    const wanted = filter.Values ?? [];
    if (!wanted.some((pattern) => actual.some((value) => matchesPattern(pattern, value)))) return false;
  }
  return true;
}

function matchesPattern(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** EC2 returns everything unless MaxResults (5 to 1000) asks for pages. */
function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000)) {
    throw new AwsError('InvalidParameterValue', `Value (${maxResults}) for parameter maxResults is invalid.`);
  }
  let start = 0;
  if (nextToken !== undefined) {
    const offset = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AwsError('InvalidNextToken', 'The token is invalid.');
    start = offset;
  }
  if (maxResults === undefined) return { items: items.slice(start) };
  const end = start + maxResults;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}
