/**
 * Peak memory of long replays (`backtest`, `simulate`, the bench's fast replays): V8 lets the old generation
 * grow to up to ~4× what was live after the last full collection before it collects again, so a replay whose
 * live state is ~100 MB peaks at 600-800 MB RSS of mostly garbage (bench/README.md "Memory"). Capping the
 * heap (`--max-old-space-size`) bounds that, but turns a large account into an out-of-memory crash once its
 * live state passes the cap. A fixed growing factor bounds the garbage in proportion to what is live instead:
 * `--heap-growing-percent=N` makes the next full collection start when the heap reaches (1 + N/100) × live.
 * No crash at any size; more frequent (concurrent, incremental) marking in exchange.
 *
 * V8 reads this flag each time it computes the next limit, so it takes effect when set at run time: no
 * re-exec of the CLI (argv, stdio, signals and the exit code stay the process's own). Measured equal to the
 * command-line flag (bench/README.md). Node.js disables V8's freezing of flags after start for
 * `v8.setFlagsFromString`.
 */
import { setFlagsFromString } from 'node:v8';

/** Old generation limit = live × 1.3 after each full collection. */
export const REPLAY_HEAP_GROWING_PERCENT = 30;

const FLAG = '--heap-growing-percent';

/** The V8 flag to set, or undefined when the process was started with its own (`node --heap-growing-percent=N`). */
export function heapGrowthFlag(
  percent = REPLAY_HEAP_GROWING_PERCENT,
  execArgv: readonly string[] = process.execArgv,
): string | undefined {
  if (!Number.isInteger(percent) || percent < 1)
    throw new RangeError(`percent must be a whole number >= 1, got ${percent}`);
  const own = (arg: string) => arg.replaceAll('_', '-').split('=')[0] === FLAG;
  return execArgv.some(own) ? undefined : `${FLAG}=${percent}`;
}

/**
 * Applies the fixed growing factor unless the process has its own; returns whether it did. Outcomes do not
 * depend on it: only when the collector runs.
 */
export function boundHeapGrowth(
  percent = REPLAY_HEAP_GROWING_PERCENT,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  const flag = heapGrowthFlag(percent, execArgv);
  if (flag) setFlagsFromString(flag);
  return flag !== undefined;
}
