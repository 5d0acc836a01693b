/**
 * Security Hub permissions (issue 16 item 2): granted only with `securityHub: "on"`, to the Security Hub
 * step only, on this account's hub, and never the SUPPRESSED workflow status (an explicit Deny on the
 * `securityhub:ASFFSyntaxPath/Workflow.Status` condition key), nor, in the newer Security Hub, StatusId 3
 * Suppressed (`securityhub:OCSFSyntaxPath/StatusId`) or a severity (`…/SeverityId` present). The V2 finding
 * calls are authorized by the same two actions (GetFindings, BatchUpdateFindings); DescribeSecurityHubV2 is
 * the one action added. With the default `off`, no role holds any; nor in observe mode, where the workflows
 * are deployed with the Security Hub step switched off (BatchUpdateFindings changes the finding, and observe
 * mode makes no mutating call).
 */
import { parseConfig } from '../../definitions/config';
import { expectedFunctionActions } from './expected-permissions';
import { actionsOf, asList, logicalId, type Synthesized, statementsOfRole, synthesize } from './helpers';
import { statementsByRole } from './iam-narrowing';

const flat = (value: unknown) => JSON.stringify(value);

describe('Security Hub IAM', () => {
  let on: Synthesized;
  let off: Synthesized;
  let observe: Synthesized;
  beforeAll(() => {
    on = synthesize({ config: parseConfig({ securityHub: 'on' }) });
    off = synthesize({ config: parseConfig({}) });
    observe = synthesize({ config: parseConfig({ securityHub: 'on', mode: 'observe' }) });
  });

  /** The `SecurityHub` substitution of every workflow that has one (the IsSecurityHubOn Choice reads it). */
  const securityHubSettings = (s: Synthesized) =>
    Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'))
      .map((r) => (r.Properties.DefinitionSubstitutions as Record<string, unknown>).SecurityHub)
      .filter((v) => v !== undefined);

  it('observe mode with securityHub on: the workflows skip the step and no role may call Security Hub', () => {
    expect(securityHubSettings(on)).toEqual(['on', 'on']);
    expect(securityHubSettings(observe)).toEqual(['off', 'off']);
    const all = [...statementsByRole(observe.template).values()].flat();
    expect(actionsOf(all).filter((a) => a.startsWith('securityhub:'))).toEqual([]);
  });

  it('off: no role of the stack may call Security Hub', () => {
    const all = [...statementsByRole(off.template).values()].flat();
    expect(actionsOf(all).filter((a) => a.startsWith('securityhub:'))).toEqual([]);
    const role = logicalId(off.shieldRight.functions.roles.updateSecurityHub);
    expect(actionsOf(statementsOfRole(off.template, role).filter((s) => s.Effect === 'Allow'))).toEqual(
      expectedFunctionActions('updateSecurityHub'),
    );
  });

  it('on: only the Security Hub step reads and updates findings, in its own hub, never to SUPPRESSED', () => {
    const role = logicalId(on.shieldRight.functions.roles.updateSecurityHub);
    const statements = statementsOfRole(on.template, role);
    expect(actionsOf(statements.filter((s) => s.Effect === 'Allow'))).toEqual(
      expectedFunctionActions('updateSecurityHub', { securityHub: true }),
    );
    const grant = statements.filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).some((a) => a.startsWith('securityhub:')),
    );
    // Finding reads and updates (CSPM and V2 alike) on the account's hub; the V2 enablement read apart.
    const findings = grant.filter((s) => asList(s.Action).includes('securityhub:BatchUpdateFindings'));
    expect(findings).toHaveLength(1);
    expect(asList(findings[0]?.Action).sort()).toEqual([
      'securityhub:BatchUpdateFindings',
      'securityhub:GetFindings',
    ]);
    expect(flat(findings[0]?.Resource)).toContain(':hub/default');
    // The account's own hubs only (the newer Security Hub's id is generated): no other wildcard.
    expect(flat(findings[0]?.Resource).replace(':hubv2/*', '')).not.toContain('*');
    expect(flat(findings[0]?.Resource)).toContain('{"Ref":"AWS::AccountId"},":hubv2/*"');
    // CDK merges it with the other `*` grants (X-Ray): the only Security Hub action there.
    const rest = grant.filter((s) => s !== findings[0]);
    expect(rest.map((s) => s.Resource)).toEqual(['*']);
    expect(actionsOf(rest).filter((a) => a.startsWith('securityhub:'))).toEqual([
      'securityhub:DescribeSecurityHubV2',
    ]);
    const deny = statements.filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      expect.objectContaining({
        Action: 'securityhub:BatchUpdateFindings',
        Condition: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'SUPPRESSED' } },
      }),
      expect.objectContaining({
        Action: 'securityhub:BatchUpdateFindings',
        Condition: { StringEquals: { 'securityhub:OCSFSyntaxPath/StatusId': '3' } },
      }),
      expect.objectContaining({
        Action: 'securityhub:BatchUpdateFindings',
        Condition: { Null: { 'securityhub:OCSFSyntaxPath/SeverityId': 'false' } },
      }),
    ]);
    // No other role (functions, workflows, the member role) holds a Security Hub action.
    const others = [...statementsByRole(on.template).entries()].filter(([id]) => id !== role);
    expect(actionsOf(others.flatMap(([, s]) => s)).filter((a) => a.startsWith('securityhub:'))).toEqual([]);
  });
});
