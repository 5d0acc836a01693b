/** The CLI bounds what it reads and echoes, and reports a corrupt saved sandbox in one line (issue 14, defect 13). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_BYTES, readJsonFile, shown, UsageError } from '../../bin/cli-support';
import { jsonResult } from '../../bin/commands/simulate';
import { openSavedSandbox } from '../../bin/saved-sandbox';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { MAX_PAYLOAD_BYTES } from '../../local/payload-limits';
import { formatEventResult } from '../../local/report';
import { saveSandbox } from '../../local/sandbox-store';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('reading input files', () => {
  const onLinux = process.platform === 'linux' ? it : it.skip;

  onLinux('refuses an endless device after MAX_INPUT_BYTES instead of reading it into memory', () => {
    const before = process.memoryUsage().rss;
    const err = usageError(() => readJsonFile('/dev/zero'));
    expect(err.message).toBe(`/dev/zero is larger than ${MAX_INPUT_BYTES / (1024 * 1024)} MiB: not read`);
    // Nothing near the 11.5 GB the unbounded read reached is kept.
    expect(process.memoryUsage().rss - before).toBeLessThan(4 * MAX_INPUT_BYTES);
  });

  it('reads a file up to the bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bounded-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ detail: { text: 'x'.repeat(300_000) } }));
    expect(readJsonFile(join(dir, 'event.json'))).toEqual({ detail: { text: 'x'.repeat(300_000) } });
  });

  it('names a missing file by its error code', () => {
    expect(usageError(() => readJsonFile('/nonexistent/event.json')).message).toBe(
      'cannot read /nonexistent/event.json: ENOENT',
    );
  });
});

describe('echoing user input', () => {
  it('cuts a 100,000-character id and says how long it was', () => {
    const text = shown('a'.repeat(100_000));
    expect([...text].length).toBeLessThan(160);
    expect(text).toMatch(/^a+… \(100000 characters\)$/);
  });

  it('removes terminal escapes and bidi overrides', () => {
    expect(shown('inc\u001b[2J\u202eabc')).toBe('inc[2Jabc');
  });

  it('leaves ordinary text as it is', () => {
    expect(shown('rt-0123456789abcdef')).toBe('rt-0123456789abcdef');
  });
});

describe('a corrupt saved sandbox', () => {
  function savedDir(content: string | null): string {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
    if (content === null) saveSandbox(dir, new Simulator());
    else writeFileSync(join(dir, 'sandbox.json'), content);
    return dir;
  }

  it('opens a sound one', () => {
    expect(openSavedSandbox(savedDir(null)).account.accountId).toMatch(/^\d{12}$/);
  });

  it.each([
    ['truncated JSON', '{"version":1,"account":{', 'not valid JSON'],
    ['another version', '{"version":2,"account":{}}', 'not a version 1 sandbox'],
    ['no account', '{"version":1,"config":{}}', 'no account'],
    [
      'a configuration that no longer parses',
      '{"version":1,"config":{"mode":"destroy"},"account":{}}',
      'mode',
    ],
  ])('reports %s in one line with the fix', (_name, content, reason) => {
    const dir = savedDir(content);
    const err = usageError(() => openSavedSandbox(dir));
    expect(err.message).toContain(`the sandbox saved in ${dir} cannot be read (`);
    expect(err.message).toContain(reason);
    expect(err.message).toContain(`delete ${join(dir, 'sandbox.json')} and simulate again`);
    expect(err.message).not.toContain('\n');
  });
});

describe('simulate: an execution StartExecution refused', () => {
  it('is shown in one line of the human output, and in the JSON result', async () => {
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'huge-cli' }) as { detail: Record<string, unknown> };
    event.detail.description = 'x'.repeat(MAX_PAYLOAD_BYTES);
    const result = await simulator.processEvent(event);

    const lines = formatEventResult(result).split('\n');
    const refused = lines.filter((l) => l.includes('NOT STARTED'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/RuntimeThreatResponse: NOT STARTED: PayloadLimitError: .*256 KiB/);
    expect(refused[0]?.length).toBeLessThan(300);
    expect(jsonResult(result).refused).toEqual([
      expect.objectContaining({ stateMachine: 'RuntimeThreatResponse', error: 'PayloadLimitError' }),
    ]);
  });
});
