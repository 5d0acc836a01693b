/** Saved sandboxes for the CLI, kept apart from cli-support so that `--help` never loads the engine. */
import type { Simulator, SimulatorOptions } from '../local/engine';
import { CorruptSandboxError, openSandbox } from '../local/sandbox-store';
import { UsageError } from './cli-support';

/** Opens a saved sandbox, reporting a corrupt one in one line (exit code 2) rather than a stack trace. */
export function openSavedSandbox(dir: string, options: SimulatorOptions = {}): Simulator {
  try {
    return openSandbox(dir, options);
  } catch (err) {
    if (err instanceof CorruptSandboxError) throw new UsageError(err.message);
    throw err;
  }
}
