/**
 * Offline replay throughput: a mixed stream of findings through one Simulator (rule match, workflow,
 * handlers, sandbox), one after another as `shield-right simulate` runs them. Runs in its own process so
 * its peak memory is its own.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { MAX_BUDGET } from '../definitions/config';
import type { FunctionId } from '../definitions/functions';
import { Simulator } from '../local/engine';
import { boundHeapGrowth, REPLAY_HEAP_GROWING_PERCENT, releaseKeptObjects } from '../local/heap';
import type { EnginePath } from '../local/sandbox/account';
import { instrument } from './instrument';
import { addResult, emptyTally, type Tally, withCaps } from './outcome';
import { Profiler, type ProfileSummary, summarize } from './profile';
import { mb, round } from './stats';
import { applyWhatIf, type WhatIf } from './what-if';
import { type EventKind, emptyKindCounts, mixedEvents } from './workload';

export interface ReplayJob {
  readonly kind: 'replay';
  readonly events: number;
  /** Events per time slice reported (to see whether the cost per finding drifts during the run). */
  readonly slice: number;
  /** Measure what the sandbox retains at the end (JSON size per service); costs a few seconds at 50k. */
  readonly retained: boolean;
  /** CPU-profile the measured loop and write the .cpuprofile here (the run is then slower: not a headline figure). */
  readonly profilePath?: string;
  /** Apply a measured what-if (bench/what-if.ts) before the run. */
  readonly whatIf?: WhatIf;
  /** The reference path (default) or the fast path (local/sandbox/account.ts `EnginePath`). */
  readonly engine?: EnginePath;
  /** Bound the heap's growth as `backtest` and long `simulate` runs do (local/heap.ts). */
  readonly boundHeap?: boolean;
}

export interface ReplayResult {
  readonly events: number;
  readonly engine: EnginePath;
  readonly kinds: Record<EventKind, number>;
  readonly wallMs: number;
  /** Time spent building events (excluded from wallMs). */
  readonly generateMs: number;
  readonly findingsPerSecond: number;
  readonly msPerFinding: number;
  /** CPU time (user + system) of the process during the run, per finding: less sensitive to other load. */
  readonly cpuMsPerFinding: number;
  /** ms per finding in each consecutive slice of `slice` events. */
  readonly sliceMsPerFinding: number[];
  /** Per slice: AWS API calls per finding, GC pause ms per finding, heap used at the end of the slice (MB). */
  readonly sliceApiCallsPerFinding: number[];
  readonly sliceGcMsPerFinding: number[];
  readonly sliceHeapMb: number[];
  /** Total GC pause time during the run (PerformanceObserver 'gc' entries). */
  readonly gcMs: number;
  readonly slice: number;
  readonly tally: Tally;
  readonly perFinding: { transitions: number; apiCalls: number; lambdaInvocations: number };
  readonly phases: {
    lambdaMs: number;
    integrationMs: number;
    integrationCalls: number;
    sandboxMs: number;
    sandboxCalls: number;
  };
  /** Lambda invocations and mean in-process duration per function, for the cost of the mixed stream. */
  readonly functions: { fn: FunctionId; invocations: number; meanMs: number }[];
  readonly memory: {
    readonly baselineRssMb: number;
    readonly peakRssMb: number;
    readonly maxRssSampledMb: number;
    readonly endHeapUsedMb: number;
    readonly retainedHeapMb?: number;
    readonly retainedKbPerFinding?: number;
    readonly retainedJsonMbByService?: Record<string, number>;
    readonly heapLimitMb: number;
    /** `--heap-growing-percent` in force (local/heap.ts), or null for V8's adaptive growth. */
    readonly heapGrowingPercent: number | null;
    /** How the worker ran: compiled JavaScript (bench/compile.ts) or the TypeScript sources under tsx. */
    readonly runtime: 'compiled' | 'tsx';
  };
  readonly caps: { perCluster: number; perAccount: number };
  readonly profile?: ProfileSummary;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) collect();
}

/** The highest caps the configuration accepts: every High/Medium finding is acted on. */
export const RAISED_CAP = { perCluster: MAX_BUDGET, perAccount: MAX_BUDGET } as const;

/** Loads every handler module once, outside any measurement, in a Simulator that is then dropped. */
export async function warmUp(engine: EnginePath = 'reference'): Promise<void> {
  const warm = new Simulator({ config: withCaps(RAISED_CAP.perCluster, RAISED_CAP.perAccount), engine });
  for (const { event } of mixedEvents(20)) await warm.processEvent(event);
}

export async function runReplay(job: ReplayJob): Promise<ReplayResult> {
  const { getHeapStatistics } = await import('node:v8');
  if (job.whatIf) applyWhatIf(job.whatIf);
  const heapGrowingPercent = job.boundHeap && boundHeapGrowth() ? REPLAY_HEAP_GROWING_PERCENT : null;
  // Caps raised so every High/Medium finding is contained: the most work per finding (see README).
  const engine = job.engine ?? 'reference';
  const simulator = new Simulator({
    config: withCaps(RAISED_CAP.perCluster, RAISED_CAP.perAccount),
    engine,
  });
  const probe = instrument(simulator);
  probe.keepSamples = false;
  await warmUp(engine);
  gc();
  const baselineHeap = process.memoryUsage().heapUsed;
  const baselineRss = process.memoryUsage.rss();
  const tally = emptyTally();
  const kinds = emptyKindCounts();
  const sliceMs: number[] = [];
  const sliceCalls: number[] = [];
  const sliceHeap: number[] = [];
  const sliceEnds: number[] = [];
  const gcPauses: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  let callsBefore = 0;
  let maxRss = baselineRss;
  let generateMs = 0;
  const stream = mixedEvents(job.events);
  const profiler = job.profilePath ? new Profiler() : undefined;
  await profiler?.start();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let sliceStart = start;
  let sliceGen = 0;
  for (let i = 0; ; i++) {
    const g0 = performance.now();
    const next = stream.next();
    const g = performance.now() - g0;
    generateMs += g;
    sliceGen += g;
    if (next.done) break;
    kinds[next.value.kind] += 1;
    const result = await simulator.processEvent(next.value.event, next.value.kind);
    addResult(tally, result);
    // As backtest and simulate do between events (local/heap.ts): what WeakRefs kept is released.
    await releaseKeptObjects();
    if ((i + 1) % 100 === 0) maxRss = Math.max(maxRss, process.memoryUsage.rss());
    if ((i + 1) % job.slice === 0) {
      const now = performance.now();
      sliceMs.push((now - sliceStart - sliceGen) / job.slice);
      sliceCalls.push((tally.apiCalls - callsBefore) / job.slice);
      callsBefore = tally.apiCalls;
      sliceHeap.push(process.memoryUsage().heapUsed);
      sliceEnds.push(now);
      sliceStart = now;
      sliceGen = 0;
    }
  }
  const wallMs = performance.now() - start - generateMs;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000 - generateMs;
  const profile = profiler ? summarize(await profiler.stop(job.profilePath)) : undefined;
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
  // GC entries are delivered asynchronously: let them arrive, then attribute each pause to its slice.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const sliceGc = sliceEnds.map(() => 0);
  let gcMs = 0;
  for (const pause of gcPauses) {
    if (pause.start < start) continue;
    gcMs += pause.duration;
    const index = sliceEnds.findIndex((end) => pause.start <= end);
    if (index >= 0) sliceGc[index] = (sliceGc[index] ?? 0) + pause.duration;
  }
  const endHeap = process.memoryUsage().heapUsed;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  let retained: Pick<
    ReplayResult['memory'],
    'retainedHeapMb' | 'retainedKbPerFinding' | 'retainedJsonMbByService'
  > = {};
  if (job.retained) {
    gc();
    const heap = process.memoryUsage().heapUsed - baselineHeap;
    const snapshot = simulator.account.snapshot() as { services?: Record<string, unknown> };
    retained = {
      retainedHeapMb: mb(heap),
      retainedKbPerFinding: round(heap / 1024 / job.events, 1),
      retainedJsonMbByService: Object.fromEntries(
        Object.entries(snapshot.services ?? {})
          .map(([name, state]) => [name, mb(JSON.stringify(state).length)] as const)
          .sort((a, b) => b[1] - a[1]),
      ),
    };
  }
  return {
    events: job.events,
    engine,
    kinds,
    wallMs: round(wallMs, 1),
    generateMs: round(generateMs, 1),
    findingsPerSecond: round((job.events / wallMs) * 1000, 1),
    msPerFinding: round(wallMs / job.events, 3),
    cpuMsPerFinding: round(cpuMs / job.events, 3),
    sliceMsPerFinding: sliceMs.map((v) => round(v, 3)),
    sliceApiCallsPerFinding: sliceCalls.map((v) => round(v, 2)),
    sliceGcMsPerFinding: sliceGc.map((v) => round(v / job.slice, 3)),
    sliceHeapMb: sliceHeap.map((v) => mb(v)),
    gcMs: round(gcMs, 1),
    slice: job.slice,
    tally,
    perFinding: {
      transitions: round(tally.transitions / job.events, 2),
      apiCalls: round(tally.apiCalls / job.events, 2),
      lambdaInvocations: round(tally.lambdaInvocations / job.events, 2),
    },
    phases: {
      lambdaMs: round(probe.lambdaMs, 1),
      integrationMs: round(probe.integrationMs, 1),
      integrationCalls: probe.integrationCalls,
      sandboxMs: round(probe.sandboxMs, 1),
      sandboxCalls: probe.sandboxCalls,
    },
    functions: [...probe.perFunction].map(([fn, t]) => ({
      fn,
      invocations: t.invocations,
      meanMs: round(t.totalMs / t.invocations, 3),
    })),
    memory: {
      baselineRssMb: mb(baselineRss),
      peakRssMb: mb(peakRss),
      maxRssSampledMb: mb(maxRss),
      endHeapUsedMb: mb(endHeap),
      ...retained,
      heapLimitMb: mb(getHeapStatistics().heap_size_limit),
      heapGrowingPercent,
      runtime: __filename.endsWith('.js') ? 'compiled' : 'tsx',
    },
    caps: RAISED_CAP,
    ...(profile ? { profile } : {}),
  };
}
