/**
 * Issue 13 (deliverables 4 and 5), offline: the reconciliation sweep (the deployed handler, run by the
 * engine) against the sandbox's Inspector, GuardDuty, ECS and incident table.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parseConfig, type ShieldRightConfig } from '../../definitions/config';
import type { ReconcileReport } from '../../lambdas/actions/reconcile';
import { imageIncidentId } from '../../lambdas/core/vulnerability';
import { type PublishedNotification, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import { provisionFromEvent, type Scenario } from '../../local/provision';

// The first sweep loads every handler and SDK client in-process: slow on a shared machine, not a measure.
jest.setTimeout(60_000);

const NOW = Date.UTC(2026, 10, 28, 12, 0);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const NEW_DIGEST = `sha256:${'cd'.repeat(32)}`;
const INCIDENT = imageIncidentId(DIGEST);
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const CVE = 'CVE-2026-0001';
const HOUR = 3_600_000;

type Json = Record<string, unknown>;

function scenario(): Scenario {
  return {
    repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.1'], digest: DIGEST }] }],
    tasks: [
      {
        cluster: 'prod',
        service: 'payments-api',
        containers: [{ name: 'app', image: `${REGISTRY}/${REPOSITORY}@${DIGEST}` }],
      },
    ],
  };
}

/** An Inspector event as the rule delivers it, its timestamps in the API's ISO form. */
function imageEvent(
  options: {
    digest?: string;
    cve?: string;
    severity?: 'CRITICAL' | 'HIGH' | 'MEDIUM';
    at?: number;
    exploit?: 'YES' | 'NO';
  } = {},
): Json {
  const at = new Date(options.at ?? NOW - 2 * HOUR).toISOString();
  const event = inspectorEvent({
    repository: REPOSITORY,
    digest: options.digest ?? DIGEST,
    cve: options.cve ?? CVE,
    ...(options.severity ? { severity: options.severity } : {}),
    ...(options.exploit === 'NO' ? { exploitAvailable: 'NO', epss: 0.01 } : {}),
  });
  const detail = { ...(event.detail as Json), firstObservedAt: at, lastObservedAt: at, updatedAt: at };
  return { ...event, time: at, detail };
}

const detailOf = (event: Json): Json => event.detail as Json;

function newSimulator(config?: ShieldRightConfig): Simulator {
  return new Simulator({ clock: () => NOW, scenario: scenario(), ...(config ? { config } : {}) });
}

async function sweep(sim: Simulator) {
  const run = await sim.reconcile();
  return { ...run, report: run.report as ReconcileReport };
}

async function incident(sim: Simulator, id: string): Promise<Json | undefined> {
  const out = (await sim.account.call('dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${id}` } },
  })) as { Item?: Parameters<typeof unmarshall>[0] };
  return out.Item ? (unmarshall(out.Item) as Json) : undefined;
}

async function imageStatus(sim: Simulator, digest: string): Promise<string | undefined> {
  const out = (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageDigest: digest }],
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails?: { imageStatus?: string }[] };
  return out.imageDetails?.[0]?.imageStatus;
}

function emailOf(n: PublishedNotification): string {
  return (JSON.parse(n.message) as { email: string }).email;
}

describe('reconcile: findings whose event was lost', () => {
  it('starts the image workflow for a CRITICAL Inspector finding that was never delivered, under a reconcile- name', async () => {
    const sim = newSimulator();
    const event = imageEvent();
    sim.account.inspector2.putFinding(detailOf(event));

    const { report } = await sweep(sim);

    expect(report.inspector.started).toHaveLength(1);
    const [started] = report.inspector.started;
    expect(started?.executionName).toMatch(/^reconcile-[0-9a-f]+-[0-9a-z]+$/);
    const execution = sim.states.all().find((e) => e.name === started?.executionName);
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution?.input).toMatchObject({
      source: 'aws.inspector2',
      'detail-type': 'Inspector2 Finding',
      detail: { findingArn: detailOf(event).findingArn, severity: 'CRITICAL', status: 'ACTIVE' },
    });
    expect(await incident(sim, INCIDENT)).toMatchObject({ status: 'QUARANTINED' });
    expect(await imageStatus(sim, DIGEST)).toBe('ARCHIVED');
  });

  it("leaves another account's findings alone, as the event path refuses them (a delegated administrator lists its members')", async () => {
    const sim = newSimulator();
    const event = imageEvent();
    sim.account.inspector2.putFinding({ ...detailOf(event), awsAccountId: '444455556666' });

    const { report } = await sweep(sim);

    expect(report.inspector.started).toEqual([]);
    expect(report.inspector.skipped.otherAccount).toBe(1);
    expect(sim.states.all()).toEqual([]);
    expect(await imageStatus(sim, DIGEST)).toBe('ACTIVE');
  });

  it('starts nothing the second time: the finding now has its incident', async () => {
    const sim = newSimulator();
    sim.account.inspector2.putFinding(detailOf(imageEvent()));
    await sweep(sim);
    const executions = sim.states.all().length;

    const { report } = await sweep(sim);

    expect(report.inspector.started).toEqual([]);
    expect(sim.states.all()).toHaveLength(executions);
  });

  it('skips a finding the event path already handled', async () => {
    const sim = newSimulator();
    const event = imageEvent();
    sim.account.inspector2.putFinding(detailOf(event));
    await sim.processEvent(event);
    const executions = sim.states.all().length;

    const { report } = await sweep(sim);

    expect(report.inspector.started).toEqual([]);
    expect(sim.states.all()).toHaveLength(executions);
  });

  it('starts a lost CRITICAL finding of an image only notified for another finding: the workflow appends it and quarantines', async () => {
    const sim = newSimulator();
    const first = imageEvent({ severity: 'HIGH', exploit: 'NO' });
    await sim.processEvent(first);
    expect(await incident(sim, INCIDENT)).toMatchObject({ status: 'NOTIFIED' });
    const second = imageEvent({ cve: 'CVE-2026-0002' });
    sim.account.inspector2.putFinding(detailOf(second));

    const { report } = await sweep(sim);

    expect(report.inspector.started.map((s) => s.finding)).toEqual([detailOf(second).findingArn]);
    const item = await incident(sim, INCIDENT);
    expect(item?.status).toBe('QUARANTINED');
    expect([...((item?.findingArns as Set<string>) ?? [])].sort()).toEqual(
      [detailOf(first).findingArn, detailOf(second).findingArn].sort(),
    );
  });

  it('leaves a finding below the Inspector floor, or updated in the last minutes, to its event', async () => {
    const sim = newSimulator();
    sim.account.inspector2.putFinding(detailOf(imageEvent({ severity: 'MEDIUM', cve: 'CVE-2026-0003' })));
    sim.account.inspector2.putFinding(detailOf(imageEvent({ at: NOW - 60_000, cve: 'CVE-2026-0004' })));

    const { report } = await sweep(sim);

    expect(report.inspector.started).toEqual([]);
    expect(report.inspector.skipped.settling).toBe(1);
  });

  it('starts the runtime workflow for a GuardDuty ECS finding updated since the last sweep, as the rule would', async () => {
    const sim = newSimulator();
    const event = runtimeEvent();
    // Within the next sweep's overlap: the second sweep reads it again and finds its incident.
    const at = new Date(NOW - 10 * 60_000).toISOString();
    const detail: Json = { ...detailOf(event), updatedAt: at };
    const older = { ...detail, id: 'a'.repeat(32), updatedAt: new Date(NOW - 5 * HOUR).toISOString() };
    provisionFromEvent(sim.account, { ...event, detail });
    sim.account.guardduty.putDetector('d0sandbox');
    sim.account.guardduty.putFinding('d0sandbox', detail);
    sim.account.guardduty.putFinding('d0sandbox', older);

    const first = await sweep(sim);
    const second = await sweep(sim);

    expect(first.report.guardduty.started.map((s) => s.finding)).toEqual([detail.id]);
    const execution = sim.states
      .all()
      .find((e) => e.name === first.report.guardduty.started[0]?.executionName);
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution?.input).toMatchObject({
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: {
        id: detail.id,
        resource: { resourceType: 'ECSCluster' },
        service: { featureName: 'RuntimeMonitoring' },
      },
    });
    expect(await incident(sim, String(detail.id))).toBeDefined();
    expect(second.report.guardduty.started).toEqual([]);
    expect(second.report.guardduty.skipped.handled).toBe(1);
  });
});

describe('reconcile: "resolved" for an image incident', () => {
  /** Quarantines DIGEST through the event path, then redeploys payments-api on NEW_DIGEST. */
  async function quarantinedThenRedeployed(config?: ShieldRightConfig): Promise<Simulator> {
    const sim = newSimulator(config);
    const event = imageEvent();
    sim.account.inspector2.putFinding(detailOf(event));
    await sim.processEvent(event);
    expect(await incident(sim, INCIDENT)).toMatchObject({ status: 'QUARANTINED' });
    sim.account.ecr.putImage({ repository: REPOSITORY, digest: NEW_DIGEST, tags: ['v1.4.2'] });
    sim.account.ecs.putTask({
      cluster: 'prod',
      group: 'service:payments-api',
      taskDefinitionArn: 'payments-api:2',
      launchType: 'FARGATE',
      containers: [
        { name: 'app', image: `${REGISTRY}/${REPOSITORY}@${NEW_DIGEST}`, imageDigest: NEW_DIGEST },
      ],
    });
    const old = (await sim.account.call('ecs', 'ListTasks', {
      cluster: 'prod',
      serviceName: 'payments-api',
    })) as { taskArns: string[] };
    const described = (await sim.account.call('ecs', 'DescribeTasks', {
      cluster: 'prod',
      tasks: old.taskArns,
    })) as {
      tasks: { taskArn: string; containers: { imageDigest?: string }[] }[];
    };
    for (const task of described.tasks) {
      if (task.containers.some((c) => c.imageDigest === DIGEST)) {
        await sim.account.call('ecs', 'StopTask', {
          cluster: 'prod',
          task: task.taskArn,
          reason: 'redeployed',
        });
      }
    }
    return sim;
  }

  const resolvedNotifications = (ns: PublishedNotification[]) =>
    ns.filter((n) => n.attributes.action === 'image-incident-resolved');

  it('notifies once, with the release command, when the service runs a new digest whose scan is complete with the CVE not ACTIVE', async () => {
    const sim = await quarantinedThenRedeployed();
    sim.account.inspector2.putCoverage(REPOSITORY, NEW_DIGEST, {
      statusCode: 'ACTIVE',
      reason: 'SUCCESSFUL',
      lastScannedAt: new Date(NOW - HOUR).toISOString(),
    });

    const first = await sweep(sim);
    const second = await sweep(sim);

    const [notification, ...others] = resolvedNotifications(first.notifications);
    expect(others).toEqual([]);
    expect(notification?.subject).toContain('resolved');
    expect(emailOf(notification as PublishedNotification)).toContain(`shield-right release ${INCIDENT}`);
    expect(first.report.resolutions.notified).toEqual([{ incidentId: INCIDENT, published: true }]);
    expect(resolvedNotifications(second.notifications)).toEqual([]);
    const item = await incident(sim, INCIDENT);
    expect(item).toMatchObject({ status: 'QUARANTINED', resolutionObservedAt: new Date(NOW).toISOString() });
    // Observed, never acted on: the digest stays archived.
    expect(await imageStatus(sim, DIGEST)).toBe('ARCHIVED');
  });

  it("does not resolve when the new digest's findings are listed only in part (the page budget ran out)", async () => {
    const sim = await quarantinedThenRedeployed(parseConfig({ reconcile: { pageBudget: 1 } }));
    sim.account.inspector2.putCoverage(REPOSITORY, NEW_DIGEST, {
      statusCode: 'ACTIVE',
      reason: 'SUCCESSFUL',
      lastScannedAt: new Date(NOW - HOUR).toISOString(),
    });
    // More ACTIVE findings than one page holds, none of them the incident's CVE on the first page's worth.
    for (let i = 0; i < 101; i += 1) {
      const cve = `CVE-2026-${String(1000 + i)}`;
      sim.account.inspector2.putFinding(
        detailOf(imageEvent({ digest: NEW_DIGEST, severity: 'MEDIUM', cve })),
      );
    }

    const { report, notifications } = await sweep(sim);

    expect(resolvedNotifications(notifications)).toEqual([]);
    expect(report.resolutions.pending).toEqual([
      { incidentId: INCIDENT, reason: expect.stringContaining('findings listing truncated') },
    ]);
  });

  it('does not resolve when the new digest still has the CVE ACTIVE', async () => {
    const sim = await quarantinedThenRedeployed();
    sim.account.inspector2.putCoverage(REPOSITORY, NEW_DIGEST, {
      statusCode: 'ACTIVE',
      reason: 'SUCCESSFUL',
      lastScannedAt: new Date(NOW - HOUR).toISOString(),
    });
    // Below the quarantine floor, so the sweep does not start a response for it; still ACTIVE for the CVE.
    sim.account.inspector2.putFinding(detailOf(imageEvent({ digest: NEW_DIGEST, severity: 'MEDIUM' })));

    const { report, notifications } = await sweep(sim);

    expect(resolvedNotifications(notifications)).toEqual([]);
    expect(report.resolutions.pending).toEqual([
      { incidentId: INCIDENT, reason: expect.stringContaining(`still ACTIVE for ${CVE}`) },
    ]);
    expect(await incident(sim, INCIDENT)).not.toHaveProperty('resolutionObservedAt');
  });

  it('does not resolve while the new digest has no complete scan', async () => {
    const sim = await quarantinedThenRedeployed();
    sim.account.inspector2.putCoverage(REPOSITORY, NEW_DIGEST, {
      statusCode: 'ACTIVE',
      reason: 'SCAN_IN_PROGRESS',
    });

    const { report, notifications } = await sweep(sim);

    expect(resolvedNotifications(notifications)).toEqual([]);
    expect(report.resolutions.pending).toEqual([
      {
        incidentId: INCIDENT,
        reason: expect.stringContaining('scan is not complete (ACTIVE/SCAN_IN_PROGRESS)'),
      },
    ]);
  });

  it('does not resolve while the service still runs the quarantined digest', async () => {
    const sim = newSimulator();
    const event = imageEvent();
    sim.account.inspector2.putFinding(detailOf(event));
    await sim.processEvent(event);

    const { report, notifications } = await sweep(sim);

    expect(resolvedNotifications(notifications)).toEqual([]);
    expect(report.resolutions.pending[0]?.reason).toContain(`1 running task(s) still use ${DIGEST}`);
  });
});
