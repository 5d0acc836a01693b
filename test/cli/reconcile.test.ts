/**
 * `shield-right reconcile --sandbox DIR`: the deployed handler run against a saved sandbox; what it starts
 * is listed by `shield-right executions` under its reconcile- name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executions } from '../../bin/commands/executions';
import { reconcile } from '../../bin/commands/reconcile';
import type { ReconcileReport } from '../../lambdas/actions/reconcile';
import { Simulator } from '../../local/engine';
import { inspectorEvent } from '../../local/fixtures/events';
import { saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-reconcile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A sandbox whose Inspector holds a CRITICAL finding that no event ever delivered. */
function sandboxWithLostFinding(): string {
  const sim = new Simulator();
  const event = inspectorEvent({ repository: 'payments-api' });
  // The saved sandbox runs on the real clock: the finding is two hours old, past the settling time.
  const at = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const detail: Record<string, unknown> = {
    ...(event.detail as Record<string, unknown>),
    firstObservedAt: at,
    updatedAt: at,
  };
  sim.account.inspector2.putFinding(detail);
  sim.account.ecr.putImage({
    repository: 'payments-api',
    digest: String(
      (detail.resources as { details: { awsEcrContainerImage: { imageHash: string } } }[])[0]?.details
        .awsEcrContainerImage.imageHash,
    ),
    tags: ['v1.4.1'],
  });
  saveSandbox(dir, sim);
  return String(detail.findingArn);
}

test('reconcile --sandbox starts the lost finding once, and executions lists it by its reconcile- name', async () => {
  const findingArn = sandboxWithLostFinding();

  const first = streams();
  expect(await reconcile(['--sandbox', dir, '--json'], first.io)).toBe(0);
  const second = streams();
  expect(await reconcile(['--sandbox', dir], second.io)).toBe(0);
  const listed = streams();
  expect(await executions(['--sandbox', dir, '--json'], listed.io)).toBe(0);

  const report = JSON.parse(first.out()) as ReconcileReport;
  expect(report.inspector.started.map((s) => s.finding)).toEqual([findingArn]);
  const name = report.inspector.started[0]?.executionName ?? '';
  expect(name).toMatch(/^reconcile-/);
  // The first sweep quarantined (archived) the image, so Inspector now reads its finding CLOSED.
  expect(second.out()).toContain('Inspector: 0 listed, 0 started');
  const names = (JSON.parse(listed.out()) as { executions: { name: string; status: string }[] }).executions;
  expect(names).toEqual([expect.objectContaining({ name, status: 'SUCCEEDED' })]);
});

test('against a deployed stack, reconcile refuses to sweep without the deployed configuration', async () => {
  const { io, err } = streams();

  await expect(reconcile([], io)).rejects.toThrow(
    'against a deployed stack, reconcile needs --config FILE: the configuration the stack was deployed with',
  );
  expect(err()).not.toContain('started');
});
