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
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';

/**
 * Old generation limit = live × 1.15 after each full collection. 30 peaked at 327 MB for the bench's 10,000
 * findings, 15 at ~280-300 MB with no measurable CPU cost on a loaded 2-core machine (bench/README.md "Memory").
 */
export const REPLAY_HEAP_GROWING_PERCENT = 15;

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

/**
 * Returns to the event loop once. A `WeakRef` keeps its target alive until the end of the current job
 * (ECMAScript AddToKeptObjects / ClearKeptObjects; Node.js clears the list when the microtask queue drains),
 * and each execution of the ASL engine makes one: `AbortSignal.any` (aws-local-stepfunctions, per nested
 * execution) registers its signal in its sources through a WeakRef. A replay whose awaits are all
 * microtasks (the sandbox answers in-process) never ends that job, so every execution's signal, listeners
 * and what their closures hold stayed live for the whole replay (20-30 MB more live at 10,000 findings,
 * 40 MB of peak RSS: bench/README.md "Memory, second pass"). Long sequential replays await this between
 * events; not inside concurrent runs, whose interleaving must not depend on it.
 */
export function releaseKeptObjects(): Promise<void> {
  return nextMacrotask();
}
