/**
 * The reconciliation schedule and the reconcile function's role (issue 13, deliverable 5): the configured
 * rate, no schedule when it is off, and StartExecution on the two state machines only.
 */
import { Stack } from 'aws-cdk-lib';
import { DEFAULT_CONFIG, parseConfig } from '../../definitions/config';
import { arnOf, asList, logicalId, statementsOfRole, synthesize } from './helpers';

type Json = Record<string, unknown>;

function scheduleRules(template: ReturnType<typeof synthesize>['template']): Json[] {
  return Object.values(template.findResources('AWS::Events::Rule'))
    .map((r) => (r as { Properties: Json }).Properties)
    .filter((p) => p.ScheduleExpression !== undefined);
}

describe('Reconciliation', () => {
  it('runs the reconcile function every reconcile.everyMinutes (default hourly)', () => {
    const byDefault = synthesize({ config: DEFAULT_CONFIG });
    const every15 = synthesize({ config: parseConfig({ reconcile: { everyMinutes: 15 } }) });

    const [rule, ...others] = scheduleRules(byDefault.template);
    expect(others).toEqual([]);
    expect(rule?.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule?.Targets).toEqual([
      expect.objectContaining({ Arn: arnOf(byDefault.shieldRight.functions.functions.reconcile) }),
    ]);
    expect(scheduleRules(every15.template).map((r) => r.ScheduleExpression)).toEqual(['rate(15 minutes)']);
  });

  it('has no schedule when reconcile.everyMinutes is 0 (the function stays for `shield-right reconcile`)', () => {
    const off = synthesize({ config: parseConfig({ reconcile: { everyMinutes: 0 } }) });

    expect(scheduleRules(off.template)).toEqual([]);
    expect(off.shieldRight.reconciliation.schedule).toBeUndefined();
  });

  it('lets the sweep start the two response state machines and nothing else', () => {
    const s = synthesize({ config: DEFAULT_CONFIG });
    const role = s.shieldRight.functions.roles.reconcile;
    const stack = Stack.of(role);

    const start = statementsOfRole(s.template, logicalId(role)).filter((st) =>
      asList(st.Action).includes('states:StartExecution'),
    );

    expect(start).toHaveLength(1);
    const resources = asList(start[0]?.Resource).map((r) => JSON.stringify(stack.resolve(r)));
    expect(resources).toHaveLength(2);
    for (const name of ['RuntimeThreatResponse', 'VulnerableImageResponse']) {
      expect(resources.some((r) => r.includes(`stateMachine:`) && r.includes(name))).toBe(true);
    }
    expect(resources.join(' ')).not.toContain('*');
  });
});
