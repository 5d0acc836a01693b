/**
 * `npm run member-template [-- --config FILE --regions us-east-1,eu-west-1 --role-name ShieldRightMemberRole]`
 * (defaults: the configuration's regions and memberAccountRoleName): writes
 * dist/member-role.template.json, the CloudFormation template of ShieldRightMemberRole to roll out to member
 * accounts with a StackSet (parameters: CentralAccountId, OrganizationId). Deploy the StackSet in one Region
 * (IAM roles are global); list every Region shield-right is deployed in with --regions. The member role
 * carries the deployment's protections (protected clusters, exemption tag, exempt repositories, isolation
 * VPCs): `--config` is the deployment's configuration (default: the `shield-right` context of ./cdk.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App, CfnOutput, CfnParameter, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../bin/cli-support';
import { DEFAULT_MEMBER_ROLE_NAME, ShieldRightMemberRole } from '../cdk/constructs/member-role';
import type { ShieldRightConfig } from '../definitions/config';
import { PACKAGE_ROOT } from '../definitions/package-root';

export function memberRoleTemplate(
  regions: readonly string[],
  config: ShieldRightConfig,
  roleName = DEFAULT_MEMBER_ROLE_NAME,
): unknown {
  const app = new App();
  // No bootstrap resources: a StackSet deploys the template as is.
  const stack = new Stack(app, 'ShieldRightMemberRole', {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const central = new CfnParameter(stack, 'CentralAccountId', {
    type: 'String',
    allowedPattern: '^\\d{12}$',
    description: 'The account shield-right is deployed in (the delegated administrator)',
  });
  const organization = new CfnParameter(stack, 'OrganizationId', {
    type: 'String',
    allowedPattern: '^o-[a-z0-9]{10,32}$',
    description: "The organization's id (o-…)",
  });
  const member = new ShieldRightMemberRole(stack, 'Member', {
    centralAccountId: central.valueAsString,
    organizationId: organization.valueAsString,
    regions,
    roleName,
    config,
  });
  new CfnOutput(stack, 'MemberRoleArn', { value: member.role.roleArn });
  new CfnOutput(stack, 'MemberReleaseRoleArn', { value: member.releaseRole.roleArn });
  return Template.fromStack(stack).toJSON();
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      regions: { type: 'string' },
      'role-name': { type: 'string' },
      config: { type: 'string' },
    },
  });
  const config = loadConfig(values.config);
  // --regions, else the configuration's regions, else us-east-1.
  const listed = values.regions ?? (config.regions.length > 0 ? config.regions.join(',') : 'us-east-1');
  const regions = listed.split(',').filter((r) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (regions.length === 0) throw new Error('--regions: expected Region names like us-east-1,eu-west-1');
  const out = join(PACKAGE_ROOT, 'dist', 'member-role.template.json');
  mkdirSync(join(PACKAGE_ROOT, 'dist'), { recursive: true });
  const template = memberRoleTemplate(regions, config, values['role-name'] ?? config.memberAccountRoleName);
  writeFileSync(out, `${JSON.stringify(template, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
