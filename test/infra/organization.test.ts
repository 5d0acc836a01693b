/**
 * Organization-wide response, infrastructure (issue 16): the member role's template trusts exactly the
 * central account's named roles within the organization and grants the member-account part of their
 * permissions; the central roles may assume only that role name, in the allowed accounts.
 */
import { DEFAULT_CONFIG, parseConfig, type ShieldRightConfig } from '../../definitions/config';
import type { FunctionId } from '../../definitions/functions';
import { centralRoleArn, operatorRoleArn, taskCredentialsRoleArns } from '../../definitions/organization';
import { type TrustPolicy, trustAllows } from '../../local/sandbox/sts';
import { memberRoleTemplate } from '../../scripts/member-template';
import {
  EXPECTED_API_ACTIONS,
  ONLY_WITH_QUARANTINE_GROUPS,
  ONLY_WITH_REVOKE_ON_QUARANTINE,
} from './expected-permissions';
import { asList, logicalId, type Statement, statementsOfRole, synthesize } from './helpers';

const CENTRAL = '111122223333';
const ORG = 'o-abcdefghij';
const REGIONS = ['us-east-1', 'eu-west-1'];
const B = '222233334444';
const C = '333344445555';
const PROTECTED = '444455556666';

type Json = Record<string, unknown>;
const json = JSON.stringify;

/** Resolves the template's Ref/Fn::Join for given parameter values (what CloudFormation does at deploy). */
function resolve(value: unknown, params: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, params));
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Json;
  if (typeof node.Ref === 'string') return params[node.Ref] ?? `<${node.Ref}>`;
  const join = node['Fn::Join'];
  if (Array.isArray(join)) return (resolve(join[1], params) as string[]).join(String(join[0]));
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, params)]));
}

const PARAMS = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': B,
  CentralAccountId: CENTRAL,
  OrganizationId: ORG,
};

function memberRole(
  config: ShieldRightConfig = DEFAULT_CONFIG,
  roleName = 'ShieldRightMemberRole',
): {
  trust: TrustPolicy;
  statements: Statement[];
} {
  const template = memberRoleTemplate(REGIONS, config) as { Resources: Record<string, Json> };
  const entries = Object.entries(template.Resources);
  const [roleId, role] = entries.find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && (r.Properties as Json).RoleName === roleName,
  ) as [string, { Properties: Json }];
  const policies = entries
    .map(([, r]) => r)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify((r.Properties as Json).Roles) === JSON.stringify([{ Ref: roleId }]),
    ) as { Properties: Json }[];
  return {
    trust: resolve(role.Properties.AssumeRolePolicyDocument, PARAMS) as TrustPolicy,
    statements: policies.flatMap(
      (p) => (resolve(p.Properties.PolicyDocument, PARAMS) as { Statement: Statement[] }).Statement,
    ),
  };
}

describe('the ShieldRightMemberRole template', () => {
  const { trust, statements } = memberRole();
  const central = (owner: Parameters<typeof centralRoleArn>[2], region = 'us-east-1', account = CENTRAL) => ({
    arn: centralRoleArn('aws', account, owner, region),
    accountId: account,
    orgId: ORG,
  });

  it.each([
    ['enrich', 'us-east-1'],
    ['isolate', 'eu-west-1'],
    ['enrichImage', 'eu-west-1'],
    ['RuntimeThreatResponse', 'us-east-1'],
    ['VulnerableImageResponse', 'us-east-1'],
    ['memberEcsCall', 'eu-west-1'],
  ] as const)('trusts the central %s role (%s)', (owner, region) => {
    expect(trustAllows(trust, central(owner, region))).toBe(true);
  });

  it('trusts no other central role, no other account, no principal outside the organization', () => {
    expect(trustAllows(trust, central('notify'))).toBe(false);
    expect(trustAllows(trust, central('enrich', 'ap-south-1'))).toBe(false);
    expect(trustAllows(trust, central('enrich', 'us-east-1', '999988887777'))).toBe(false);
    expect(trustAllows(trust, { ...central('enrich'), orgId: 'o-otherorg00' })).toBe(false);
    expect(trustAllows(trust, { arn: `arn:aws:iam::${CENTRAL}:root`, accountId: CENTRAL, orgId: ORG })).toBe(
      false,
    );
  });

  it('grants exactly the member-account actions of the acting roles, none of the central resources', () => {
    const member: FunctionId[] = ['enrich', 'enrichImage', 'isolate', 'quarantine', 'exposure'];
    const expected = new Set([
      // No quarantine group is provisioned in members: no container-instance isolation there (yet).
      ...member
        .flatMap((id) => EXPECTED_API_ACTIONS[id])
        // Signature revocation reads the signatures in the stack's account only (not granted to members yet).
        .filter(
          (a) =>
            !/^(s3|sts|kms|organizations):/.test(a) &&
            !ONLY_WITH_QUARANTINE_GROUPS.has(a) &&
            !ONLY_WITH_REVOKE_ON_QUARANTINE.has(a),
        ),
      'ecs:StopTask',
      'ecs:TagResource',
    ]);
    const granted = new Set(statements.flatMap((s) => asList(s.Action)).filter((a) => !/^xray:/.test(a)));
    expect([...granted].sort()).toEqual([...expected].sort());
  });

  it('as a registry account: the quarantine and its undo (ECR writes) on its repositories only, denied on exempt ones like centrally', () => {
    const writes = ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'];
    const allowed = statements.filter(
      (st) => st.Effect !== 'Deny' && asList(st.Action).some((a) => writes.includes(String(a))),
    );
    expect(allowed.length).toBeGreaterThan(0);
    for (const st of allowed) expect(asList(st.Resource)).toEqual([`arn:aws:ecr:*:${B}:repository/*`]);
    const exempt = memberRole(parseConfig({ inspector: { exemptRepositories: ['base-images'] } })).statements;
    for (const action of writes)
      expect(
        exempt.some(
          (st) =>
            st.Effect === 'Deny' &&
            asList(st.Action).includes(action) &&
            JSON.stringify(st.Resource).includes('repository/base-images'),
        ),
      ).toBe(true);
  });

  it('as a scanned account: the blast-radius scan is read-only listing and describing, in this account', () => {
    // sts:AssumeRole (to get here) and organizations:ListAccounts are the central role's own.
    const scan = EXPECTED_API_ACTIONS.exposure.filter((a) => !/^(sts|organizations):/.test(a));
    expect([...scan].sort()).toEqual(
      expect.arrayContaining(['ecs:DescribeTasks', 'ecs:ListClusters', 'ecs:ListTasks']),
    );
    for (const action of scan) {
      expect(action).toMatch(/^ecs:(List|Describe)/);
      expect(statements.some((st) => st.Effect !== 'Deny' && asList(st.Action).includes(action))).toBe(true);
    }
  });

  it('with revokeOnQuarantine, reads signatures in the member account but gets no Signer permission (revocation is central)', () => {
    const revoking = memberRole(
      parseConfig({
        signing: {
          mode: 'enforce',
          revokeOnQuarantine: true,
          trustedProfiles: [`arn:aws:signer:us-east-1:${CENTRAL}:/signing-profiles/release`],
        },
      }),
    ).statements;
    const actions = revoking.filter((st) => st.Effect !== 'Deny').flatMap((st) => asList(st.Action));
    expect(actions).toEqual(expect.arrayContaining(['ecr:ListImageReferrers', 'ecr:GetDownloadUrlForLayer']));
    expect(actions.filter((a) => String(a).startsWith('signer:'))).toEqual([]);
  });

  it('scopes and conditions StopTask and TagResource like the central workflow role, in the member account', () => {
    const stop = statements.find((s) => s.Action === 'ecs:StopTask');
    expect(stop?.Resource).toBe(`arn:aws:ecs:*:${B}:task/*`);
    expect(stop?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': `arn:aws:ecs:*:${B}:cluster/*` } });
    const tag = statements.find((s) => s.Action === 'ecs:TagResource');
    expect(tag?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['shield-right:incident'] },
    });
    for (const s of statements)
      for (const r of asList(s.Resource)) if (r !== '*') expect(String(r)).toContain(`:${B}:`);
  });

  it("carries the deployment's protections: StopTask and TagResource denied in protected clusters, ECR writes on exempt repositories", () => {
    const protectedOnes = memberRole(
      parseConfig({ protectedClusters: ['prod'], inspector: { exemptRepositories: ['base-images'] } }),
    ).statements;
    const denies = protectedOnes.filter((st) => st.Effect === 'Deny');
    const denied = (action: string, fragment: string) =>
      denies.some((st) => asList(st.Action).includes(action) && JSON.stringify(st).includes(fragment));
    expect(denied('ecs:StopTask', 'cluster/prod')).toBe(true);
    expect(denied('ecs:TagResource', 'prod')).toBe(true);
    expect(denied('ecr:UpdateImageStorageClass', 'repository/base-images')).toBe(true);
    // Without protections configured, none of those Denies by name exist.
    expect(statements.some((st) => st.Effect === 'Deny' && JSON.stringify(st).includes('cluster/prod'))).toBe(
      false,
    );
  });
});

describe('central roles with memberAccountRoleName', () => {
  const config: ShieldRightConfig = {
    ...DEFAULT_CONFIG,
    memberAccountRoleName: 'ShieldRightMemberRole',
    accounts: [B, C],
    protectedAccounts: [PROTECTED],
  };
  const s = synthesize({ config });
  const assumeStatements = (roleId: string) =>
    statementsOfRole(s.template, roleId).filter((st) => asList(st.Action).includes('sts:AssumeRole'));

  it.each(['enrich', 'enrichImage', 'isolate', 'quarantine', 'exposure', 'memberEcsCall'] as const)(
    '%s has a fixed name and may assume only the member role in the allowed accounts',
    (id) => {
      const role = s.shieldRight.functions.roles[id];
      const props = s.template.toJSON().Resources[logicalId(role)].Properties;
      expect(json(props.RoleName)).toContain(`shield-right-${id}-`);
      const statements = assumeStatements(logicalId(role));
      const allowStatement = statements.find((st) => st.Effect === 'Allow');
      const resources = asList(allowStatement?.Resource).map((r) => json(r));
      expect(resources).toHaveLength(2);
      expect(resources.some((r) => r.includes(`:iam::${B}:role/ShieldRightMemberRole`))).toBe(true);
      expect(resources.some((r) => r.includes(`:iam::${C}:role/ShieldRightMemberRole`))).toBe(true);
      const deny = statements.find((st) => st.Effect === 'Deny');
      expect(json(deny?.Resource)).toContain(`:iam::${PROTECTED}:role/*`);
    },
  );

  it.each(['RuntimeThreatResponse', 'VulnerableImageResponse'] as const)(
    'the %s workflow role has a fixed name and may assume the member role (Credentials.RoleArn)',
    (name) => {
      const roleId = logicalId(s.shieldRight.workflows.stateMachines[name].role);
      expect(json(s.template.toJSON().Resources[roleId].Properties.RoleName)).toContain(
        `shield-right-${name}-`,
      );
      expect(assumeStatements(roleId).length).toBeGreaterThan(0);
    },
  );

  it('the memberEcsCall role may do nothing in the central account: only assume the member role', () => {
    const statements = statementsOfRole(s.template, logicalId(s.shieldRight.functions.roles.memberEcsCall));
    const granted = statements
      .filter((st) => st.Effect !== 'Deny')
      .flatMap((st) => asList(st.Action))
      .filter((a) => !/^(logs|xray):/.test(String(a)));
    expect(granted).toEqual(['sts:AssumeRole']);
  });

  it('roles that never act in members may not assume any role', () => {
    for (const id of ['notify', 'validate', 'reconcile', 'reportFailure'] as const)
      expect(assumeStatements(logicalId(s.shieldRight.functions.roles[id]))).toEqual([]);
  });

  it('with a list of accounts the exposure role still lists the organization (accounts outside the list spare the image)', () => {
    const exposure = statementsOfRole(s.template, logicalId(s.shieldRight.functions.roles.exposure));
    expect(exposure.some((st) => asList(st.Action).includes('organizations:ListAccounts'))).toBe(true);
  });

  it('without memberAccountRoleName no role may assume any role', () => {
    const plain = synthesize({ config: DEFAULT_CONFIG });
    // Role trust policies name sts:AssumeRole for their service principals; identity policies must not.
    const policies = Object.values(plain.template.findResources('AWS::IAM::Policy'));
    expect(json(policies)).not.toContain('"sts:AssumeRole"');
  });
});

describe('release across accounts: the member release role and the central operator role', () => {
  const release = memberRole(DEFAULT_CONFIG, 'ShieldRightMemberRole-release');
  const operator = (region = 'us-east-1', account = CENTRAL) => ({
    arn: operatorRoleArn('aws', account, region),
    accountId: account,
    orgId: ORG,
  });

  it('trusts only the central operator roles within the organization, never the roles that act automatically', () => {
    expect(trustAllows(release.trust, operator('us-east-1'))).toBe(true);
    expect(trustAllows(release.trust, operator('eu-west-1'))).toBe(true);
    expect(trustAllows(release.trust, operator('us-east-1', '999988887777'))).toBe(false);
    expect(trustAllows(release.trust, { ...operator(), orgId: 'o-otherorg00' })).toBe(false);
    for (const owner of ['enrich', 'isolate', 'RuntimeThreatResponse'] as const)
      expect(
        trustAllows(release.trust, {
          arn: centralRoleArn('aws', CENTRAL, owner, 'us-east-1'),
          accountId: CENTRAL,
          orgId: ORG,
        }),
      ).toBe(false);
  });

  it('may only undo a containment, in its own account: re-authorize rules, restore images, remove the incident tag', () => {
    const granted = release.statements.flatMap((s) => asList(s.Action)).filter((a) => !/^xray:/.test(a));
    expect([...new Set(granted)].sort()).toEqual(
      [
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ecr:BatchDeleteImage',
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:PutImage',
        'ecr:UpdateImageStorageClass',
        'ecs:UntagResource',
      ].sort(),
    );
    const untag = release.statements.find((s) => s.Action === 'ecs:UntagResource');
    expect(untag?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['shield-right:incident'] },
    });
    for (const s of release.statements)
      for (const r of asList(s.Resource)) expect(String(r)).toContain(`:${B}:`);
  });

  it('the central operator role has a fixed name and may assume only the member release role in the allowed accounts', () => {
    const config: ShieldRightConfig = {
      ...DEFAULT_CONFIG,
      memberAccountRoleName: 'ShieldRightMemberRole',
      accounts: [B, C],
      protectedAccounts: [PROTECTED],
    };
    const s = synthesize({ config });
    const roles = s.template.findResources('AWS::IAM::Role');
    const [roleId] = Object.entries(roles).find(([, r]) =>
      String(JSON.stringify(r.Properties?.RoleName)).includes('shield-right-operator-'),
    ) ?? [''];
    const statements = statementsOfRole(s.template, roleId);
    const allowed = statements.filter((st) => st.Effect === 'Allow');
    expect(allowed.flatMap((st) => asList(st.Action))).toEqual(['sts:AssumeRole']);
    const resources = allowed.flatMap((st) => asList(st.Resource)).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(2);
    expect(resources.every((r) => r.includes('role/ShieldRightMemberRole-release'))).toBe(true);
    const deny = statements.find((st) => st.Effect === 'Deny');
    expect(JSON.stringify(deny?.Resource)).toContain(`:iam::${PROTECTED}:role/*`);
    // Without memberAccountRoleName there is no operator role.
    const plain = synthesize({ config: DEFAULT_CONFIG }).template.findResources('AWS::IAM::Role');
    expect(JSON.stringify(plain)).not.toContain('shield-right-operator-');
  });
});

describe('organization mode: the blast radius lists the organization', () => {
  const s = synthesize({ config: { ...DEFAULT_CONFIG, memberAccountRoleName: 'ShieldRightMemberRole' } });

  it('grants organizations:ListAccounts (read-only, no resource type) to the exposure role only', () => {
    const listing = Object.entries(s.shieldRight.functions.roles).filter(([, role]) =>
      statementsOfRole(s.template, logicalId(role)).some((st) =>
        asList(st.Action).includes('organizations:ListAccounts'),
      ),
    );
    expect(listing.map(([id]) => id)).toEqual(['exposure']);
    const policies = JSON.stringify(s.template.findResources('AWS::IAM::Policy'));
    expect(policies.match(/"organizations:[A-Za-z]+"/g)).toEqual(['"organizations:ListAccounts"']);
  });

  it('the member role never lists the organization', () => {
    const { statements } = memberRole();
    expect(
      statements.flatMap((st) => asList(st.Action)).filter((a) => String(a).startsWith('organizations:')),
    ).toEqual([]);
  });
});

describe("Credentials.RoleArn or the memberEcsCall function, decided by CloudFormation from the stack's partition", () => {
  const template = synthesize({ config: DEFAULT_CONFIG }).template.toJSON() as {
    Conditions: Record<string, Json>;
    Resources: Record<string, { Type: string; Properties: Json }>;
  };
  const machines = Object.values(template.Resources).filter(
    (r) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      json(r.Properties.DefinitionString).includes('InMemberAccountByLambda'),
  );
  const [conditionId, condition] = Object.entries(template.Conditions).find(([id]) =>
    id.includes('TaskCredentialsAvailable'),
  ) as [string, Json];
  /** What CloudFormation makes of the substitution in `partition`: Fn::If on Fn::Equals(AWS::Partition, "aws"). */
  const substituted = (machine: { Properties: Json }, partition: string): string => {
    const [name, whenTrue, whenFalse] = (
      (machine.Properties.DefinitionSubstitutions as Json).TaskCredentialsRoleArns as { 'Fn::If': unknown[] }
    )['Fn::If'] as [string, string, string];
    expect(name).toBe(conditionId);
    const [left, right] = condition['Fn::Equals'] as [Json, string];
    expect(left).toEqual({ Ref: 'AWS::Partition' });
    return partition === right ? whenTrue : whenFalse;
  };
  /** Step Functions' StringMatches: `*` is any run of characters, nothing else is special here. */
  const matches = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

  it('both member workflows carry both paths: the Credentials states and the memberEcsCall states', () => {
    expect(machines).toHaveLength(2);
    const definitions = machines.map((m) => json(m.Properties.DefinitionString)).join();
    for (const state of [
      'StopTaskInMemberAccount',
      'StopTaskInMemberAccountByLambda',
      'TagServiceInMemberAccount',
      'TagServiceInMemberAccountByLambda',
      'StopExposedTaskInMemberAccount',
      'StopExposedTaskInMemberAccountByLambda',
    ])
      expect(definitions).toContain(`\\"${state}\\"`);
  });

  it.each([
    ['aws', true],
    ['aws-us-gov', false],
    ['aws-cn', false],
  ] as const)('in %s a member role ARN takes the Credentials path: %s', (partition, credentials) => {
    const roleArn = `arn:${partition}:iam::${B}:role/ShieldRightMemberRole`;
    for (const machine of machines) {
      const pattern = substituted(machine, partition);
      expect(matches(pattern, roleArn)).toBe(credentials);
      expect(pattern).toBe(taskCredentialsRoleArns(partition));
    }
  });
});
