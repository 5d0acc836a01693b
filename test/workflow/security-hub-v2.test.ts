/**
 * Security Hub (the newer one, OCSF) in both response workflows, offline end to end (issue 16: "support the
 * one the account has enabled, or both"): with `securityHub: "on"` the response updates whichever Security
 * Hub holds the finding, the incident records the status held in each, the release resolves each copy the
 * response reached, and an account with neither enabled is recorded as not updated without a retry loop.
 */
import { parseConfig } from '../../definitions/config';
import { releaseIncident } from '../../lambdas/actions/release-image';
import { productArn } from '../../lambdas/core/security-hub';
import { type EventResult, Simulator } from '../../local/engine';
import { inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { runInSandbox } from '../../local/sandbox/transport';
import { sandboxReleaseDeps } from '../helpers/release-deps';
import { callsTo, execution, FINDING_ID, inputOf, TASK_ID } from '../helpers/runtime-response';

const ON = parseConfig({ securityHub: 'on' });
const GD_PRODUCT = productArn('guardduty', 'aws', REGION);
const GD_ARN = (event: Record<string, unknown>) => String((event.detail as { arn: string }).arn);

const high = (count = 1) => runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count });

function simulator(scenario: Scenario): Simulator {
  return new Simulator({ config: ON, scenario });
}

async function incidentItem(sim: Simulator, incidentId: string): Promise<Record<string, { S?: string }>> {
  const out = (await sim.account.call('dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${incidentId}` } },
    ConsistentRead: true,
  })) as { Item?: Record<string, { S?: string }> };
  return out.Item ?? {};
}

const succeeded = (result: EventResult, operation: string) =>
  callsTo(result, 'securityhub', operation).filter((c) => c.error === null);

describe('Security Hub on, only the newer Security Hub (OCSF) enabled', () => {
  it('updates the OCSF copy to In Progress with the comment, by the uid it returned; CSPM is not called further', async () => {
    const sim = simulator({ securityHubEnabled: 'v2' });
    const event = high();

    const result = await sim.processEvent(event);

    expect(execution(result).status).toBe('SUCCEEDED');
    const [update, ...more] = succeeded(result, 'BatchUpdateFindingsV2');
    expect(more).toEqual([]);
    const stored = sim.account.securityhub.v2.byFindingUid(GD_ARN(event));
    expect(inputOf(update)).toMatchObject({ MetadataUids: [stored?.metadata.uid], StatusId: 2 });
    expect(stored).toMatchObject({ status_id: 2, status: 'In Progress' });
    expect(stored?.comment).toContain(`shield-right incident ${FINDING_ID}`);
    expect(stored?.comment).toContain('task stopped (contained)');
    // CSPM answered "not subscribed" once: no update, no retry.
    expect(callsTo(result, 'securityhub', 'GetFindings').map((c) => c.error)).toEqual([
      'InvalidAccessException',
    ]);
    expect(callsTo(result, 'securityhub', 'BatchUpdateFindings')).toEqual([]);
    const item = await incidentItem(sim, FINDING_ID);
    expect(item.securityHub?.S).toMatch(
      /^updated: Security Hub CSPM not enabled \| Security Hub \(OCSF\) In Progress \(2\) · /,
    );
    expect(JSON.parse(item.securityHubFinding?.S ?? '{}')).toMatchObject({
      v2: { MetadataUid: stored?.metadata.uid },
    });
    expect(JSON.parse(item.securityHubFinding?.S ?? '{}')).not.toHaveProperty('Id');
  });

  it('a repeat updates the comment only; shield-right release resolves the copy (Resolved, 4)', async () => {
    const sim = simulator({ securityHubEnabled: 'v2' });
    const event = high(1);
    await sim.processEvent(event);
    const repeat = await sim.processEvent(high(2));
    expect(inputOf(succeeded(repeat, 'BatchUpdateFindingsV2')[0])).not.toHaveProperty('StatusId');
    expect(sim.account.securityhub.v2.byFindingUid(GD_ARN(event))?.comment).toContain('finding seen again');

    const released = await runInSandbox(sim.account, () =>
      releaseIncident(
        sandboxReleaseDeps(sim, () => Date.now()),
        { incidentId: FINDING_ID, actor: 'alice' },
      ),
    );

    expect(released.released).toBe(true);
    expect(released.steps.filter((s) => s.action === 'resolve-security-hub-finding')).toEqual([
      expect.objectContaining({
        status: 'done',
        target: sim.account.securityhub.v2.byFindingUid(GD_ARN(event))?.metadata.uid,
        detail: 'Security Hub (OCSF): status Resolved (4)',
      }),
    ]);
    const stored = sim.account.securityhub.v2.byFindingUid(GD_ARN(event));
    expect(stored).toMatchObject({ status_id: 4, status: 'Resolved' });
    expect(stored?.comment).toContain('alice');
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^updated: Security Hub CSPM not reached by the response \| Security Hub \(OCSF\) Resolved \(4\) · /,
    );
  });

  it('looks a finding the newer Security Hub has not imported yet up again, then updates it', async () => {
    const sim = simulator({ securityHubEnabled: 'v2', securityHubImport: 2 });
    const event = high();

    const result = await sim.processEvent(event);

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'securityhub', 'GetFindingsV2')).toHaveLength(3);
    expect(succeeded(result, 'BatchUpdateFindingsV2')).toHaveLength(1);
    expect(sim.account.securityhub.v2.byFindingUid(GD_ARN(event))?.status_id).toBe(2);
  });
});

describe('Security Hub on, both enabled', () => {
  it('updates both copies and the incident names the status held in each; the release resolves both', async () => {
    const sim = simulator({ securityHubEnabled: 'both' });
    const event = high();

    const result = await sim.processEvent(event);

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(succeeded(result, 'BatchUpdateFindings')).toHaveLength(1);
    expect(succeeded(result, 'BatchUpdateFindingsV2')).toHaveLength(1);
    expect((await incidentItem(sim, FINDING_ID)).securityHub?.S).toMatch(
      /^updated: Security Hub CSPM NOTIFIED · .+ \| Security Hub \(OCSF\) In Progress \(2\) · /,
    );

    const released = await runInSandbox(sim.account, () =>
      releaseIncident(
        sandboxReleaseDeps(sim, () => Date.now()),
        { incidentId: FINDING_ID, actor: 'alice' },
      ),
    );

    expect(
      released.steps.filter((s) => s.action === 'resolve-security-hub-finding').map((s) => s.status),
    ).toEqual(['done', 'done']);
    expect(sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
    expect(sim.account.securityhub.v2.byFindingUid(GD_ARN(event))?.status_id).toBe(4);
  });

  it('the vulnerable-image workflow updates both copies of the Inspector finding', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const sim = simulator({
      securityHubEnabled: 'both',
      repositories: [{ name: 'payments-api', images: [{ tags: ['v1'], digest }] }],
    });
    const event = inspectorEvent({ digest });

    const result = await sim.processEvent(event);

    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    const arn = String((event.detail as { findingArn: string }).findingArn);
    expect(sim.account.securityhub.v2.byFindingUid(arn)).toMatchObject({ status_id: 2 });
    expect(sim.account.securityhub.v2.byFindingUid(arn)?.comment).toContain('image digest quarantined');
  });
});

describe('Security Hub on: an incident recorded before Security Hub V2 support', () => {
  it('is released as before: its CSPM identifiers (the old securityHubFinding shape) are resolved', async () => {
    const sim = simulator({ securityHubEnabled: 'both' });
    const event = high();
    await sim.processEvent(event);
    const legacy = {
      source: 'guardduty',
      Id: GD_ARN(event),
      ProductArn: GD_PRODUCT,
      accountId: sim.account.accountId,
      partition: 'aws',
      region: REGION,
    };
    await sim.account.call('dynamodb', 'UpdateItem', {
      TableName: sim.table,
      Key: { pk: { S: `INCIDENT#${FINDING_ID}` } },
      UpdateExpression: 'SET securityHubFinding = :ref',
      ExpressionAttributeValues: { ':ref': { S: JSON.stringify(legacy) } },
    });

    const released = await runInSandbox(sim.account, () =>
      releaseIncident(
        sandboxReleaseDeps(sim, () => Date.now()),
        { incidentId: FINDING_ID, actor: 'alice' },
      ),
    );

    expect(released.steps.filter((s) => s.action === 'resolve-security-hub-finding')).toEqual([
      expect.objectContaining({ status: 'done', target: GD_ARN(event) }),
    ]);
    expect(sim.account.securityhub.finding(GD_ARN(event), GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
    // The OCSF copy was not recorded as reached: left as the response set it.
    expect(sim.account.securityhub.v2.byFindingUid(GD_ARN(event))?.status_id).toBe(2);
  });
});

describe('Security Hub on, neither enabled', () => {
  it('records "not updated" with the reason, no retry loop; the execution succeeds', async () => {
    const sim = simulator({ securityHubEnabled: 'none' });

    const result = await sim.processEvent(high());

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(execution(result).states).not.toContain('RecordSecurityHubFailure');
    // One look in each, no lookup again.
    expect(callsTo(result, 'securityhub', 'GetFindings')).toHaveLength(1);
    expect(callsTo(result, 'securityhub', 'GetFindingsV2')).toHaveLength(1);
    expect(callsTo(result, 'securityhub', 'BatchUpdateFindings')).toEqual([]);
    expect(callsTo(result, 'securityhub', 'BatchUpdateFindingsV2')).toEqual([]);
    const item = await incidentItem(sim, FINDING_ID);
    expect(item.securityHub?.S).toMatch(
      /^not updated: neither Security Hub CSPM nor Security Hub is enabled in this account and Region: /,
    );
    expect(item.securityHubFinding).toBeUndefined();
    expect(item.status?.S).toBe('CONTAINED');
  });
});
