/**
 * signing.revokeOnQuarantine (issue 15): a digest quarantined under the safety rules has the Signer signing jobs
 * of its authentic signatures revoked, recorded in the incident (evidence, outcome) and the notification; never
 * by default, never in observe mode, never when the quarantine did not apply, and a failure is reported without
 * failing the containment.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { SignerClient } from '@aws-sdk/client-signer';
import { parseConfig } from '../../definitions/config';
import { releaseIncident } from '../../lambdas/actions/release-image';
import { verifyImage } from '../../lambdas/core/signing/verify-image';
import { imageIncidentId } from '../../lambdas/core/vulnerability';
import { type EventResult, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import { mutatingCalls } from '../../local/report';
import { recordCalls } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';
import { AwsError } from '../../local/sandbox/types';
import { failCalls } from '../helpers/faults';
import { sandboxReleaseDeps } from '../helpers/release-deps';

jest.setTimeout(60_000);
const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const INCIDENT = imageIncidentId(DIGEST);
const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';

function simulator(
  signing: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  signature: 'trusted' | 'untrusted-profile' = 'trusted',
) {
  return new Simulator({
    clock: CLOCK,
    config: parseConfig({ signing: { trustedProfiles: [TRUSTED], ...signing }, ...extra }),
    scenario: {
      repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.1'], digest: DIGEST, signature }] }],
    },
  });
}

const ok = (result: EventResult, operation: string) =>
  result.apiCalls.filter((c) => c.service === 'signer' && c.operation === operation && c.error === null);

function email(result: EventResult): string {
  const last = result.notifications[result.notifications.length - 1];
  if (!last) throw new Error('no notification');
  return (JSON.parse(last.message) as { email: string }).email;
}

async function verdictAfter(sim: Simulator) {
  const ecr = new ECRClient({ region: sim.account.region });
  const signer = new SignerClient({ region: sim.account.region });
  attachSandbox(ecr, 'ecr');
  attachSandbox(signer, 'signer');
  const ca = await sim.account.signer.authority();
  return runInSandbox(sim.account, () =>
    verifyImage(
      { registryId: sim.account.accountId, repositoryName: REPOSITORY, digest: DIGEST },
      {
        trustedProfiles: [TRUSTED],
        verification: 'notation',
        trustedRoots: [ca.rootDer],
        partition: 'aws',
        now: new Date(sim.account.now()),
      },
      { ecr, signer, download: async (url) => sim.account.ecr.signatures.download(url) },
    ),
  );
}

describe('signing.revokeOnQuarantine', () => {
  it('revokes the signing job of the quarantined digest, records it and says it cannot be undone', async () => {
    const sim = simulator({ revokeOnQuarantine: true });
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    const [revoke, ...more] = ok(result, 'RevokeSignature');
    expect(more).toEqual([]);
    expect(revoke?.input).toMatchObject({
      jobOwner: sim.account.accountId,
      reason: `quarantined by shield-right incident ${INCIDENT}`,
    });
    // The revocation comes after the quarantine applied, never before.
    const order = result.apiCalls.map((c) => c.operation);
    expect(order.indexOf('RevokeSignature')).toBeGreaterThan(order.indexOf('UpdateImageStorageClass'));
    const jobId = String((revoke?.input as { jobId?: string } | undefined)?.jobId);
    const text = email(result);
    expect(text).toContain('Revoke signatures: done');
    expect(text).toContain(jobId);
    expect(text).toContain('rebuild the image and sign it anew');
    const evidence = sim.account.s3.objects(sim.bucket);
    const key = `incidents/${INCIDENT}/revocation/${jobId}.json`;
    expect(JSON.parse(evidence[key] ?? '{}')).toMatchObject({ digest: DIGEST, revokedBy: INCIDENT });
    expect((await verdictAfter(sim)).outcome).toBe('revoked');
  });

  it('revokes nothing by default: the digest still verifies as trusted after the quarantine', async () => {
    const sim = simulator({});
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    expect(result.apiCalls.some((c) => c.operation === 'UpdateImageStorageClass')).toBe(true);
    expect(result.apiCalls.filter((c) => c.service === 'signer')).toEqual([]);
    expect(email(result)).not.toContain('Revoke signatures');
  });

  it('revokes nothing in observe mode (no mutating call at all)', async () => {
    const sim = simulator({ revokeOnQuarantine: true }, { mode: 'observe' });
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(ok(result, 'RevokeSignature')).toEqual([]);
  });

  it('revokes nothing when the quarantine did not apply (imageQuarantine none)', async () => {
    const sim = simulator({ revokeOnQuarantine: true }, { imageQuarantine: 'none' });
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    expect(ok(result, 'RevokeSignature')).toEqual([]);
  });

  it('leaves alone a job of a profile that is not trusted, and says why', async () => {
    const sim = simulator({ revokeOnQuarantine: true }, {}, 'untrusted-profile');
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    expect(ok(result, 'RevokeSignature')).toEqual([]);
    expect(email(result)).toContain('not one of signing.trustedProfiles');
  });

  it('reports a RevokeSignature failure without failing the containment', async () => {
    const sim = simulator({ revokeOnQuarantine: true });
    const faults = failCalls(
      sim,
      (service, operation) => service === 'signer' && operation === 'RevokeSignature',
      new AwsError('AccessDeniedException', 'not authorized to perform signer:RevokeSignature'),
    );
    try {
      const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
      expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
      expect(result.apiCalls.some((c) => c.operation === 'UpdateImageStorageClass' && c.error === null)).toBe(
        true,
      );
      const text = email(result);
      expect(text).toContain('Revoke signatures: FAILED');
      expect(text).toContain('AccessDeniedException');
      expect((await verdictAfter(sim)).outcome).toBe('trusted');
    } finally {
      faults.restore();
    }
  });

  it('release undoes the quarantine but says the revocation cannot be undone, and to rebuild and re-sign', async () => {
    const sim = simulator({ revokeOnQuarantine: true });
    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');
    const jobId = String((ok(result, 'RevokeSignature')[0]?.input as { jobId?: string } | undefined)?.jobId);
    const deps = sandboxReleaseDeps(sim, () => sim.account.now());
    const dry = await runInSandbox(sim.account, () =>
      releaseIncident(deps, { incidentId: INCIDENT, dryRun: true }),
    );
    const said = dry.steps.filter((s) => s.action === 'signature-revoked');
    expect(said).toHaveLength(1);
    expect(said[0]?.target).toContain(jobId);
    expect(said[0]?.detail).toContain('cannot be undone');
    const { result: released, calls } = await recordCalls(() =>
      runInSandbox(sim.account, () => releaseIncident(deps, { incidentId: INCIDENT })),
    );
    expect(released.released).toBe(true);
    expect(released.steps.find((s) => s.action === 'signature-revoked')?.detail).toContain(
      'rebuild the image and sign it anew',
    );
    const publish = calls.find((c) => c.service === 'sns' && c.operation === 'Publish');
    const message = String((publish?.input as { Message?: string } | undefined)?.Message);
    const email = (JSON.parse(message) as { email: string }).email;
    expect(email).toContain('cannot be undone');
    expect(email).toContain('rebuild the image and sign it anew');
    // Still revoked: the release restored the image, not the signature.
    expect((await verdictAfter(sim)).outcome).toBe('revoked');
  });

  describe('runtime path (GuardDuty finding, QuarantineImage of the runtime workflow)', () => {
    const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}:v1.4.2`;
    const runtime = (tasks: unknown[] = []) =>
      new Simulator({
        clock: CLOCK,
        config: parseConfig({ signing: { trustedProfiles: [TRUSTED], revokeOnQuarantine: true } }),
        scenario: {
          repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.2'], signature: 'trusted' }] }],
          tasks: tasks as never,
        },
      });

    it('revokes the job of the quarantined image of a stopped task', async () => {
      const sim = runtime();
      const result = await sim.processEvent(runtimeEvent({ severity: 8, image: IMAGE }), 'runtime');
      expect(result.apiCalls.some((c) => c.operation === 'UpdateImageStorageClass' && c.error === null)).toBe(
        true,
      );
      expect(ok(result, 'RevokeSignature')).toHaveLength(1);
      expect(email(result)).toContain('Revoke signatures: done');
    });

    it('revokes nothing when the digest is spared (another service runs it)', async () => {
      const sim = runtime([
        { cluster: 'prod', service: 'ledger', containers: [{ name: 'app', image: IMAGE }] },
      ]);
      const result = await sim.processEvent(runtimeEvent({ severity: 8, image: IMAGE }), 'runtime');
      expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
      expect(result.apiCalls.some((c) => c.operation === 'StopTask' && c.error === null)).toBe(true);
      expect(result.apiCalls.some((c) => c.operation === 'UpdateImageStorageClass')).toBe(false);
      expect(email(result)).toContain('spared');
      expect(result.apiCalls.filter((c) => c.service === 'signer')).toEqual([]);
    });
  });
});
