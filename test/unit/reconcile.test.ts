/**
 * The reconciliation sweep's pure decisions (lambdas/core/reconcile.ts), its notification
 * (lambdas/core/render/resolved.ts), and the sandbox behaviours it relies on (GuardDuty criteria,
 * Inspector sort and coverage).
 */
import { parseConfig } from '../../definitions/config';
import {
  decideResolution,
  guardDutyCriteria,
  OVERLAP_MS,
  type ResolutionInput,
  reconcileExecutionName,
  sweepSince,
} from '../../lambdas/core/reconcile';
import { renderResolvedNotification } from '../../lambdas/core/render';
import { sweepTime } from '../../lambdas/core/schemas/reconcile';
import { SandboxAccount } from '../../local/sandbox/account';
import { DOCUMENTED_CRITERIA } from '../../local/sandbox/guardduty';

const NOW = Date.UTC(2026, 10, 28, 12);
const OLD = `sha256:${'ab'.repeat(32)}`;
const NEW = `sha256:${'cd'.repeat(32)}`;
const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';

describe('sweep window and names', () => {
  it('continues from the last sweep less the overlap, and looks back one interval the first time', () => {
    const last = new Date(NOW - 30 * 60_000).toISOString();
    expect(sweepSince(last, NOW, 60)).toBe(NOW - 30 * 60_000 - OVERLAP_MS);
    expect(sweepSince(undefined, NOW, 60)).toBe(NOW - 60 * 60_000 - OVERLAP_MS);
    expect(sweepSince(undefined, NOW, 0)).toBe(NOW - 60 * 60_000 - OVERLAP_MS);
  });

  it('asks GuardDuty only for documented criteria attributes', () => {
    const criteria = Object.keys(guardDutyCriteria(NOW, 7).Criterion);
    expect(criteria.filter((c) => !DOCUMENTED_CRITERIA.has(c))).toEqual([]);
    expect(guardDutyCriteria(NOW, 7.5).Criterion).toMatchObject({
      updatedAt: { GreaterThanOrEqual: NOW },
      severity: { GreaterThanOrEqual: 7 },
    });
  });

  it('names an execution reconcile-<finding>-<version>: valid, at most 80, new for a new version only', () => {
    const arn = `arn:aws:inspector2:us-east-1:111122223333:finding/${'f'.repeat(32)}`;
    const v1 = reconcileExecutionName(arn, { updatedAt: '2026-11-28T10:00:00Z' });
    const again = reconcileExecutionName(arn, { updatedAt: '2026-11-28T10:00:00Z' });
    const v2 = reconcileExecutionName(arn, { updatedAt: '2026-11-28T11:00:00Z' });
    const long = reconcileExecutionName('x'.repeat(200), { updatedAt: '2026-11-28T10:00:00Z' });
    expect(v1).toMatch(/^reconcile-f{32}-[0-9a-z]+$/);
    expect(again).toBe(v1);
    expect(v2).not.toBe(v1);
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[0-9A-Za-z_-]+$/);
  });
});

describe('decideResolution', () => {
  const base: ResolutionInput = {
    digest: OLD,
    vulnerabilityIds: ['CVE-2026-0001'],
    recorded: { services: [{}], complete: true },
    services: [{ clusterArn: CLUSTER, serviceName: 'api', digests: [NEW], runningTasks: 2 }],
    stillRunning: { tasks: 0, truncated: false },
    scans: { [NEW]: { complete: true, status: 'ACTIVE/SUCCESSFUL', activeVulnerabilities: [] } },
  };

  it('is resolved when every recorded service runs a scanned digest without the CVEs', () => {
    expect(decideResolution(base)).toEqual({
      resolved: true,
      reasons: [`api (prod) runs ${NEW}: scan complete, none of the vulnerabilities ACTIVE`],
      newDigests: [NEW],
    });
  });

  it.each([
    [
      'no record of the services (an incident from an earlier version)',
      { recorded: undefined },
      'not recorded',
    ],
    ['a truncated record', { recorded: { services: [{}], complete: false } }, 'truncated'],
    ['no service at all', { recorded: { services: [], complete: true }, services: [] }, 'no service ran'],
    ['no vulnerability to check', { vulnerabilityIds: [] }, 'could not be read'],
    ['a task still on the digest', { stillRunning: { tasks: 1, truncated: false } }, 'still use'],
    [
      'a scan not complete',
      {
        scans: {
          [NEW]: { complete: false, status: 'ACTIVE/PENDING_INITIAL_SCAN', activeVulnerabilities: [] },
        },
      },
      'not complete (ACTIVE/PENDING_INITIAL_SCAN)',
    ],
    [
      'the CVE still ACTIVE',
      {
        scans: {
          [NEW]: { complete: true, status: 'ACTIVE/SUCCESSFUL', activeVulnerabilities: ['CVE-2026-0001'] },
        },
      },
      'still ACTIVE for CVE-2026-0001',
    ],
  ] as const)('is not resolved with %s', (_name, change, reason) => {
    const decision = decideResolution({ ...base, ...change } as ResolutionInput);
    expect(decision.resolved).toBe(false);
    expect(decision.reasons.join('\n')).toContain(reason);
  });
});

describe('the image-incident-resolved notification', () => {
  it('escapes what it quotes and gives the exact release command', () => {
    const rendered = renderResolvedNotification({
      incident: {
        incidentId: 'img-abababab',
        status: 'QUARANTINED',
        item: { repository: 'evil<!channel>', imageDigest: OLD, severityLabel: 'CRITICAL' },
      },
      observedAt: new Date(NOW).toISOString(),
      reasons: ['api <@U123> runs something'],
      newDigests: [NEW],
      vulnerabilityIds: ['CVE-2026-0001'],
      region: 'us-east-1',
    });
    const message = JSON.parse(rendered.message) as { default: string; email: string };
    const chat = JSON.parse(message.default) as {
      content: { description: string };
      metadata: { eventType: string };
    };
    expect(chat.metadata.eventType).toBe('image-incident-resolved');
    expect(chat.content.description).not.toContain('<!channel>');
    expect(chat.content.description).not.toContain('<@U123>');
    expect(chat.content.description).toContain('shield-right release img-abababab');
    expect(message.email).toContain('  shield-right release img-abababab');
    expect(rendered.attributes.action?.StringValue).toBe('image-incident-resolved');
  });
});

describe('sandbox behaviours the sweep relies on', () => {
  const gdFinding = (id: string, updatedAt: string) => ({
    id,
    schemaVersion: '2.0',
    type: 'Execution:Runtime/NewBinaryExecuted',
    severity: 8,
    updatedAt,
    resource: { resourceType: 'ECSCluster' },
    service: { featureName: 'RuntimeMonitoring' },
  });

  it('GuardDuty refuses a criterion the API does not document (service.featureName) and filters updatedAt as a time', async () => {
    const account = new SandboxAccount();
    account.guardduty.putDetector('d1');
    account.guardduty.putFinding('d1', gdFinding('old', '2026-11-28T09:00:00.000Z'));
    account.guardduty.putFinding('d1', gdFinding('new', '2026-11-28T11:30:00.000Z'));

    const refused = account.call('guardduty', 'ListFindings', {
      DetectorId: 'd1',
      FindingCriteria: { Criterion: { 'service.featureName': { Equals: ['RuntimeMonitoring'] } } },
    });
    const listed = (await account.call('guardduty', 'ListFindings', {
      DetectorId: 'd1',
      FindingCriteria: guardDutyCriteria(Date.UTC(2026, 10, 28, 11), 0),
    })) as { FindingIds: string[] };

    await expect(refused).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(listed.FindingIds).toEqual(['new']);
  });

  it('Inspector sorts by FIRST_OBSERVED_AT and reports coverage, an archived image as INACTIVE/IMAGE_ARCHIVED', async () => {
    const account = new SandboxAccount();
    account.ecr.putImage({ repository: 'api', digest: OLD, tags: ['v1'] });
    account.ecr.putImage({ repository: 'api', digest: NEW, tags: ['v2'] });
    for (const [id, at] of [
      ['a', '2026-11-01T00:00:00Z'],
      ['b', '2026-11-20T00:00:00Z'],
    ] as const) {
      account.inspector2.putFinding({
        findingArn: `arn:aws:inspector2:us-east-1:111122223333:finding/${id}`,
        firstObservedAt: at,
      });
    }
    const scanned = {
      statusCode: 'ACTIVE',
      reason: 'SUCCESSFUL',
      lastScannedAt: '2026-11-28T10:00:00Z',
    } as const;
    account.inspector2.putCoverage('api', OLD, scanned);
    account.inspector2.putCoverage('api', NEW, scanned);
    await account.call('ecr', 'UpdateImageStorageClass', {
      repositoryName: 'api',
      imageId: { imageDigest: OLD },
      targetStorageClass: 'ARCHIVE',
    });

    const sorted = (await account.call('inspector2', 'ListFindings', {
      sortCriteria: { field: 'FIRST_OBSERVED_AT', sortOrder: 'DESC' },
    })) as { findings: { findingArn: string }[] };
    const coverage = (await account.call('inspector2', 'ListCoverage', {
      filterCriteria: { ecrRepositoryName: [{ comparison: 'EQUALS', value: 'api' }] },
    })) as { coveredResources: { resourceId: string; scanStatus: { statusCode: string; reason: string } }[] };

    expect(sorted.findings.map((f) => f.findingArn.split('/').pop())).toEqual(['b', 'a']);
    expect(
      Object.fromEntries(coverage.coveredResources.map((r) => [r.resourceId.split('/').pop(), r.scanStatus])),
    ).toEqual({
      [OLD]: { statusCode: 'INACTIVE', reason: 'IMAGE_ARCHIVED' },
      [NEW]: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' },
    });
  });
});

describe('reconcile configuration', () => {
  it('defaults to hourly, allows 0 (off) and refuses a fraction or an unknown key', () => {
    expect(parseConfig({}).reconcile).toEqual({ everyMinutes: 60, pageBudget: 20 });
    expect(parseConfig({ reconcile: { everyMinutes: 0 } }).reconcile.everyMinutes).toBe(0);
    expect(() => parseConfig({ reconcile: { everyMinutes: 1.5 } })).toThrow(
      'shield-right.reconcile.everyMinutes',
    );
    expect(() => parseConfig({ reconcile: { every: 5 } })).toThrow(
      'shield-right.reconcile.every: unknown setting',
    );
  });
});

describe('the sweep clock', () => {
  const NOW = Date.UTC(2026, 11, 2, 12, 0);
  const scheduled = (time: string) => ({ 'detail-type': 'Scheduled Event', source: 'aws.events', time });

  it('is the schedule time when it is not later than now', () => {
    expect(sweepTime(scheduled('2026-12-02T11:00:00Z'), NOW)).toBe(Date.UTC(2026, 11, 2, 11, 0));
  });

  it('is never later than now: a future time cannot move the watermark past findings not yet swept', () => {
    expect(sweepTime(scheduled('2027-01-01T00:00:00Z'), NOW)).toBe(NOW);
  });
});
