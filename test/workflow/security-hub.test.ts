/**
 * Security Hub wired into both response workflows (issue 16, item 2), offline end to end: with
 * `securityHub: "on"` each response updates the Security Hub copy of its GuardDuty or Inspector finding
 * once (workflow status NOTIFIED and a note naming the incident), a repeat updates the note and never moves
 * the status back, a finding not imported yet is looked up again, and any Security Hub failure is recorded
 * on the incident while the execution still succeeds. With the default `off`, Security Hub is never called.
 */
import { parseConfig } from '../../definitions/config';
import { releaseIncident } from '../../lambdas/actions/release-image';
import { productArn } from '../../lambdas/core/security-hub';
import { type EventResult, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { mutatingCalls } from '../../local/report';
import { runInSandbox } from '../../local/sandbox/transport';
import { AwsError } from '../../local/sandbox/types';
import { failCalls } from '../helpers/faults';
import { sandboxReleaseDeps } from '../helpers/release-deps';
import { callsTo, execution, FINDING_ID, inputOf, TASK_ID } from '../helpers/runtime-response';

const ON = parseConfig({ securityHub: 'on' });
const GD_PRODUCT = productArn('guardduty', 'aws', REGION);
const INSPECTOR_PRODUCT = productArn('inspector2', 'aws', REGION);
const GD_ARN = (event: Record<string, unknown>) => String((event.detail as { arn: string }).arn);
const INSPECTOR_ARN = (event: Record<string, unknown>) =>
  String((event.detail as { findingArn: string }).findingArn);

const high = (count = 1) => runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count });

function simulator(scenario?: Scenario, config = ON): Simulator {
  return new Simulator({ config, ...(scenario ? { scenario } : {}) });
}

async function incidentItem(sim: Simulator, incidentId: string): Promise<Record<string, { S?: string }>> {
  const out = (await sim.account.call('dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${incidentId}` } },
    ConsistentRead: true,
  })) as { Item?: Record<string, { S?: string }> };
  return out.Item ?? {};
}

const updates = (result: EventResult) =>
  callsTo(result, 'securityhub', 'BatchUpdateFindings').filter((c) => c.error === null);

describe('Security Hub on: the runtime workflow', () => {
  it('sets NOTIFIED and a note naming the incident and what was done, once, after the notification', async () => {
    const sim = simulator();
    const event = high();

    const result = await sim.processEvent(event);

    expect(execution(result).status).toBe('SUCCEEDED');
    const [update, ...more] = updates(result);
    expect(more).toEqual([]);
    const input = inputOf(update);
    expect(input.FindingIdentifiers).toEqual([{ Id: GD_ARN(event), ProductArn: GD_PRODUCT }]);
    expect(input.Workflow).toEqual({ Status: 'NOTIFIED' });
    // After the containment and its notification: off the critical path.
    const stop = callsTo(result, 'ecs', 'StopTask')[0];
    const publish = callsTo(result, 'sns', 'Publish')[0];
    expect(stop?.endSeq).toBeLessThan(update?.startSeq ?? 0);
    expect(publish?.endSeq).toBeLessThan(update?.startSeq ?? 0);
    const stored = sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT);
    expect(stored?.Workflow.Status).toBe('NOTIFIED');
    expect(stored?.Note?.Text).toContain(`shield-right incident ${FINDING_ID}`);
    expect(stored?.Note?.Text).toContain('task stopped (contained)');
    expect(stored?.Note?.UpdatedBy).toBe('shield-right');
    expect(stored?.UserDefinedFields?.['shield-right:incident']).toBe(FINDING_ID);
    expect(stored?.UserDefinedFields?.['shield-right:evidence']).toMatch(
      new RegExp(`^s3://${sim.bucket}/incidents/${FINDING_ID}/.+/evidence\\.json$`),
    );
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^updated: Security Hub CSPM NOTIFIED · .+ \| Security Hub \(OCSF\) not enabled · /,
    );
  });

  it('a repeat updates the note only; a status a person moved on (RESOLVED) is never moved back', async () => {
    const sim = simulator();
    const event = high(1);
    await sim.processEvent(event);
    const firstNote = sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT)?.Note?.Text;

    const repeat = await sim.processEvent(high(2));

    expect(execution(repeat).status).toBe('SUCCEEDED');
    const [noteOnly] = updates(repeat);
    expect(inputOf(noteOnly).Workflow).toBeUndefined();
    const stored = sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT);
    expect(stored?.Workflow.Status).toBe('NOTIFIED');
    expect(stored?.Note?.Text).toContain('finding seen again');
    expect(stored?.Note?.Text).not.toBe(firstNote);

    // A person resolves it in Security Hub; the finding occurs again: still RESOLVED.
    await sim.account.call('securityhub', 'BatchUpdateFindings', {
      FindingIdentifiers: [{ Id: GD_ARN(event), ProductArn: GD_PRODUCT }],
      Workflow: { Status: 'RESOLVED' },
    });
    const again = await sim.processEvent(high(3));
    expect(inputOf(updates(again)[0]).Workflow).toBeUndefined();
    expect(sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
  });

  it('looks a finding Security Hub has not imported yet up again, then updates it', async () => {
    const sim = simulator({ securityHubImport: 2 });
    const event = high();

    const result = await sim.processEvent(event);

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'securityhub', 'GetFindings')).toHaveLength(3);
    expect(updates(result)).toHaveLength(1);
    expect(sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT)?.Workflow.Status).toBe('NOTIFIED');
  });

  it('records a finding never imported on the incident after bounded retries; the execution succeeds', async () => {
    const sim = simulator({ securityHubImport: 'never' });

    const result = await sim.processEvent(high());

    expect(execution(result).status).toBe('SUCCEEDED');
    // The first lookup and three retries (statemachines: UpdateSecurityHub's Retry), no update.
    expect(callsTo(result, 'securityhub', 'GetFindings')).toHaveLength(4);
    expect(updates(result)).toEqual([]);
    expect(execution(result).states).toContain('RecordSecurityHubFailure');
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^failed: \{"Error":"FindingNotInSecurityHub"/,
    );
    // The response itself is untouched: contained.
    expect((await incidentItem(sim, FINDING_ID)).status?.S).toBe('CONTAINED');
  });

  it('records AccessDenied on the incident (shown by shield-right incident); the execution succeeds', async () => {
    const sim = simulator();
    failCalls(
      sim,
      (service, operation) => service === 'securityhub' && operation === 'BatchUpdateFindings',
      new AwsError('AccessDeniedException', 'not the Security Hub administrator of this account', {
        statusCode: 403,
      }),
    );

    const result = await sim.processEvent(high());

    expect(execution(result).status).toBe('SUCCEEDED');
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^failed: Security Hub CSPM AccessDeniedException: /,
    );
    expect((await incidentItem(sim, FINDING_ID)).status?.S).toBe('CONTAINED');
  });
});

describe('Security Hub on: shield-right release', () => {
  it('resolves the finding the response reached (RESOLVED, note naming who released it)', async () => {
    const sim = simulator();
    const event = high();
    await sim.processEvent(event);

    const released = await runInSandbox(sim.account, () =>
      releaseIncident(
        sandboxReleaseDeps(sim, () => Date.now()),
        { incidentId: FINDING_ID, actor: 'alice' },
      ),
    );

    expect(released.released).toBe(true);
    expect(released.steps.find((s) => s.action === 'resolve-security-hub-finding')).toMatchObject({
      target: GD_ARN(event),
      status: 'done',
    });
    const stored = sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT);
    expect(stored?.Workflow.Status).toBe('RESOLVED');
    expect(stored?.Note?.Text).toContain('released by an operator');
    expect(stored?.Note?.Text).toContain('alice');
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^updated: Security Hub CSPM RESOLVED · /,
    );
  });

  it('does not touch Security Hub when the response never reached it (securityHub off)', async () => {
    const sim = simulator(undefined, parseConfig({}));
    await sim.processEvent(high());
    const before = sim.account.securityhub.snapshot();

    const released = await runInSandbox(sim.account, () =>
      releaseIncident(
        sandboxReleaseDeps(sim, () => Date.now()),
        { incidentId: FINDING_ID, actor: 'alice' },
      ),
    );

    expect(released.released).toBe(true);
    expect(released.steps.map((s) => s.action)).not.toContain('resolve-security-hub-finding');
    expect(sim.account.securityhub.snapshot()).toEqual(before);
  });
});

describe('Security Hub on: the vulnerable-image workflow', () => {
  it('sets NOTIFIED with the quarantine in the note on the Inspector finding', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const sim = simulator({ repositories: [{ name: 'payments-api', images: [{ tags: ['v1'], digest }] }] });
    const event = inspectorEvent({ digest });

    const result = await sim.processEvent(event);

    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(updates(result)).toHaveLength(1);
    const stored = sim.account.securityhub.finding(INSPECTOR_ARN(event), INSPECTOR_PRODUCT);
    expect(stored?.AwsAccountId).toBe(ACCOUNT);
    expect(stored?.Workflow.Status).toBe('NOTIFIED');
    expect(stored?.Note?.Text).toContain('image digest quarantined');
  });
});

describe('Security Hub on, observe mode', () => {
  it('makes no Security Hub call (BatchUpdateFindings is mutating) and no mutating call at all', async () => {
    const digest = `sha256:${'cd'.repeat(32)}`;
    const sim = new Simulator({
      config: ON,
      mode: 'observe',
      scenario: { repositories: [{ name: 'payments-api', images: [{ tags: ['v1'], digest }] }] },
    });

    const runtime = await sim.processEvent(high());
    const image = await sim.processEvent(inspectorEvent({ digest }));

    for (const result of [runtime, image]) {
      expect(result.notifications.length).toBeGreaterThan(0);
      expect(callsTo(result, 'securityhub', 'BatchUpdateFindings')).toEqual([]);
      expect(mutatingCalls(result.apiCalls)).toEqual([]);
      for (const run of result.executions) {
        expect(run.status).toBe('SUCCEEDED');
        expect(run.states).not.toContain('UpdateSecurityHub');
      }
    }
    // The findings are in Security Hub (imported), untouched: no note, status as imported.
    const stored = sim.account.securityhub.finding(GD_ARN(high()), GD_PRODUCT);
    expect(stored?.Workflow.Status).toBe('NEW');
    expect(stored?.Note).toBeUndefined();
  });
});

describe('Security Hub off (the default)', () => {
  it('makes no Security Hub call at all and runs no Security Hub step', async () => {
    const sim = simulator(undefined, parseConfig({}));

    const runtime = await sim.processEvent(high());
    const image = await sim.processEvent(inspectorEvent());

    for (const result of [runtime, image]) {
      expect(result.apiCalls.filter((c) => c.service === 'securityhub')).toEqual([]);
      for (const run of result.executions) {
        expect(run.status).toBe('SUCCEEDED');
        expect(run.states).not.toContain('UpdateSecurityHub');
      }
    }
  });
});
