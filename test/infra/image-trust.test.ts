/**
 * The ImageTrustRule, the ImageTrustResponse workflow and the least privilege of its functions (issue 15):
 * the rule exists only when signing.mode is not off, with the other rules' DLQ and retry policy; the
 * verifier reads ECR and asks Signer for revocation, never revokes; its only item writes are the verdict cache.
 */
import { parseConfig } from '../../definitions/config';
import { imageTrustPattern } from '../../definitions/patterns';
import { actionsOf, arnOf, asList, logicalId, ref, statementsOfRole, synthesize } from './helpers';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';

describe('ImageTrustRule and ImageTrustResponse', () => {
  const enforce = synthesize({
    config: parseConfig({ signing: { mode: 'enforce', trustedProfiles: [TRUSTED] } }),
  });
  const off = synthesize({ config: parseConfig({}) });

  it('deploys the rule with the ECS Task State Change pattern, the DLQ and retry policy of the other rules', () => {
    const { shieldRight, template } = enforce;
    const rules = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const trust = shieldRight.findingRules.rules.ImageTrustRule;
    const push = shieldRight.findingRules.rules.ImagePushRule;
    expect(trust).toBeDefined();
    if (!trust || !push) return;
    const props = rules[logicalId(trust)]?.Properties ?? {};
    expect(props.EventPattern).toEqual(imageTrustPattern());
    const [target] = props.Targets as Record<string, unknown>[];
    const [pushTarget] = (rules[logicalId(push)]?.Properties.Targets ?? []) as Record<string, unknown>[];
    expect(target?.Arn).toEqual(ref(shieldRight.stateMachines.ImageTrustResponse));
    expect(target?.DeadLetterConfig).toEqual({ Arn: arnOf(shieldRight.findingRules.deadLetterQueue) });
    expect(target?.RetryPolicy).toEqual(pushTarget?.RetryPolicy);
  });

  it('does not deploy the rule when signing.mode is off', () => {
    expect(off.shieldRight.findingRules.rules.ImageTrustRule).toBeUndefined();
    const patterns = Object.values(
      off.template.findResources('AWS::Events::Rule') as Record<
        string,
        { Properties: { EventPattern?: unknown } }
      >,
    ).map((r) => r.Properties.EventPattern);
    expect(patterns).not.toContainEqual(imageTrustPattern());
  });

  it('grants the verifier ECR reads, GetRevocationStatus and cache writes under TRUST# only; never RevokeSignature', () => {
    const { shieldRight, template } = enforce;
    const role = shieldRight.functions.functions.verifyImages.role;
    if (!role) throw new Error('verifyImages has no role');
    const statements = statementsOfRole(template, logicalId(role));
    const actions = actionsOf(statements);
    expect(actions).toEqual(
      expect.arrayContaining([
        'signer:GetRevocationStatus',
        'ecr:ListImageReferrers',
        'ecr:DescribeImageSigningStatus',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
      ]),
    );
    expect(actions.filter((a) => a.startsWith('signer:'))).toEqual(['signer:GetRevocationStatus']);
    expect(actions.filter((a) => /^(ecr|ecs):(?!Describe|List|BatchGet|Get)/.test(a))).toEqual([]);
    const update = statements.find((s) => asList(s.Action).includes('dynamodb:UpdateItem'));
    expect(update?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TRUST#*'] },
    });
    for (const [, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      const doc = (
        policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }
      ).Properties.PolicyDocument;
      expect(doc.Statement.flatMap((s) => asList(s.Action))).not.toContain('signer:RevokeSignature');
    }
  });

  it('lets the workflow write only its incident, the task claim, the cap counters and the notice item, stop tasks and tag services', () => {
    const { shieldRight, template } = enforce;
    const machine = shieldRight.stateMachines.ImageTrustResponse;
    const statements = statementsOfRole(template, logicalId(machine.role));
    const put = statements.find((s) => asList(s.Action).includes('dynamodb:PutItem'));
    expect(put?.Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['INCIDENT#*', 'CLAIM#TASK#*', 'CAP#*', 'CAPNOTICE#*'],
      },
    });
    expect(actionsOf(statements).filter((a) => a.startsWith('ecs:'))).toEqual([
      'ecs:StopTask',
      'ecs:TagResource',
    ]);
  });
});
