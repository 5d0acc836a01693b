/**
 * Issue 6 acceptance: the vulnerable-image workflow run offline end to end (EventBridge rules from
 * definitions/patterns.ts, the ASL file, the real handlers) against the sandbox account.
 */
import { createHash } from 'node:crypto';
import { parseConfig } from '../../definitions/config';
import { RELEASABLE_STATUSES } from '../../lambdas/core/incident';
import { imageIncidentId } from '../../lambdas/core/vulnerability';
import { type EventResult, type PublishedNotification, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { mutatingCalls } from '../../local/report';
import type { ApiCall } from '../../local/sandbox/account';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const INCIDENT = imageIncidentId(DIGEST);
const QUARANTINE_TAG = `quarantine-${INCIDENT.slice(0, 12)}-${'ab'.repeat(6)}`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** The ECR repository holding the vulnerable digest (tagged v1.4.1) and three tasks running it by digest. */
function exposedScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.1'], digest: DIGEST }] }],
    tasks: [
      {
        cluster: 'prod',
        service: 'payments-api',
        count: 2,
        containers: [{ name: 'app', image: `${REGISTRY}/${REPOSITORY}@${DIGEST}` }],
      },
      {
        cluster: 'batch',
        service: 'settlement',
        containers: [{ name: 'worker', image: `${REGISTRY}/${REPOSITORY}@${DIGEST}` }],
      },
      // Another image of the same repository: not exposure.
      { cluster: 'prod', service: 'ledger', containers: [{ name: 'app', image: `${REGISTRY}/ledger:v2` }] },
    ],
    ...overrides,
  };
}

function simulator(options: ConstructorParameters<typeof Simulator>[0] = {}): Simulator {
  return new Simulator({ clock: CLOCK, ...options });
}

function calls(result: EventResult | readonly EventResult[], service: string, operation: string): ApiCall[] {
  const all = Array.isArray(result) ? result.flatMap((r) => r.apiCalls) : (result as EventResult).apiCalls;
  return all.filter((c) => c.service === service && c.operation === operation && c.error === null);
}

function emailOf(notification: PublishedNotification | undefined): string {
  if (!notification) throw new Error('no notification was published');
  return (JSON.parse(notification.message) as { email: string }).email;
}

function threadOf(notification: PublishedNotification): string {
  const message = JSON.parse(notification.message) as { default: string };
  return (JSON.parse(message.default) as { metadata: { threadId: string } }).metadata.threadId;
}

function statesOf(result: EventResult): string[] {
  const [execution] = result.executions;
  if (!execution) throw new Error(`no execution for ${result.event}`);
  return execution.states;
}

async function imageState(sim: Simulator, digest = DIGEST): Promise<{ status?: string; tags: string[] }> {
  const out = (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageDigest: digest }],
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails?: { imageStatus?: string; imageTags?: string[] }[] };
  const detail = out.imageDetails?.[0];
  return { ...(detail?.imageStatus ? { status: detail.imageStatus } : {}), tags: detail?.imageTags ?? [] };
}

interface IncidentItem {
  status?: { S: string };
  findingArns?: { SS: string[] };
  closedFindingArns?: { SS: string[] };
  count?: { N: string };
  disposition?: { S: string };
  releasedBy?: { S: string };
  releasedFrom?: { S: string };
}

async function incidentItem(sim: Simulator, incidentId = INCIDENT): Promise<IncidentItem | undefined> {
  const out = (await sim.account.call('dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${incidentId}` } },
  })) as { Item?: IncidentItem };
  return out.Item;
}

/** The JSON document an S3 PutObject call wrote. */
function bodyOf(call: ApiCall | undefined): unknown {
  if (!call) throw new Error('the object was not written');
  return JSON.parse(String((call.input as { Body?: unknown }).Body));
}

const findingArnOf = (event: Record<string, unknown>): string =>
  String((event.detail as { findingArn: string }).findingArn);

describe('VulnerableImageResponse: CRITICAL finding on an image running in ECS', () => {
  it('moves the tags to a quarantine tag, archives the digest and notifies once with the exposed tasks', async () => {
    const sim = simulator({ scenario: exposedScenario() });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');

    expect(result.matchedRules).toEqual(['VulnerableImageRule']);
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(statesOf(result)).toContain('QuarantineImage');
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    expect(result.notifications).toHaveLength(1);
    const [notification] = result.notifications;
    expect(notification?.attributes.action).toBe('image-quarantined');
    const email = emailOf(notification);
    expect(email).toContain(`v1.4.1 → ${QUARANTINE_TAG}`);
    expect(email).toContain('3 running tasks use the same image digest');
    const listed = email
      .split('\n')
      .filter((line) => line.includes(`${REPOSITORY}@${DIGEST}`) && /task /.test(line));
    expect(listed).toHaveLength(3);
    expect(listed.filter((line) => line.includes('service payments-api'))).toHaveLength(2);
    expect(listed.filter((line) => line.includes('cluster batch · service settlement'))).toHaveLength(1);
    expect(email).not.toContain('service ledger');
  });

  it('writes the evidence (finding, enrichment, plan) before any ECR change', async () => {
    const sim = simulator({ scenario: exposedScenario() });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');

    const evidence = calls(result, 's3', 'PutObject');
    const captured = evidence.find((c) => c.state === 'CaptureEvidence');
    const record = evidence.find((c) => c.state === 'QuarantineImage');
    const ecrChanges = mutatingCalls(result.apiCalls).filter((c) => c.service === 'ecr');
    expect(ecrChanges.map((c) => c.operation).sort()).toEqual([
      'BatchDeleteImage',
      'PutImage',
      'UpdateImageStorageClass',
    ]);
    const firstChange = Math.min(...ecrChanges.map((c) => c.startSeq));
    expect(captured?.endSeq).toBeLessThan(firstChange);
    expect(record?.endSeq).toBeLessThan(firstChange);
    const body = bodyOf(captured) as {
      finding: { incidentId: string };
      assessment: { plan: { disposition: string }; enrichment: { runningTasks: unknown[] } };
    };
    expect(body.finding.incidentId).toBe(INCIDENT);
    expect(body.assessment.plan.disposition).toBe('quarantine');
    expect(body.assessment.enrichment.runningTasks).toHaveLength(3);
    const saved = bodyOf(record) as { originalTags: string[] };
    expect(saved.originalTags).toEqual(['v1.4.1']);
  });

  it('lists a task that runs the image by tag (provisioned from the tag, as local/provision.ts derives its digest)', async () => {
    // provision.ts gives an image pulled by tag the digest sha256(<repository>:<tag>).
    const tagDigest = `sha256:${createHash('sha256').update(`${REPOSITORY}:v3.0.0`).digest('hex')}`;
    const sim = simulator({
      scenario: {
        tasks: [
          {
            cluster: 'prod',
            service: 'payments-api',
            containers: [{ name: 'app', image: `${REGISTRY}/${REPOSITORY}:v3.0.0` }],
          },
        ],
      },
    });

    const result = await sim.processEvent(inspectorEvent({ digest: tagDigest, tags: ['v3.0.0'] }), 'by-tag');

    expect(await imageState(sim, tagDigest)).toMatchObject({ status: 'ARCHIVED' });
    const email = emailOf(result.notifications[0]);
    expect(email).toContain('1 running task uses the same image digest');
    expect(email).toContain(`service payments-api · ${REGISTRY}/${REPOSITORY}:v3.0.0`);
  });
});

describe('VulnerableImageResponse: a burst of findings for one digest', () => {
  it('quarantines once, notifies once and records every finding on the incident', async () => {
    const sim = simulator({ scenario: exposedScenario() });
    const events = Array.from({ length: 20 }, (_, i) =>
      inspectorEvent({ digest: DIGEST, cve: `CVE-2026-${String(1000 + i)}` }),
    );

    const results = await Promise.all(events.map((event, i) => sim.processEvent(event, `burst-${i}`)));

    expect(results.every((r) => r.executions.length === 1 && r.executions[0]?.status === 'SUCCEEDED')).toBe(
      true,
    );
    const archives = calls(results, 'ecr', 'UpdateImageStorageClass');
    expect(archives).toHaveLength(1);
    // The executions overlapped: findings were appended while the quarantine was still under way.
    const appended = calls(results, 'dynamodb', 'UpdateItem').filter((c) => c.state === 'AppendFinding');
    expect(appended).toHaveLength(19);
    expect(Math.min(...appended.map((c) => c.startSeq))).toBeLessThan(archives[0]?.startSeq ?? 0);
    // The quarantine adds one tag (the quarantine tag) with PutImage and removes the original ones at once.
    const puts = calls(results, 'ecr', 'PutImage');
    expect(puts.map((c) => (c.input as { imageTag?: string }).imageTag)).toEqual([QUARANTINE_TAG]);
    expect(calls(results, 'ecr', 'BatchDeleteImage')).toHaveLength(1);
    expect(calls(results, 'dynamodb', 'TransactWriteItems')).toHaveLength(1);
    const notifications = results.flatMap((r) => r.notifications);
    expect(notifications).toHaveLength(1);
    expect(new Set(notifications.map(threadOf))).toEqual(new Set([INCIDENT]));
    const item = await incidentItem(sim);
    expect(item?.status?.S).toBe('QUARANTINED');
    expect([...(item?.findingArns?.SS ?? [])].sort()).toEqual(events.map(findingArnOf).sort());
    expect(item?.count?.N).toBe('20');
    expect(results.filter((r) => statesOf(r).includes('FindingAppended'))).toHaveLength(19);
  });

  it('re-evaluates a finding that arrives after a notify-only response and quarantines on the same thread', async () => {
    const sim = simulator();
    const high = inspectorEvent({
      digest: DIGEST,
      cve: 'CVE-2026-2000',
      severity: 'HIGH',
      exploitAvailable: 'NO',
      epss: 0.01,
    });
    const critical = inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-2001' });

    const first = await sim.processEvent(high, 'high');
    const second = await sim.processEvent(critical, 'critical');

    expect(first.notifications.map((n) => n.attributes.action)).toEqual(['vulnerability']);
    expect(statesOf(second)).toEqual(
      expect.arrayContaining([
        'AppendFinding',
        'WasEarlierFindingActedOn',
        'EnrichAndDecide',
        'QuarantineImage',
      ]),
    );
    expect(second.notifications.map((n) => n.attributes.action)).toEqual(['image-quarantined']);
    expect([...first.notifications, ...second.notifications].map(threadOf)).toEqual([INCIDENT, INCIDENT]);
    expect(await imageState(sim)).toMatchObject({ status: 'ARCHIVED' });
    expect((await incidentItem(sim))?.status?.S).toBe('QUARANTINED');
  });
});

describe('VulnerableImageResponse: CLOSED findings are not a fix (ClosedImageFindingRule)', () => {
  it('issue 13 acceptance: a CRITICAL finding quarantines the digest; its CLOSED finding un-archives nothing, restores no tag, does not resolve the incident, and says closed is not fixed', async () => {
    const sim = simulator({ scenario: exposedScenario() });
    const open = inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000', severity: 'CRITICAL' });
    await sim.processEvent(open, 'open');
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    expect((await incidentItem(sim))?.status?.S).toBe('QUARANTINED');

    const closed = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000', severity: 'CRITICAL', status: 'CLOSED' }),
      'closed',
    );

    expect(closed.matchedRules).toEqual(['ClosedImageFindingRule']);
    expect(closed.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(statesOf(closed)).toEqual([
      'ValidateFinding',
      'IsFindingClosed',
      'RecordClosedFinding',
      'AreAllFindingsClosed',
      'NotifyFindingsClosed',
      // securityHub off (the default): the Security Hub step is skipped.
      'SecurityHubSetting',
      'IsSecurityHubOn',
      'ResponseDone',
    ]);
    // No un-archive, no tag restored: nothing in the account changes (the incident item records the closure).
    expect(calls(closed, 'ecr', 'UpdateImageStorageClass')).toEqual([]);
    expect(calls(closed, 'ecr', 'PutImage')).toEqual([]);
    expect(mutatingCalls(closed.apiCalls)).toEqual([]);
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    const item = await incidentItem(sim);
    expect(item?.status?.S).toBe('QUARANTINED');
    expect(item?.closedFindingArns?.SS).toEqual([findingArnOf(open)]);
    expect(closed.notifications).toHaveLength(1);
    const [notification] = closed.notifications;
    expect(notification?.attributes.action).toBe('vulnerability-finding-closed');
    expect(notification?.subject).toContain('finding closed, not a fix');
    expect(notification?.subject).not.toContain('resolved');
    expect(threadOf(notification as PublishedNotification)).toBe(INCIDENT);
    const email = emailOf(notification);
    expect(email).toContain('this is not a fix');
    expect(email).toContain(
      'Inspector stops scanning an archived image, so its findings close; the digest still contains the vulnerable package',
    );
    expect(email).toContain(`shield-right release ${INCIDENT}`);
  });

  it('says so once every finding of a quarantined image is closed, changing nothing', async () => {
    const sim = simulator();
    const a = inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000' });
    const b = inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3001' });
    await sim.processEvent(a, 'a');
    await sim.processEvent(b, 'b');

    const closeA = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000', status: 'CLOSED' }),
    );
    const closeB = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3001', status: 'CLOSED' }),
    );

    expect(closeA.matchedRules).toEqual(['ClosedImageFindingRule']);
    expect(statesOf(closeA).at(-1)).toBe('StillVulnerable');
    expect(closeA.notifications).toHaveLength(0);
    expect(statesOf(closeB)).toContain('NotifyFindingsClosed');
    expect(statesOf(closeB).at(-1)).toBe('ResponseDone');
    expect(mutatingCalls([...closeA.apiCalls, ...closeB.apiCalls])).toEqual([]);
    expect(closeB.notifications).toHaveLength(1);
    expect(closeB.notifications[0]?.attributes.action).toBe('vulnerability-finding-closed');
    expect(threadOf(closeB.notifications[0] as PublishedNotification)).toBe(INCIDENT);
    expect(emailOf(closeB.notifications[0])).toContain(`shield-right release ${INCIDENT}`);
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    const item = await incidentItem(sim);
    expect(item?.status?.S).toBe('QUARANTINED');
    expect([...(item?.closedFindingArns?.SS ?? [])].sort()).toEqual(
      [findingArnOf(a), findingArnOf(b)].sort(),
    );
  });

  it('leaves the quarantine to a person: the incident stays releasable by `shield-right release`', async () => {
    const sim = simulator({ scenario: exposedScenario() });
    await sim.processEvent(inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000' }), 'open');

    await sim.processEvent(inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-3000', status: 'CLOSED' }));

    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    expect((await incidentItem(sim))?.status?.S).toBe('QUARANTINED');
    expect(RELEASABLE_STATUSES).toContain('QUARANTINED');
  });

  it('does nothing for an image shield-right never handled', async () => {
    const sim = simulator();
    const digest = `sha256:${'cd'.repeat(32)}`;

    const result = await sim.processEvent(inspectorEvent({ digest, status: 'CLOSED' }), 'closed');

    expect(result.matchedRules).toEqual(['ClosedImageFindingRule']);
    expect(result.executions[0]?.status).toBe('SUCCEEDED');
    expect(statesOf(result).at(-1)).toBe('NotOurIncident');
    expect(result.notifications).toEqual([]);
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(await incidentItem(sim, imageIncidentId(digest))).toBeUndefined();
    expect(await imageState(sim, digest)).toMatchObject({ status: 'ACTIVE' });
  });
});

describe('VulnerableImageResponse: severity and scores', () => {
  it('does not match a LOW finding with the default configuration', async () => {
    const sim = simulator();

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST, severity: 'LOW' }), 'low');

    expect(result.matchedRules).toEqual([]);
    expect(result.executions).toEqual([]);
    expect(result.notifications).toEqual([]);
  });

  it('matches a LOW finding with inspector.minimumSeverity LOW, and only notifies', async () => {
    const sim = simulator({ config: parseConfig({ inspector: { minimumSeverity: 'LOW' } }) });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST, severity: 'LOW' }), 'low');

    expect(result.matchedRules).toEqual(['VulnerableImageRule']);
    expect(statesOf(result)).not.toContain('ClaimQuarantine');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['vulnerability']);
    expect(emailOf(result.notifications[0])).toContain('severity LOW is below the quarantine threshold');
    expect(await imageState(sim)).toEqual({ status: 'ACTIVE', tags: ['v1.4.1'] });
    expect((await incidentItem(sim))?.status?.S).toBe('NOTIFIED');
  });

  it('only notifies a HIGH finding without a known exploit and with EPSS below the threshold', async () => {
    const sim = simulator();

    const result = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, severity: 'HIGH', exploitAvailable: 'NO', epss: 0.02 }),
      'high',
    );

    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['vulnerability']);
    expect(emailOf(result.notifications[0])).toContain('EPSS 0.02 below inspector.epssThreshold 0.1');
    expect(await imageState(sim)).toMatchObject({ status: 'ACTIVE' });
  });

  it('quarantines a HIGH finding with an exploit available', async () => {
    const sim = simulator();

    const result = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, severity: 'HIGH', exploitAvailable: 'YES', epss: 0.02 }),
      'high-exploit',
    );

    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['image-quarantined']);
    expect(emailOf(result.notifications[0])).toContain('severity is HIGH and an exploit is available');
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
  });

  it('ignores a finding about a Lambda function', async () => {
    const sim = simulator();

    const result = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, resourceType: 'AWS_LAMBDA_FUNCTION' }),
      'lambda',
    );

    expect(result.matchedRules).toEqual([]);
    expect(result.executions).toEqual([]);
    expect(result.apiCalls).toEqual([]);
  });
});

describe('VulnerableImageResponse: exemptions, observe mode, immutable repositories', () => {
  it('only notifies, with the reason, for a repository in inspector.exemptRepositories', async () => {
    const sim = simulator({ config: parseConfig({ inspector: { exemptRepositories: [REPOSITORY] } }) });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'exempt-config');

    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['exempt']);
    const email = emailOf(result.notifications[0]);
    expect(email).toContain(`exempt: repository ${REPOSITORY} is in inspector.exemptRepositories`);
    expect(email).toMatch(/Would have done:.*quarantine/i);
    expect(await imageState(sim)).toEqual({ status: 'ACTIVE', tags: ['v1.4.1'] });
  });

  it('only notifies, with the reason, for a repository tagged shield-right:exempt=true', async () => {
    const sim = simulator({
      scenario: {
        repositories: [
          {
            name: REPOSITORY,
            tags: { 'shield-right:exempt': 'true' },
            images: [{ tags: ['v1.4.1'], digest: DIGEST }],
          },
        ],
      },
    });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'exempt-tag');

    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['exempt']);
    expect(emailOf(result.notifications[0])).toContain(
      `exempt: repository ${REPOSITORY} is tagged shield-right:exempt=true`,
    );
    expect(await imageState(sim)).toEqual({ status: 'ACTIVE', tags: ['v1.4.1'] });
  });

  it('changes nothing in observe mode and says what it would have done', async () => {
    const sim = simulator({ mode: 'observe', scenario: exposedScenario() });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'observe');

    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(statesOf(result)).not.toContain('ClaimQuarantine');
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['observe']);
    expect(emailOf(result.notifications[0])).toMatch(/Would have done:.*quarantine/i);
    expect(await imageState(sim)).toEqual({ status: 'ACTIVE', tags: ['v1.4.1'] });
  });

  it('still archives an image of an IMMUTABLE repository and says what happened to its tags', async () => {
    const sim = simulator({
      scenario: {
        repositories: [
          {
            name: REPOSITORY,
            mutability: 'IMMUTABLE',
            images: [{ tags: ['v1.4.1', 'stable'], digest: DIGEST }],
          },
        ],
      },
    });

    const result = await sim.processEvent(
      inspectorEvent({ digest: DIGEST, tags: ['v1.4.1', 'stable'] }),
      'imm',
    );

    expect(calls(result, 'ecr', 'UpdateImageStorageClass')).toHaveLength(1);
    expect(await imageState(sim)).toEqual({ status: 'ARCHIVED', tags: [QUARANTINE_TAG] });
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['image-quarantined']);
    const email = emailOf(result.notifications[0]);
    expect(email).toContain(`v1.4.1 → ${QUARANTINE_TAG}`);
    expect(email).toContain(`stable → ${QUARANTINE_TAG}`);
    expect(email).toContain('archived');
    const record = calls(result, 's3', 'PutObject').find((c) => c.state === 'QuarantineImage');
    const saved = bodyOf(record) as {
      tagMutability?: string;
      originalTags: string[];
    };
    expect(saved).toMatchObject({ tagMutability: 'IMMUTABLE', originalTags: ['v1.4.1', 'stable'] });
  });
});
