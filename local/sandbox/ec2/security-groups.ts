/**
 * Security groups and their rules: describing them, authorizing and revoking rules (all-or-nothing, one rule
 * per peer, duplicates refused), and folding rules back into the `IpPermissions` AWS returns.
 */
import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  IpPermission,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { hexId } from '../shared';
import { AwsError } from '../types';
import { exactValues, matchesFilters, paginate } from './filters';
import type { RuleRecord, RuleSpec, SecurityGroupRecord } from './records';
import {
  canonicalCidr4,
  canonicalCidr6,
  groupNameNotFound,
  normalizePorts,
  normalizeProtocol,
  requireId,
  ruleIdNotFound,
  ruleKey,
} from './rules';
import { Ec2Store } from './store';

export class Ec2SecurityGroups extends Ec2Store {
  protected describeSecurityGroups(input: DescribeSecurityGroupsRequest): DescribeSecurityGroupsResult {
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

  protected describeSecurityGroupRules(
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

  protected authorize(
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

  protected revoke(
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

  protected requestedPermissions(
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
  protected expand(permission: IpPermission, group: SecurityGroupRecord): RuleSpec[] {
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

  protected addRule(group: SecurityGroupRecord, isEgress: boolean, spec: RuleSpec): RuleRecord {
    const rule: RuleRecord = {
      ...spec,
      ruleId: `sgr-${hexId(this.ctx, 'sgr', 17)}`,
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

  protected ruleView(rule: RuleRecord): SecurityGroupRule {
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
  protected permissions(group: SecurityGroupRecord, isEgress: boolean): IpPermission[] {
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

  protected groupView(group: SecurityGroupRecord): SecurityGroup {
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
}
