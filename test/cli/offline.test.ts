/**
 * The operator commands against a saved sandbox, end to end: the same SDK clients, routed to the sandbox,
 * and the same workflows run by the offline engine when an execution starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { executions } from '../../bin/commands/executions';
import { incident, incidents } from '../../bin/commands/incidents';
import { redrive } from '../../bin/commands/redrive';
import { release } from '../../bin/commands/release';
import { rerun } from '../../bin/commands/rerun';
import { respond } from '../../bin/commands/respond';
import { simulate } from '../../bin/commands/simulate';
import { Simulator } from '../../local/engine';
import { loadExample } from '../../local/fixtures/events';
import { openSandbox, saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

const EXAMPLE = 'examples/events/01-high-fargate-crypto-miner.json';
const INCIDENT = '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7';
const REPOSITORY = 'payments-api';

async function call(sim: Simulator, service: 'ecr' | 'ec2' | 'ecs' | 'dynamodb', op: string, input: object) {
  return (await sim.account.call(service, op, input as Record<string, unknown>)) as Record<string, unknown>;
}

async function incidentStatus(dir: string): Promise<string | undefined> {
  const sim = openSandbox(dir);
  const out = await call(sim, 'dynamodb', 'GetItem', {
    TableName: sim.table,
    Key: { pk: { S: `INCIDENT#${INCIDENT}` } },
  });
  return (out.Item as { status?: { S?: string } } | undefined)?.status?.S;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-offline-'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** The response executions: the push checks that the quarantine's own ECR pushes start are left out. */
const responses = (sim: ReturnType<typeof openSandbox>) =>
  sim.states.all().filter((e) => e.executionArn.includes(':RuntimeThreatResponse:'));

test('simulate → incidents → release restores the image and its tags → rerun acts no more', async () => {
  // Arrange: a High finding contained offline, saved to DIR.
  await simulate(['--state', dir, EXAMPLE]);
  const contained = openSandbox(dir);
  const [first] = responses(contained);
  const executionArn = first?.executionArn ?? '';
  const archived = await call(contained, 'ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    filter: { imageStatus: 'ARCHIVED' },
  });
  const [quarantined] = archived.imageDetails as { imageDigest?: string; imageTags?: string[] }[];

  // Act 1: the incident is listed as contained.
  const listing = streams();
  const listCode = await incidents(['--sandbox', dir, '--json'], listing.io);

  // Assert 1
  expect(listCode).toBe(0);
  const listed = JSON.parse(listing.out());
  expect(listed.incidents).toEqual([
    expect.objectContaining({
      incidentId: INCIDENT,
      status: 'CONTAINED',
      actions: ['task stopped', 'image quarantined', 'service tagged'],
    }),
  ]);
  expect(quarantined?.imageTags).toEqual([expect.stringMatching(/^quarantine-/)]);

  // Act 2: a rerun while contained is refused and starts nothing.
  const refused = streams();
  const refusedCode = await rerun([executionArn, '--sandbox', dir], refused.io);

  // Assert 2
  expect(refusedCode).toBe(1);
  expect(refused.err()).toContain('is already CONTAINED');
  // The quarantine's own tag push is checked by ImagePushCheck; the refused rerun started nothing.
  expect(responses(openSandbox(dir))).toHaveLength(1);

  // Act 3: release.
  const released = streams();
  const releaseCode = await release([INCIDENT, '--sandbox', dir], released.io);

  // Assert 3: reopened from DIR, the image is ACTIVE under its original tag, the service tag is gone.
  expect(releaseCode).toBe(0);
  const after = openSandbox(dir);
  const images = await call(after, 'ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageTag: 'v1.4.2' }],
  });
  expect(images.imageDetails).toEqual([
    expect.objectContaining({
      imageDigest: quarantined?.imageDigest,
      imageStatus: 'ACTIVE',
      imageTags: ['v1.4.2'],
    }),
  ]);
  const item = (await call(after, 'dynamodb', 'GetItem', {
    TableName: after.table,
    Key: { pk: { S: `INCIDENT#${INCIDENT}` } },
  })) as { Item: { outcome: { S: string } } };
  // The stop was the containment: no rule was revoked, so none is restored (issue 14).
  const isolation = JSON.parse(item.Item.outcome.S).isolate as { status: string };
  expect(isolation.status).toBe('skipped');
  const service = await call(after, 'ecs', 'ListTagsForResource', {
    resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/payments-api',
  });
  expect(service.tags).toEqual([]);
  expect(await incidentStatus(dir)).toBe('RELEASED');
  const notices = after.account.sns.published().filter((m) => m.subject?.includes('released'));
  expect(notices).toHaveLength(1);

  // Act 4: a rerun without --force now starts, and the workflow sees a known finding.
  const tasksBefore = await call(after, 'ecs', 'ListTasks', { cluster: 'prod', desiredStatus: 'RUNNING' });
  const rerunning = streams();
  const rerunCode = await rerun([executionArn, '--sandbox', dir], rerunning.io);

  // Assert 4: nothing stopped, isolated or quarantined again.
  expect(rerunCode).toBe(0);
  const final = openSandbox(dir);
  const second = final.states.all().find((e) => e.name.includes('-rerun-'));
  expect(second?.status).toBe('SUCCEEDED');
  expect(second?.states).not.toContain('StopTask');
  expect(second?.states).not.toContain('QuarantineImage');
  const tasksAfter = await call(final, 'ecs', 'ListTasks', { cluster: 'prod', desiredStatus: 'RUNNING' });
  expect(tasksAfter.taskArns).toEqual(tasksBefore.taskArns);
  const still = await call(final, 'ecr', 'DescribeImages', {
    repositoryName: REPOSITORY,
    imageIds: [{ imageTag: 'v1.4.2' }],
  });
  expect((still.imageDetails as { imageStatus?: string }[])[0]?.imageStatus).toBe('ACTIVE');
  expect(await incidentStatus(dir)).toBe('RELEASED');

  // And both executions are listed, beside the push check of the quarantine's own tag push.
  const listedExecutions = streams();
  await executions(['--sandbox', dir, '--json'], listedExecutions.io);
  const executionList = JSON.parse(listedExecutions.out()) as {
    count: number;
    executions: { executionArn: string }[];
  };
  expect(executionList.count).toBe(3);
  expect(
    executionList.executions.filter((e) => e.executionArn.includes(':RuntimeThreatResponse:')),
  ).toHaveLength(2);
});

test('respond --finding-id reads the sandbox GuardDuty, runs the workflow and saves the result', async () => {
  // Arrange
  const event = loadExample('01-high-fargate-crypto-miner.json');
  const detail = event.detail as Record<string, unknown>;
  const simulator = new Simulator({});
  simulator.account.guardduty.putDetector('12abc34d567e8fa901bc2d34e56789f0');
  simulator.account.guardduty.putFinding('12abc34d567e8fa901bc2d34e56789f0', detail);
  saveSandbox(dir, simulator);
  const { io, out } = streams();

  // Act
  const code = await respond(['--finding-id', INCIDENT, '--sandbox', dir], io);

  // Assert
  expect(code).toBe(0);
  expect(out()).toContain(`Started RuntimeThreatResponse for incident ${INCIDENT}: SUCCEEDED`);
  const [execution] = openSandbox(dir).states.all();
  expect(execution?.name).toMatch(new RegExp(`^${INCIDENT}-respond-\\d{8}T\\d{9}Z$`));
  expect(execution?.states).toContain('StopTask');
  expect(await incidentStatus(dir)).toBe('CONTAINED');
});

test('a dry run in the sandbox plans with the sandbox resources and saves nothing', async () => {
  // Arrange
  saveSandbox(dir, new Simulator({}));
  const before = readFileSync(join(dir, 'sandbox.json'), 'utf8');
  const { io, out } = streams();

  // Act
  const code = await respond(
    ['--event', 'examples/events/03-medium-suspicious-command.json', '--dry-run', '--sandbox', dir],
    io,
  );

  // Assert
  expect(code).toBe(0);
  // A Medium finding on a task of a service: its groups are the service's, so notify and recommend.
  expect(out()).toContain('disposition: notify (path notify)');
  expect(out()).toContain('isolation not possible in place');
  expect(readFileSync(join(dir, 'sandbox.json'), 'utf8')).toBe(before);
});

test('redrive resumes a failed execution in the sandbox; a second redrive is refused', async () => {
  // Arrange: the evidence bucket is missing, so CaptureEvent (the first evidence write) fails; then it is created again.
  const simulator = new Simulator({});
  simulator.account.s3.restore({ buckets: [] });
  const result = await simulator.processEvent(loadExample('01-high-fargate-crypto-miner.json'));
  const failed = result.executions[0];
  simulator.account.s3.createBucket(simulator.bucket);
  saveSandbox(dir, simulator);
  const first = streams();
  const second = streams();
  const listed = streams();
  const timeline = streams();

  // Act
  const firstCode = await redrive([failed?.executionArn ?? '', '--sandbox', dir], first.io);
  await executions(['--sandbox', dir, '--json'], listed.io);
  await incident([INCIDENT, '--sandbox', dir], timeline.io);
  const secondCode = await redrive([failed?.executionArn ?? '', '--sandbox', dir], second.io);

  // Assert
  expect(failed?.status).toBe('FAILED');
  expect(firstCode).toBe(0);
  expect(first.out()).toContain('(was FAILED): now SUCCEEDED, redrive #1');
  expect(await incidentStatus(dir)).toBe('CONTAINED');
  // The same execution, redriven once; its history goes on from the step that failed.
  expect(JSON.parse(listed.out()).executions).toEqual([
    expect.objectContaining({ executionArn: failed?.executionArn, status: 'SUCCEEDED', redriveCount: 1 }),
  ]);
  const steps = timeline.out().split('\n');
  const redriven = steps.findIndex((line) => line.includes('execution redriven (#1)'));
  expect(redriven).toBeGreaterThan(0);
  expect(steps.slice(redriven + 1).find((line) => line.includes('step '))).toContain('step CaptureEvent');
  expect(steps.slice(redriven).some((line) => line.includes('step RecordIncident'))).toBe(false);
  expect(secondCode).toBe(1);
  expect(second.err()).toContain('SUCCEEDED: there is nothing to redrive');
});

test('saving after a command keeps the scenario the sandbox was made with', async () => {
  // Arrange
  const scenarioFile = 'examples/scenarios/shared-security-group.json';
  await simulate(['--state', dir, '--scenario', scenarioFile, EXAMPLE]);

  // Act
  await release([INCIDENT, '--sandbox', dir], streams().io);

  // Assert
  const saved = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'));
  expect(saved.scenario).toEqual(JSON.parse(readFileSync(scenarioFile, 'utf8')));
});

test('smoke: the installed command prints the incidents help', () => {
  const root = resolve(__dirname, '..', '..');
  const run = spawnSync(process.execPath, [join(root, 'bin', 'shield-right.js'), 'incidents', '--help'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('Usage: shield-right incidents');
  expect(run.stdout).toContain('--status STATUS');
});
