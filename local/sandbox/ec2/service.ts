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
import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupIngressRequest,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupsRequest,
  Filter,
  Instance,
  InstanceNetworkInterface,
  IpPermission,
  ModifyInstanceAttributeRequest,
  ModifyNetworkInterfaceAttributeRequest,
  NetworkInterface,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupIngressRequest,
} from '@aws-sdk/client-ec2';
import { hexId, indexAdd, isoNow, op, sha256Bytes } from '../shared';
import { AwsError, type Operation, type SandboxService } from '../types';
import { exactValues, matchesFilters, paginate } from './filters';
import type {
  InstanceRecord,
  NetworkInterfaceRecord,
  PutInstanceInput,
  PutNetworkInterfaceInput,
  PutSecurityGroupInput,
} from './records';
import { requireId, ruleKey } from './rules';
import { Ec2SecurityGroups } from './security-groups';

const MAX_GROUPS_PER_INTERFACE = 5;

/** Deterministic, locally administered MAC (0a:...), as AWS assigns to ENIs. */
function macFor(id: string): string {
  const bytes = sha256Bytes(`mac|${id}`).slice(0, 5);
  return ['0a', ...bytes.map((byte) => byte.toString(16).padStart(2, '0'))].join(':');
}

function privateIpFor(id: string): string {
  const [a = 0, b = 0] = sha256Bytes(`ip|${id}`);
  return `10.0.${a}.${4 + (b % 250)}`;
}

export class Ec2Service extends Ec2SecurityGroups implements SandboxService {
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
    const groupId = input.groupId ?? `sg-${hexId(this.ctx, 'sg', 17)}`;
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
    const id = input.networkInterfaceId ?? `eni-${hexId(this.ctx, 'eni', 17)}`;
    const subnet = this.subnets.get(input.subnetId);
    let attachment: NetworkInterfaceRecord['attachment'];
    if (input.attachmentInstanceId !== undefined || input.requesterManaged) {
      attachment = {
        attachmentId: `${input.attachmentInstanceId === undefined ? 'ela-attach' : 'eni-attach'}-${hexId(this.ctx, 'attach', 17)}`,
        instanceId: input.attachmentInstanceId,
        deviceIndex:
          input.attachmentInstanceId === undefined
            ? 1
            : (this.interfacesByInstance.get(input.attachmentInstanceId)?.size ?? 0),
        attachTime: isoNow(this.ctx),
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
          ? `arn:${this.ctx.partition}:ecs:${this.ctx.region}:${this.ctx.accountId}:attachment/${hexId(this.ctx, 'attachment', 32)}`
          : ''),
      sourceDestCheck: true,
      attachment,
      tags: [],
    };
    this.addInterface(record);
    return id;
  }

  /**
   * The ENI ECS creates for an awsvpc task (requester-managed) in a known subnet, with the groups of the
   * task's network configuration; undefined when the subnet is unknown.
   */
  putTaskInterface(input: {
    subnetId: string;
    groups: readonly string[];
  }): { networkInterfaceId: string; privateIpAddress: string } | undefined {
    const subnet = this.subnets.get(input.subnetId);
    if (!subnet) return undefined;
    const id = this.putNetworkInterface({
      subnetId: input.subnetId,
      vpcId: subnet.vpcId,
      groups: [...input.groups],
      requesterManaged: true,
    });
    const eni = this.interfaces.get(id);
    return { networkInterfaceId: id, privateIpAddress: eni?.privateIpAddress ?? '' };
  }

  /** Creates the instance and its primary ENI (not requester-managed) if missing; returns its id. */
  putInstance(input: PutInstanceInput): string {
    if (input.instanceId !== undefined && this.instances.has(input.instanceId)) return input.instanceId;
    const instanceId = input.instanceId ?? `i-${hexId(this.ctx, 'instance', 17)}`;
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
      reservationId: `r-${hexId(this.ctx, 'reservation', 17)}`,
      vpcId: input.vpcId,
      subnetId: input.subnetId,
      primaryNetworkInterfaceId: primary,
      imageId: `ami-${hexId(this.ctx, 'ami', 17)}`,
      instanceType: 'm5.large',
      launchTime: isoNow(this.ctx),
    });
    return instanceId;
  }

  // ---- network interfaces and instances ---------------------------------------------------------------

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
