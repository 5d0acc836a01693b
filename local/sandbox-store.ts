/**
 * A sandbox saved to a directory (`simulate --state DIR`) and opened again by the operator commands
 * (`--sandbox DIR`), so the manual flow (incidents, release, rerun, redrive) can be tried offline.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type ShieldRightConfig } from '../definitions/config';
import { Simulator, type SimulatorOptions } from './engine';

const STATE_FILE = 'sandbox.json';

interface SavedSandbox {
  readonly version: 1;
  readonly config: ShieldRightConfig;
  readonly account: Record<string, unknown>;
  /** Member accounts of the organization (issue 16), by account id. */
  readonly members?: Record<string, unknown>;
  readonly scenario?: SimulatorOptions['scenario'];
}

export function hasSavedSandbox(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

/** A saved sandbox that cannot be read back: reported in one line, never as a stack trace. */
export class CorruptSandboxError extends Error {
  constructor(dir: string, reason: string) {
    super(
      `the sandbox saved in ${dir} cannot be read (${reason}): delete ${join(dir, STATE_FILE)} and simulate again`,
    );
    this.name = 'CorruptSandboxError';
  }
}

function readSaved(dir: string): SavedSandbox {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'));
  } catch (err) {
    throw new CorruptSandboxError(dir, err instanceof SyntaxError ? 'not valid JSON' : firstLine(err));
  }
  const shape = saved as Partial<SavedSandbox> | null;
  if (!shape || typeof shape !== 'object' || shape.version !== 1) {
    throw new CorruptSandboxError(dir, 'not a version 1 sandbox');
  }
  if (!shape.account || typeof shape.account !== 'object') throw new CorruptSandboxError(dir, 'no account');
  return shape as SavedSandbox;
}

/** Opens the sandbox saved in `dir`; options given here (mode, faults) apply on top of the saved configuration. */
export function openSandbox(dir: string, options: SimulatorOptions = {}): Simulator {
  const saved = readSaved(dir);
  const account = saved.account as { accountId?: string; region?: string };
  try {
    const simulator = new Simulator({
      ...options,
      config: options.config ?? parseConfig(saved.config),
      ...(account.accountId ? { accountId: account.accountId } : {}),
      ...(account.region ? { region: account.region } : {}),
      ...(saved.scenario
        ? { scenario: { ...saved.scenario, autoProvision: saved.scenario.autoProvision } }
        : {}),
    });
    simulator.account.restore(saved.account);
    if (saved.members && typeof saved.members === 'object') simulator.organization.restore(saved.members);
    return simulator;
  } catch (err) {
    // A hand-edited or truncated file: its configuration, scenario or account records no longer load.
    throw new CorruptSandboxError(dir, firstLine(err));
  }
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').slice(0, 200) || 'unreadable';
}

export function saveSandbox(dir: string, simulator: Simulator): void {
  mkdirSync(dir, { recursive: true });
  const saved: SavedSandbox = {
    version: 1,
    config: simulator.config,
    account: simulator.account.snapshot(),
    members: simulator.organization.snapshot(),
    ...(simulator.scenario ? { scenario: simulator.scenario } : {}),
  };
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(saved)}\n`);
}
