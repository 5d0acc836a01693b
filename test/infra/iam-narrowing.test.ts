/**
 * Issue 14 defect 8: IAM broader than the code. The synthesized roles must not be able to act outside
 * what the policy allows: no mutating action on `*` or on a whole resource type unless a condition or a
 * Deny narrows it, item writes only under the key prefixes the workflows use, and the protections the
 * configuration declares (protected clusters, exempt repositories, isolation VPCs) enforced by IAM too.
 */
import { parseConfig } from '../../definitions/config';
import { asList, type Statement, type Synthesized, synthesize } from './helpers';
import { conditionNarrows, isMutating, statementsByRole, unnarrowedGrants } from './iam-narrowing';

/**
 * What IAM cannot narrow when the configuration declares nothing to narrow to: with no protected
 * cluster every cluster is in scope, and StopTask offers no key for cluster or service tags (a task's
 * own tags are set by whoever runs the task, so a Deny on them would let an attacker opt out).
 */
const UNNARROWED_WITHOUT_CONFIGURATION: Readonly<Record<string, string>> = {
  'ecs:StopTask task': 'protectedClusters is empty: every cluster of the account is in scope',
};

const DECLARED = parseConfig({
  protectedClusters: ['prod', 'arn:aws:ecs:eu-west-1:111122223333:cluster/payments'],
  quarantineVpcIds: ['vpc-0aaaaaaaaaaaaaaaa'],
  inspector: { exemptRepositories: ['platform/base'] },
  // Security Hub on: its grant (BatchUpdateFindings on the account's hub) must be narrow too.
  securityHub: 'on',
});

const flat = (value: unknown) => JSON.stringify(value);

function roleStatements(s: Synthesized): Statement[] {
  return [...statementsByRole(s.template).values()].flat();
}

function statementsFor(s: Synthesized, action: string, effect: 'Allow' | 'Deny'): Statement[] {
  return roleStatements(s).filter((st) => st.Effect === effect && asList(st.Action).includes(action));
}

describe('IAM enforces the policy (defect 8)', () => {
  let declared: Synthesized;
  let defaults: Synthesized;
  beforeAll(() => {
    declared = synthesize({ config: DECLARED });
    defaults = synthesize();
  });

  it('classifies actions by verb: Describe/List/Get/BatchGet read, everything else mutates', () => {
    expect(['ecs:DescribeTasks', 'ecr:BatchGetImage', 'ec2:GetConsoleOutput'].filter(isMutating)).toEqual([]);
    expect(
      ['ecs:StopTask', 'ecr:BatchDeleteImage', 'dynamodb:DeleteItem', 'ec2:RevokeSecurityGroupIngress'].every(
        isMutating,
      ),
    ).toBe(true);
    expect(conditionNarrows({ ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:r:1:cluster/*' } })).toBe(false);
    expect(conditionNarrows({ ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:r:1:cluster/prod' } })).toBe(true);
  });

  it('with protections declared, no mutating grant on * or a whole resource type is left unnarrowed', () => {
    expect(unnarrowedGrants(declared.template)).toEqual([]);
  });

  it('with the default configuration, only what there is nothing to narrow to is left, by name', () => {
    expect(unnarrowedGrants(defaults.template, UNNARROWED_WITHOUT_CONFIGURATION)).toEqual([]);
  });

  it('denies StopTask, TagResource and UpdateContainerInstancesState in protected clusters', () => {
    for (const [action, type] of [
      ['ecs:StopTask', 'task'],
      ['ecs:TagResource', 'service'],
    ] as const) {
      const text = flat(statementsFor(declared, action, 'Deny'));
      expect(text).toContain(`:${type}/prod/*`);
      expect(text).toContain(`:111122223333:${type}/payments/*`);
    }
    const drain = flat(statementsFor(declared, 'ecs:UpdateContainerInstancesState', 'Deny'));
    expect(drain).toContain('container-instance/prod/*');
    expect(drain).toContain('container-instance/payments/*');
    // StopTask's own condition key, and the task ARN (task/<cluster>/<id>) as a second guard.
    const stop = flat(statementsFor(declared, 'ecs:StopTask', 'Deny'));
    expect(stop).toContain('ecs:cluster');
    expect(stop).toContain(':cluster/prod');
    expect(stop).toContain(':cluster/payments');
    expect(stop).toContain('task/prod/*');
  });

  it('keeps ECR writes off exempt repositories, by name and by the exemption tag', () => {
    for (const action of ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass']) {
      const text = flat(statementsFor(declared, action, 'Deny'));
      expect(text).toContain(':repository/platform/base');
      expect(text).toContain('ecr:ResourceTag/shield-right:exempt');
      expect(text).toContain('aws:ResourceTag/shield-right:exempt');
      // The tag Deny is there without any configured repository.
      expect(flat(statementsFor(defaults, action, 'Deny'))).toContain('ecr:ResourceTag/shield-right:exempt');
    }
  });

  it('revokes security-group rules only in the configured VPCs, never on exempt-tagged groups', () => {
    const allow = statementsFor(declared, 'ec2:RevokeSecurityGroupIngress', 'Allow');
    const onGroups = allow.filter((st) => flat(st.Resource).includes(':security-group/*'));
    expect(onGroups).toHaveLength(1);
    expect(flat(onGroups[0]?.Condition)).toContain('vpc/vpc-0aaaaaaaaaaaaaaaa');
    expect(flat(onGroups[0]?.Condition)).toContain('ec2:Vpc');
    const denyTag = flat(statementsFor(defaults, 'ec2:RevokeSecurityGroupIngress', 'Deny'));
    expect(denyTag).toContain('ec2:ResourceTag/shield-right:exempt');
  });

  it('swaps instance groups only for the quarantine groups, and grants no swap without them', () => {
    const swap = statementsFor(declared, 'ec2:ModifyInstanceAttribute', 'Allow');
    const groupResources = swap
      .flatMap((st) => asList(st.Resource))
      .filter((r) => flat(r).includes('security-group'));
    expect(groupResources.length).toBeGreaterThan(0);
    for (const r of groupResources) expect(flat(r)).not.toContain('security-group/*');
    expect(statementsFor(defaults, 'ec2:ModifyInstanceAttribute', 'Allow')).toEqual([]);
    expect(statementsFor(defaults, 'ecs:UpdateContainerInstancesState', 'Allow')).toEqual([]);
  });

  it('writes table items only under the key prefixes each role uses; deletes only image claims', () => {
    const deletes = statementsFor(declared, 'dynamodb:DeleteItem', 'Allow');
    expect(deletes.length).toBeGreaterThan(0);
    for (const st of deletes) {
      expect(st.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#IMAGE#*'] },
      });
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      for (const st of statementsFor(declared, action, 'Allow')) {
        expect(flat(st.Condition)).toContain('dynamodb:LeadingKeys');
      }
    }
  });
});
