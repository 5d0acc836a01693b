/**
 * Environment read and checked at cold start: a missing variable fails the function at load, loudly.
 * Values are re-read when the variable changes so the offline engine can run several configurations
 * in one process.
 */
import { parseConfig } from '../../definitions/config';
import { ConfigurationError } from '../core/errors';
import type { PolicySettings } from '../core/policy';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

/**
 * Checks the variables at cold start (a missing one fails the function at load) and returns a reader
 * that reads them on each invocation: the offline engine runs several sandboxes in one process.
 */
export function environment<K extends string>(...names: K[]): () => Record<K, string> {
  const read = () => Object.fromEntries(names.map((name) => [name, requireEnv(name)])) as Record<K, string>;
  read();
  return read;
}

/**
 * The decision time: the execution's start (so windows and TTLs follow the workflow's clock, offline
 * too), or now when the input has none.
 */
export function decisionTime(startTime: unknown): number {
  const ms = typeof startTime === 'string' ? Date.parse(startTime) : Number.NaN;
  return Number.isNaN(ms) ? Date.now() : ms;
}

let cachedRaw: string | undefined;
let cachedSettings: ReturnType<typeof parseConfig> | undefined;

/** The response policy from SHIELD_RIGHT_POLICY (written by the CDK construct and the offline engine). */
export function policySettings(): PolicySettings & ReturnType<typeof parseConfig> {
  const raw = requireEnv('SHIELD_RIGHT_POLICY');
  if (raw !== cachedRaw || !cachedSettings) {
    try {
      cachedSettings = parseConfig(JSON.parse(raw));
    } catch (err) {
      throw new ConfigurationError(`SHIELD_RIGHT_POLICY is invalid: ${(err as Error).message}`);
    }
    cachedRaw = raw;
  }
  return cachedSettings;
}

export function retentionDays(): number {
  return policySettings().incidentRetentionDays;
}
