export type {
  InstanceRecord,
  NetworkInterfaceRecord,
  PutInstanceInput,
  PutNetworkInterfaceInput,
  PutSecurityGroupInput,
  RuleRecord,
  SecurityGroupRecord,
  SubnetRecord,
  VpcRecord,
} from './records';
export { Ec2Service } from './service';
