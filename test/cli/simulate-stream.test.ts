/**
 * `simulate --json` streams (issue 17): each result is written when its event is done, not held until the end,
 * and the document is the same stable JSON a single JSON.stringify(…, null, 2) printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../bin/commands/simulate';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';

let dir: string;
let printed: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-stream-'));
  printed = [];
  jest.spyOn(console, 'log').mockImplementation((text: string) => {
    printed.push(`${text}\n`);
  });
  jest.spyOn(process.stdout, 'write').mockImplementation((text: string | Uint8Array) => {
    printed.push(String(text));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('--json writes each event result before the next event runs; the whole is one stable document', async () => {
  // Arrange: three findings on three tasks, in one file
  const events = join(dir, 'events.json');
  const ids = ['11', '22', '33'].map((d) => d.repeat(16));
  writeFileSync(events, JSON.stringify(ids.map((taskId) => runtimeEvent({ taskId }))));
  // What stdout holds when each event of the file starts
  const atStart = new Map<string, string>();
  const original = Simulator.prototype.processEvent;
  jest.spyOn(Simulator.prototype, 'processEvent').mockImplementation(function (this: Simulator, ...args) {
    atStart.set(String(args[1]), printed.join(''));
    return original.apply(this, args);
  });

  // Act
  expect(await simulate(['--json', events])).toBe(0);

  // Assert: when an event of the file starts, every result before it (emitted ones included) is out
  const text = printed.join('');
  const doc = JSON.parse(text) as { results: { event: string; eventId: string }[] };
  expect(text).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  const fromFile = doc.results.filter((r) => r.event.startsWith(events));
  expect(fromFile).toHaveLength(3);
  for (const result of fromFile) {
    const before = doc.results.slice(0, doc.results.indexOf(result));
    const out = atStart.get(result.event) ?? '';
    // A result's own eventId is a member of an item of "results" (6 spaces in): other "eventId" keys are deeper.
    expect(out.match(/\n {6}"eventId": /g) ?? []).toHaveLength(before.length);
    for (const earlier of before) expect(out).toContain(`"eventId": ${JSON.stringify(earlier.eventId)}`);
  }
  expect(doc.results.findIndex((r) => r === fromFile[2])).toBeGreaterThanOrEqual(2);
});

test('--json of events that match nothing is still one document with every result', async () => {
  const events = join(dir, 'none.json');
  writeFileSync(events, JSON.stringify([{ ...runtimeEvent(), source: 'aws.other' }]));
  expect(await simulate(['--json', events])).toBe(0);
  const doc = JSON.parse(printed.join('')) as { results: { matchedRules: string[] }[] };
  expect(doc.results).toHaveLength(1);
  expect(doc.results[0]?.matchedRules).toEqual([]);
});
