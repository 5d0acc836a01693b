/** What every command shares: usage errors, reading JSON files, loading the configuration. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CONTEXT_KEY,
  ConfigError,
  DEFAULT_CONFIG,
  parseConfig,
  type ShieldRightConfig,
} from '../definitions/config';

/** Bad options or unreadable input: printed as a one-line message, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function useColor(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
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
    throw new UsageError(`${name} must be a number from ${min} to ${max}, got ${value}`);
  return n;
}
