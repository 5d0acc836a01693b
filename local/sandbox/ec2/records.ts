/** The records the sandbox EC2 keeps (plain JSON, so a snapshot is a copy of them) and its provisioning inputs. */
import type { IpPermission, Tag } from '@aws-sdk/client-ec2';

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

export type PeerKind = 'cidr4' | 'cidr6' | 'prefixList' | 'group';

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

export interface Ec2Snapshot {
  vpcs: VpcRecord[];
  subnets: SubnetRecord[];
  securityGroups: SecurityGroupRecord[];
  rules: RuleRecord[];
  networkInterfaces: NetworkInterfaceRecord[];
  instances: InstanceRecord[];
}

/** A rule as requested, before it gets an id. */
export type RuleSpec = Omit<RuleRecord, 'ruleId' | 'groupId' | 'isEgress'>;

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
