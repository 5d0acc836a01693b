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
  readonly scenario?: SimulatorOptions['scenario'];
}

export function hasSavedSandbox(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

/** Opens the sandbox saved in `dir`; options given here (mode, faults) apply on top of the saved configuration. */
export function openSandbox(dir: string, options: SimulatorOptions = {}): Simulator {
  const saved = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as SavedSandbox;
  const account = saved.account as { accountId?: string; region?: string };
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
  return simulator;
}

export function saveSandbox(dir: string, simulator: Simulator): void {
  mkdirSync(dir, { recursive: true });
  const saved: SavedSandbox = {
    version: 1,
    config: simulator.config,
    account: simulator.account.snapshot(),
    ...(simulator.scenario ? { scenario: simulator.scenario } : {}),
  };
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(saved)}\n`);
}
