/**
 * inspector.stopRunningTasks under the same claims and budgets as the runtime workflow (issue 14, the
 * claim/cap part of defect 1): each running task is claimed once with the runtime workflow's claim key and
 * charged one action to its cluster's and the account's budget of the finding's band; the notification
 * lists every stop and every refusal.
 */
import { actionsOf } from '../../bin/commands/incidents';
import { parseConfig } from '../../definitions/config';
import { taskClaimKey } from '../../lambdas/core/incident';
import { type EventResult, type PublishedNotification, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const IMAGE = `${REGISTRY}/${REPOSITORY}@${DIGEST}`;

/** 30 tasks of one service in prod (over the default 10 per cluster) and 2 in batch run the digest. */
const SCENARIO: Scenario = {
  repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.1'], digest: DIGEST }] }],
  tasks: [
    { cluster: 'prod', service: 'payments-api', count: 30, containers: [{ name: 'app', image: IMAGE }] },
    { cluster: 'batch', service: 'settlement', count: 2, containers: [{ name: 'worker', image: IMAGE }] },
  ],
};

const stopping = () => parseConfig({ inspector: { stopRunningTasks: true } });
const critical = () => inspectorEvent({ repository: REPOSITORY, digest: DIGEST, severity: 'CRITICAL' });

function stopCalls(results: readonly EventResult[]): string[] {
  return results
    .flatMap((r) => r.apiCalls)
    .filter((c) => c.service === 'ecs' && c.operation === 'StopTask' && c.error === null)
    .map((c) => String((c.input as { task?: unknown }).task));
}

function emailOf(notification: PublishedNotification | undefined): string {
  if (!notification) throw new Error('no notification was published');
  return (JSON.parse(notification.message) as { email: string }).email;
}

async function taskArns(sim: Simulator, cluster: string): Promise<string[]> {
  const out = (await sim.account.call('ecs', 'ListTasks', { cluster })) as { taskArns?: string[] };
  return out.taskArns ?? [];
}

interface StopEntry {
  readonly status: string;
  readonly taskArn: string;
  readonly reason?: string;
}

function stopsOf(result: EventResult): StopEntry[] {
  const output = result.executions[0]?.output as { results?: { stoppedTasks?: StopEntry[] } } | undefined;
  return output?.results?.stoppedTasks ?? [];
}

describe('inspector.stopRunningTasks: claims and budgets per task', () => {
  it('stops at most the per-cluster budget in a cluster, charges one action per task, and lists every refusal', async () => {
    const sim = new Simulator({ clock: CLOCK, scenario: SCENARIO, config: stopping() });

    const prod = await taskArns(sim, 'prod');

    const result = await sim.processEvent(critical());

    const stopped = stopCalls([result]);
    expect(stopped.filter((t) => prod.includes(t))).toHaveLength(10);
    expect(stopped).toHaveLength(12);
    expect(new Set(stopped).size).toBe(12);
    const entries = stopsOf(result);
    expect(entries.filter((e) => e.status === 'done')).toHaveLength(12);
    expect(entries.filter((e) => e.status === 'capped')).toHaveLength(20);
    expect(entries.find((e) => e.status === 'capped')?.reason).toMatch(/critical budget allows 10 stops/);
    // One action per task stopped, on the critical counters: 10 in prod; 12 stops + 1 quarantine on the account.
    const items = sim.account.dynamodb.items(sim.table);
    const prodCluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
    const prodCounter = items.find((i) => i.pk?.S === `CAP#CLUSTER#${prodCluster}#critical`);
    expect(prodCounter?.actions?.N).toBe('10');
    expect(items.find((i) => i.pk?.S === `CAP#ACCOUNT#${ACCOUNT}#critical`)?.actions?.N).toBe('13');
    // The CLI counts only the tasks this response stopped.
    expect(actionsOf({ stoppedTasks: entries })).toContain('12 running task(s) stopped');
    const email = emailOf(result.notifications[0]);
    expect(email).toMatch(
      /Stop running tasks: 32 tasks the guard allows — 12 stopped, 20 not stopped: blast-radius limit/,
    );
  });

  it('never stops a task the runtime workflow already claimed, and says so', async () => {
    const sim = new Simulator({ clock: CLOCK, scenario: SCENARIO, config: stopping() });
    const [claimedTask] = await taskArns(sim, 'batch');
    if (!claimedTask) throw new Error('the scenario has no batch task');
    await sim.account.call('dynamodb', 'PutItem', {
      TableName: sim.table,
      Item: { pk: { S: taskClaimKey(claimedTask, true) }, incidentId: { S: 'runtime-incident' } },
    });

    const result = await sim.processEvent(critical());

    expect(stopCalls([result])).not.toContain(claimedTask);
    const entry = stopsOf(result).find((e) => e.taskArn === claimedTask);
    expect(entry?.status).toBe('already-done');
    expect(emailOf(result.notifications[0])).toMatch(/1 already stopped by another response/);
  });

  it('a runtime finding and the image finding on the same task at once stop it once', async () => {
    const sim = new Simulator({ clock: CLOCK, scenario: SCENARIO, config: stopping() });
    const [task] = await taskArns(sim, 'batch');
    const taskId = task?.split('/').pop() ?? '';

    const results = await Promise.all([
      sim.processEvent(critical()),
      sim.processEvent(
        runtimeEvent({
          id: 'runtime-on-batch',
          cluster: 'batch',
          taskId,
          service: 'settlement',
          severity: 8,
        }),
      ),
    ]);

    expect(stopCalls(results).filter((t) => t === task)).toHaveLength(1);
  });
});

describe('vulnerable images under the band budgets', () => {
  it('holds back a Critical image past the account budget of its band, with one notice per window', async () => {
    const digests = ['e1', 'e2', 'e3'].map((d) => `sha256:${d.repeat(32)}`);
    const sim = new Simulator({
      clock: CLOCK,
      config: parseConfig({ blastRadius: { severityBudgets: { critical: { perAccount: 1 } } } }),
      scenario: {
        repositories: [
          { name: REPOSITORY, images: digests.map((digest, i) => ({ tags: [`v${i}`], digest })) },
        ],
      },
    });

    const results: EventResult[] = [];
    for (const digest of digests)
      results.push(
        await sim.processEvent(inspectorEvent({ repository: REPOSITORY, digest, severity: 'CRITICAL' })),
      );

    expect(results.map((r) => r.notifications.map((n) => n.attributes.action).join())).toEqual([
      'image-quarantined',
      'cap-reached',
      '',
    ]);
    expect(results[2]?.executions[0]?.states).toContain('CapNoticeNotDue');
    const statuses = sim.account.dynamodb
      .items(sim.table)
      .filter((i) => i.pk?.S?.startsWith('INCIDENT#'))
      .map((i) => i.status?.S)
      .sort();
    expect(statuses).toEqual(['CAP_REACHED', 'CAP_REACHED', 'QUARANTINED']);
  });
});
