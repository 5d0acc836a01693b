/** What every command shares: usage errors, reading JSON files, loading the configuration. */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONTEXT_KEY,
  ConfigError,
  DEFAULT_CONFIG,
  parseConfig,
  type ShieldRightConfig,
} from '../definitions/config';
import { plainText } from '../lambdas/core/escape';

/** Bad options or unreadable input: printed as a one-line message, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The most a command reads from one file. An EventBridge event is at most 256 KB and a saved sandbox a few
 * MB; the bound keeps `--event /dev/zero` or a wrong path from filling memory.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads at most `MAX_INPUT_BYTES` (devices and pipes included) or refuses the file. */
function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_INPUT_BYTES + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > MAX_INPUT_BYTES) {
        throw new UsageError(
          `${shown(file)} is larger than ${MAX_INPUT_BYTES / (1024 * 1024)} MiB: not read`,
        );
      }
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function useColor(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readBounded(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read ${shown(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${shown(file)} is not valid JSON: ${shown((err as Error).message)}`);
  }
}

const SHOWN_CHARACTERS = 120;

/**
 * User input as it may appear in a one-line message: cleaned like notification text (controls and
 * bidi overrides removed) and cut, so a 100,000-character id cannot flood or drive the terminal.
 */
export function shown(text: string): string {
  const clean = plainText(text, SHOWN_CHARACTERS);
  const length = [...text].length;
  return length > SHOWN_CHARACTERS ? `${clean} (${length} characters)` : clean;
}

export interface LabeledEvent {
  readonly label: string;
  readonly event: unknown;
}

/** A file holds one event or a JSON array of events; each is labeled `<file>#<index>`. */
export function readEvents(files: readonly string[]): LabeledEvent[] {
  return files.flatMap((file) => {
    const content = readJsonFile(file);
    const events = Array.isArray(content) ? content : [content];
    return events.map((event, index) => ({ label: `${file}#${index}`, event }));
  });
}

/** `--config FILE`, else the `shield-right` context of ./cdk.json (what `cdk deploy` uses), else the defaults. */
export function loadConfig(file: string | undefined): ShieldRightConfig {
  try {
    if (file) return parseConfig(readJsonFile(file));
    const cdkJson = resolve(process.cwd(), 'cdk.json');
    if (existsSync(cdkJson)) {
      const context = (readJsonFile(cdkJson) as { context?: Record<string, unknown> }).context;
      if (context?.[CONTEXT_KEY] !== undefined) return parseConfig(context[CONTEXT_KEY]);
    }
    return DEFAULT_CONFIG;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function parseNumber(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${name} must be a number from ${min} to ${max}, got ${shown(value)}`);
  return n;
}
