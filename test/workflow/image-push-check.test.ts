/**
 * A re-push that lifts a held quarantine (docs/aws-behaviours.md, "ECR pushes"): ECR restores an archived
 * image at once when it is pushed again, and reports every completed push as an "ECR Image Action" event that
 * does not say who pushed. The sandbox emits that event on PutImage; the ImagePushRule starts ImagePushCheck,
 * which quarantines again and notifies a possible bypass only when an incident still holds the digest.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageQuarantineStrategy, parseConfig } from '../../definitions/config';
import { releaseIncident } from '../../lambdas/actions/release-image';
import { type EventResult, Simulator } from '../../local/engine';
import { inspectorEvent } from '../../local/fixtures/events';
import { mutatingCalls } from '../../local/report';
import { runInSandbox } from '../../local/sandbox/transport';
import { AwsError } from '../../local/sandbox/types';
import { openSandbox, saveSandbox } from '../../local/sandbox-store';
import { failCalls } from '../helpers/faults';
import { sandboxReleaseDeps } from '../helpers/release-deps';

const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const TAG = 'v1.4.1';
const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
// Each test builds a sandbox and runs two workflows end to end: slow on a loaded machine, not a speed test.
const SLOW = 60_000;

interface Image {
  imageDigest: string;
  imageStatus: string;
  imageTags?: string[];
}

async function image(sim: Simulator, digest = DIGEST): Promise<Image | undefined> {
  const out = (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageDigest: digest }],
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails: Image[] };
  return out.imageDetails[0];
}

async function manifestOf(sim: Simulator, digest = DIGEST): Promise<string> {
  const out = (await sim.account.call('ecr', 'BatchGetImage', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageDigest: digest }],
  })) as { images: { imageManifest: string }[] };
  const manifest = out.images[0]?.imageManifest;
  if (!manifest) throw new Error(`no manifest for ${digest}`);
  return manifest;
}

/** "Someone else" pushes: a plain PutImage on the sandbox, as a CI job or an attacker would call it. */
async function push(sim: Simulator, manifest: string, tag: string) {
  await sim.account.call('ecr', 'PutImage', {
    repositoryName: REPOSITORY,
    imageManifest: manifest,
    imageTag: tag,
  });
}

const bypassNotes = (results: EventResult[]) =>
  results.flatMap((r) => r.notifications).filter((n) => n.subject?.includes('possible quarantine bypass'));

/** A digest quarantined by a CRITICAL Inspector finding; its manifest read before (an archive cannot be read). */
async function quarantined(strategy: ImageQuarantineStrategy) {
  const sim = new Simulator({
    clock: CLOCK,
    config: parseConfig({ imageQuarantine: strategy }),
    scenario: {
      repositories: [
        {
          name: REPOSITORY,
          images: [
            { tags: [TAG], digest: DIGEST },
            { tags: ['v2.0.0'], digest: OTHER_DIGEST },
          ],
        },
      ],
    },
  });
  const manifest = await manifestOf(sim);
  const result = await sim.processEvent(
    inspectorEvent({ digest: DIGEST, repository: REPOSITORY }),
    'critical',
  );
  const output = result.executions[0]?.output as { finding: { incidentId: string } };
  // The quarantine's own pushes (a quarantine tag) are checked too, and leave the hold as it is.
  const own = await sim.processEmittedEvents();
  return { sim, manifest, incidentId: output.finding.incidentId, result, own };
}

async function incidentItem(sim: Simulator, incidentId: string) {
  const out = (await sim.account.call('dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${incidentId}` } },
  })) as { Item?: Record<string, { S?: string; N?: string }> };
  return out.Item ?? {};
}

describe('ImagePushCheck', () => {
  test(
    'observe mode: a bypass is notified and nothing is changed',
    async () => {
      // Arrange: quarantined in contain mode, then the deployment switched to observe.
      const quarantine = await quarantined('archive');
      const dir = mkdtempSync(join(tmpdir(), 'push-observe-'));
      saveSandbox(dir, quarantine.sim);
      const sim = openSandbox(dir, { mode: 'observe', clock: CLOCK });
      await push(sim, quarantine.manifest, TAG);

      // Act
      const results = await sim.processEmittedEvents();

      // Assert
      const run = results[0]?.executions[0];
      expect(run?.states).toEqual(expect.arrayContaining(['ObserveBypass', 'NotifyBypass']));
      expect(run?.states).not.toContain('QuarantineAgain');
      expect(results.flatMap((r) => mutatingCalls(r.apiCalls))).toEqual([]);
      expect((await image(sim))?.imageStatus).toBe('ACTIVE');
      const email = JSON.parse(bypassNotes(results)[0]?.message ?? '{}').email as string;
      expect(email).toContain('not quarantined again (observe mode)');
    },
    SLOW,
  );

  test(
    'archive mode: a re-push by someone else makes the held image ACTIVE; it is archived again and one bypass is notified',
    async () => {
      // Arrange
      const { sim, manifest, incidentId, own } = await quarantined('archive');
      expect((await image(sim))?.imageStatus).toBe('ARCHIVED');
      expect(own).toEqual([]);

      // Act: the push restores the archived image at once (as ECR does), and its event is processed.
      await push(sim, manifest, TAG);
      expect((await image(sim))?.imageStatus).toBe('ACTIVE');
      const results = await sim.processEmittedEvents();

      // Assert
      expect(results.map((r) => r.matchedRules)).toEqual([['ImagePushRule']]);
      const run = results[0]?.executions[0];
      expect(run).toMatchObject({ stateMachine: 'ImagePushCheck', status: 'SUCCEEDED' });
      expect(run?.states).toEqual(expect.arrayContaining(['QuarantineAgain', 'NotifyBypass']));
      expect((await image(sim))?.imageStatus).toBe('ARCHIVED');
      const notes = bypassNotes(results);
      expect(notes).toHaveLength(1);
      const email = JSON.parse(notes[0]?.message ?? '{}').email as string;
      expect(email).toContain(incidentId);
      expect(email).toContain(`${REPOSITORY}@${DIGEST}`);
      expect(email).toContain(`tag ${TAG}`);
      expect(email).toContain('ACTIVE again');
      expect(email).toContain('CloudTrail event PutImage');
      expect(email).toContain('Restrict ecr:PutImage');
      const item = await incidentItem(sim, incidentId);
      expect(item.status?.S).toBe('QUARANTINED');
      expect(item.bypassCount?.N).toBe('1');
    },
    SLOW,
  );

  test(
    'retag mode: a tag pushed back onto the held digest is moved to the quarantine tag again, one bypass notified',
    async () => {
      // Arrange
      const { sim, manifest, incidentId, own } = await quarantined('retag');
      const held = await image(sim);
      expect(held?.imageTags).toEqual([expect.stringMatching(/^quarantine-/)]);
      expect(own.flatMap((r) => r.executions.map((e) => e.states.at(-1)))).toEqual(['StillHeld']);

      // Act
      await push(sim, manifest, TAG);
      const results = await sim.processEmittedEvents();

      // Assert
      expect((await image(sim))?.imageTags).toEqual(held?.imageTags);
      const notes = bypassNotes(results);
      expect(notes).toHaveLength(1);
      expect(JSON.parse(notes[0]?.message ?? '{}').email).toContain(`carries tag(s) ${TAG} again`);
      expect((await incidentItem(sim, incidentId)).bypassCount?.N).toBe('1');
    },
    SLOW,
  );

  test(
    'a push of a digest no incident holds costs one read and does nothing else',
    async () => {
      // Arrange
      const { sim } = await quarantined('both');

      // Act: a new tag on an unrelated image.
      await push(sim, await manifestOf(sim, OTHER_DIGEST), 'v2.0.1');
      const results = await sim.processEmittedEvents();

      // Assert
      expect(results).toHaveLength(1);
      expect(results[0]?.executions.map((e) => e.states)).toEqual([
        ['ReadPush', 'FindHold', 'IsDigestHeld', 'NotHeld'],
      ]);
      expect(results[0]?.apiCalls.map((c) => `${c.service}:${c.operation}`)).toEqual(['dynamodb:GetItem']);
      expect(results[0]?.notifications).toEqual([]);
      expect((await image(sim, OTHER_DIGEST))?.imageTags).toEqual(
        expect.arrayContaining(['v2.0.0', 'v2.0.1']),
      );
    },
    SLOW,
  );

  describe('release (shield-right re-pushes the saved manifest)', () => {
    afterEach(() => jest.restoreAllMocks());

    test(
      'a finished release: its re-push is not quarantined again and notifies no bypass',
      async () => {
        // Arrange
        const { sim, incidentId } = await quarantined('both');

        // Act
        const released = await runInSandbox(sim.account, () =>
          releaseIncident(sandboxReleaseDeps(sim, CLOCK), { incidentId, actor: 'alice' }),
        );
        const results = await sim.processEmittedEvents();

        // Assert
        expect(released.released).toBe(true);
        expect(results.length).toBeGreaterThan(0);
        expect(results.flatMap((r) => r.executions.map((e) => e.states.at(-1)))).toEqual(
          results.map(() => 'StillHeld'),
        );
        expect(bypassNotes(results)).toEqual([]);
        expect(await image(sim)).toMatchObject({ imageStatus: 'ACTIVE', imageTags: [TAG] });
      },
      SLOW,
    );

    test(
      'a release stopped after its re-push (incident still QUARANTINED) is not read as a bypass: it is marked before the re-push',
      async () => {
        // Arrange: removing the quarantine tag fails, after the saved manifest was re-pushed under its tag.
        const { sim, incidentId } = await quarantined('both');
        failCalls(
          sim,
          (service, operation) => service === 'ecr' && operation === 'BatchDeleteImage',
          new AwsError('ServerException', 'injected'),
        );

        // Act
        const released = await runInSandbox(sim.account, () =>
          releaseIncident(sandboxReleaseDeps(sim, CLOCK), { incidentId, actor: 'alice' }),
        );
        const results = await sim.processEmittedEvents();

        // Assert: the image is ACTIVE by shield-right's own push; the incident still QUARANTINED, being released.
        expect(released.released).toBe(false);
        expect((await incidentItem(sim, incidentId)).status?.S).toBe('QUARANTINED');
        expect((await image(sim))?.imageStatus).toBe('ACTIVE');
        const outputs = results.flatMap((r) => r.executions.map((e) => e.output)) as {
          check?: { bypass: boolean; reason: string };
        }[];
        expect(outputs.map((o) => o.check)).toEqual(
          results.map(() =>
            expect.objectContaining({ bypass: false, reason: expect.stringContaining('being released') }),
          ),
        );
        expect(bypassNotes(results)).toEqual([]);
        expect((await image(sim))?.imageStatus).toBe('ACTIVE');
      },
      SLOW,
    );
  });
});
