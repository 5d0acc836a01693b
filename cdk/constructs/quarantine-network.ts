/**
 * One quarantine security group per configured VPC: the isolate function swaps an EC2 container
 * instance's groups for it. `Vpc.fromLookup` needs credentials at synth, so the L1 group takes the VPC
 * id directly and synth stays offline.
 */
import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface QuarantineNetworkProps {
  readonly vpcIds: readonly string[];
}

/**
 * CloudFormation adds an allow-all egress rule to a group declared without egress rules. One rule that
 * can match nothing (ICMP type 252 code 86 to the broadcast address, as CDK's own `allowAllOutbound: false`
 * does) replaces it, so the group allows no traffic at all.
 */
const MATCH_NOTHING_EGRESS: ec2.CfnSecurityGroup.EgressProperty = {
  ipProtocol: 'icmp',
  cidrIp: '255.255.255.255/32',
  fromPort: 252,
  toPort: 86,
  description: 'Disallow all traffic',
};

export class QuarantineNetwork extends Construct {
  /** Quarantine security group id per VPC id (the QUARANTINE_SECURITY_GROUPS variable of isolate). */
  readonly groupIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: QuarantineNetworkProps) {
    super(scope, id);
    const groupIds: Record<string, string> = {};
    for (const vpcId of new Set(props.vpcIds)) {
      const group = new ec2.CfnSecurityGroup(this, vpcId, {
        vpcId,
        groupDescription: 'shield-right quarantine: no ingress, no egress',
        securityGroupEgress: [MATCH_NOTHING_EGRESS],
      });
      Tags.of(group).add('Name', `shield-right-quarantine-${vpcId}`);
      Tags.of(group).add('shield-right:purpose', 'quarantine');
      groupIds[vpcId] = group.attrGroupId;
    }
    this.groupIds = groupIds;
  }
}
