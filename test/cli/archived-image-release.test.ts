/**
 * Releasing an archived image offline, as ECR does it (docs/aws-behaviours.md, "ECR archive"): the saved
 * manifest is re-pushed, which restores the image at once; without a tag to re-push it under, the storage
 * class is restored through ACTIVATING, the release stays pending and `incident` shows it in progress.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incident } from '../../bin/commands/incidents';
import { release } from '../../bin/commands/release';
import { simulate } from '../../bin/commands/simulate';
import type { Simulator } from '../../local/engine';
import { ECR_RESTORE_MS } from '../../local/sandbox/ecr';
import { openSandbox, saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

const EXAMPLE = 'examples/events/01-high-fargate-crypto-miner.json';
const INCIDENT = '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7';
const REPOSITORY = 'payments-api';

async function describe(sim: Simulator, input: object) {
  return (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    ...input,
  } as Record<string, unknown>)) as {
    imageDetails: { imageDigest: string; imageStatus: string; imageTags?: string[] }[];
  };
}

async function quarantinedDigest(dir: string): Promise<string> {
  const archived = await describe(openSandbox(dir), { filter: { imageStatus: 'ARCHIVED' } });
  const digest = archived.imageDetails[0]?.imageDigest;
  if (!digest) throw new Error('nothing was quarantined');
  return digest;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-archive-'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('release re-pushes the manifest saved at quarantine time: the archived image is ACTIVE with its tag at once', async () => {
  // Arrange
  await simulate(['--state', dir, EXAMPLE]);
  const digest = await quarantinedDigest(dir);

  // Act
  const released = streams();
  const code = await release([INCIDENT, '--sandbox', dir], released.io);

  // Assert
  expect(code).toBe(0);
  expect(released.out()).toContain('restored at once by re-pushing the saved manifest');
  const after = await describe(openSandbox(dir), { imageIds: [{ imageDigest: digest }] });
  expect(after.imageDetails).toEqual([
    expect.objectContaining({ imageDigest: digest, imageStatus: 'ACTIVE', imageTags: ['v1.4.2'] }),
  ]);
});

test('a restore through ACTIVATING leaves the release pending, shown by incident, until a release after it finishes', async () => {
  // Arrange: a newer build took the tag meanwhile, so there is nothing to re-push the manifest under.
  await simulate(['--state', dir, EXAMPLE]);
  const digest = await quarantinedDigest(dir);
  const sim = openSandbox(dir);
  await sim.account.call('ecr', 'PutImage', {
    repositoryName: REPOSITORY,
    imageManifest: JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      build: 2,
    }),
    imageTag: 'v1.4.2',
  });
  saveSandbox(dir, sim);

  // Act 1: release, then look at the incident.
  const first = streams();
  const firstCode = await release([INCIDENT, '--sandbox', dir], first.io);
  const shown = streams();
  const shownCode = await incident([INCIDENT, '--sandbox', dir, '--json'], shown.io);
  const shownText = streams();
  await incident([INCIDENT, '--sandbox', dir], shownText.io);

  // Assert 1
  expect(firstCode).toBe(1);
  expect(first.out()).toMatch(/pending\s+restore-image/);
  expect(first.out()).toContain('the image is ACTIVATING');
  expect(shownCode).toBe(0);
  const view = JSON.parse(shown.out());
  expect(view.incident.status).toBe('CONTAINED');
  expect(view.images).toEqual([
    {
      image: `${REPOSITORY}@${digest}`,
      imageStatus: 'ACTIVATING',
      release: expect.stringContaining('in progress: restoring from the archive'),
    },
  ]);
  expect(shownText.out()).toContain(`${REPOSITORY}@${digest}  ACTIVATING · release in progress`);

  // Act 2: once ECR has restored it (20 minutes later), the release is run again.
  saveSandbox(dir, openSandbox(dir, { clock: () => Date.now() + ECR_RESTORE_MS }));
  const second = streams();
  const secondCode = await release([INCIDENT, '--sandbox', dir], second.io);

  // Assert 2: ACTIVE, the newer build keeps its tag, the incident RELEASED.
  expect(secondCode).toBe(0);
  expect(second.out()).toContain('tag v1.4.2 now names');
  const after = await describe(openSandbox(dir), { imageIds: [{ imageDigest: digest }] });
  expect(after.imageDetails[0]?.imageStatus).toBe('ACTIVE');
  const final = streams();
  await incident([INCIDENT, '--sandbox', dir, '--json'], final.io);
  expect(JSON.parse(final.out()).incident.status).toBe('RELEASED');
});
