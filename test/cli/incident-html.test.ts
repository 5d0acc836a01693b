/**
 * `shield-right incident ID --html FILE` on a saved sandbox: the page shows what was done, the path through
 * the workflow from the execution history, the timeline and evidence links, and loads nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incident } from '../../bin/commands/incidents';
import { Simulator } from '../../local/engine';
import { loadExample } from '../../local/fixtures/events';
import { saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

const INCIDENT = '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-incident-html-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('incident --html writes the incident page: path through the workflow, actions, evidence links, no network', async () => {
  const simulator = new Simulator({});
  await simulator.processEvent(loadExample('01-high-fargate-crypto-miner.json'));
  saveSandbox(dir, simulator);
  const file = join(dir, 'incident.html');
  const io = streams();

  const code = await incident([INCIDENT, '--sandbox', dir, '--html', file], io.io);

  expect(code).toBe(0);
  expect(io.err()).toContain(`report written to ${file}`);
  const page = readFileSync(file, 'utf8');
  expect(page).toContain(`<code>${INCIDENT}</code>: CONTAINED`);
  // The path the execution took, from its history, with the actions marked.
  expect(page).toMatch(
    /<span class="state">ValidateFinding<\/span>.*<span class="state act">StopTask<\/span>/s,
  );
  // Evidence: links to the S3 console only, never loaded.
  expect(page).toMatch(
    /<a href="https:\/\/console\.aws\.amazon\.com\/s3\/object\/shield-right-evidence-\d{12}\?region=[a-z0-9-]+&amp;prefix=incidents%2F5ec2/,
  );
  const hrefs = [...page.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] ?? '');
  expect(hrefs.length).toBeGreaterThan(0);
  expect(hrefs.filter((h) => !/^https:\/\/([a-z0-9-]+\.)?console\.aws\.amazon\.com\//.test(h))).toEqual([]);
  expect(page).not.toMatch(/\ssrc\s*=/i);
  expect(page).not.toMatch(/<script\b/i);
  expect(page).toContain('Timeline');
});
