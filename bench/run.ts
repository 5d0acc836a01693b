/**
 * `npm run bench`: offline benchmarks of shield-right, printed as tables and written to bench/results.json.
 *
 *   1. critical path to containment and cost per execution    4. burst with injected throttling
 *   2. cold start: bundle size and module initialization      5. scaling with events and cluster size
 *   3. offline replay throughput and memory                   6. profile (when the throughput target is missed)
 *
 * Each measurement runs in a fresh process (bench/worker.ts). BENCH_FULL=1 also replays a month (50,000
 * findings) instead of extrapolating it; BENCH_PROFILE=1 profiles even when the target is met.
 */
import './env';
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FUNCTIONS, type FunctionId } from '../definitions/functions';
import type { BurstJob, BurstResult } from './burst';
import type { ClusterResult } from './cluster-scaling';
import { runColdStart } from './cold-start';
import type { ScenarioResult } from './critical-path';
import { ASSUMED_API_ROUND_TRIP_MS } from './critical-path';
import { machineInfo, machineLine } from './machine';
import { DEFAULT_DIGEST_WORKLOAD, type OutcomeDigest, REFERENCE_FILE } from './outcome-digest';
import { gbSeconds, PRICE_NOTES, PRICES, stepFunctionsCost } from './pricing';
import type { SdkOverheadResult } from './sdk-overhead';
import { round, usd } from './stats';
import { formatNumber, table } from './table';
import type { ReplayResult } from './throughput';
import type { Job } from './worker';
import { MIX_DESCRIPTION } from './workload';

const ROOT = resolve(__dirname, '..');
const FULL = process.env.BENCH_FULL === '1';
const FORCE_PROFILE = process.env.BENCH_PROFILE === '1';
const MONTH_EVENTS = 50_000;

const TARGETS = {
  roundTripsToStop: 5,
  lambdaColdStartsToStop: 2,
  transitionsToStop: 8,
  transitionsPerExecution: 20,
  moduleInitMs: 60,
  replay10kSeconds: 5,
  replayPeakRssMb: 300,
  /** 10k ms/finding within this factor of 1k ms/finding counts as linear. */
  linearTolerance: 1.25,
} as const;

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function runJob<T>(job: Job): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(__dirname, 'worker.ts'), [JSON.stringify(job)], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: { ok: boolean; result?: unknown; error?: string } | undefined;
    child.on('message', (m) => {
      reply = m as typeof reply;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (reply?.ok) resolvePromise(reply.result as T);
      else reject(new Error(`bench job ${job.kind} failed (exit ${code}): ${reply?.error ?? 'no result'}`));
    });
  });
}

interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const fmtUsd = (v: number) => usd(v);
const n = (v: number, digits?: number) => formatNumber(v, digits);

/** Least-squares line through (x, y) points: [intercept, slope]. */
function fitLine(xs: readonly number[], ys: readonly number[]): [number, number] {
  const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] ?? my) - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return [my - slope * mx, slope];
}

/**
 * A month (MONTH_EVENTS) from the 10k run, as a LOWER estimate: the non-GC time per finding of the 10k run
 * plus GC time per finding growing along the line fitted to its slices (GC grows with the retained heap);
 * memory as the baseline plus the heap retained per finding (RSS is higher: GC headroom).
 */
function extrapolateMonth(r10k: ReplayResult): { seconds: number; rssMbAtLeast: number } {
  const xs = r10k.sliceGcMsPerFinding.map((_, i) => (i + 0.5) * r10k.slice);
  const [intercept, slope] = fitLine(xs, r10k.sliceGcMsPerFinding);
  const gcMean = intercept + (Math.max(0, slope) * MONTH_EVENTS) / 2;
  const nonGc = r10k.msPerFinding - r10k.gcMs / r10k.events;
  return {
    seconds: ((nonGc + Math.max(gcMean, r10k.gcMs / r10k.events)) * MONTH_EVENTS) / 1000,
    rssMbAtLeast: r10k.memory.baselineRssMb + ((r10k.memory.retainedKbPerFinding ?? 0) * MONTH_EVENTS) / 1024,
  };
}

function mixedCost(r: ReplayResult): { sfn: number; lambda: number } {
  const perFinding = (r.tally.transitions + r.tally.retries) / r.events;
  let lambda = 0;
  for (const f of r.functions) {
    lambda +=
      f.invocations * (PRICES.lambdaPerRequest + gbSeconds(f.fn, f.meanMs) * PRICES.lambdaPerGbSecondArm64);
  }
  return { sfn: stepFunctionsCost(perFinding), lambda: lambda / r.events };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const machine = machineInfo(ROOT);
  const loadAtStart = loadavg()[0] ?? 0;
  const out: string[] = [];
  const say = (line = '') => out.push(line);
  const checks: TargetCheck[] = [];

  // 0. Outcome digest: what the engine did on a fixed workload, compared with the committed reference.
  progress('0/6 outcome digest of a fixed workload');
  const digest = await runJob<OutcomeDigest>({ kind: 'digest', workload: DEFAULT_DIGEST_WORKLOAD });
  const reference = JSON.parse(readFileSync(join(__dirname, REFERENCE_FILE), 'utf8')) as OutcomeDigest & {
    commit: string;
  };
  const digestSame = reference.sha256 === digest.sha256;

  // 1. Critical path and cost per execution.
  progress('1/6 critical path and cost per execution');
  const reps = 15;
  const scenarios = await runJob<ScenarioResult[]>({ kind: 'critical-path', root: ROOT, reps });

  // 2. Cold start.
  progress('2/6 cold start: bundling each function and timing module initialization');
  const coldRuns = 7;
  const cold = await runColdStart(ROOT, coldRuns);

  // 3. Throughput and memory.
  progress('3/6 replay of 1,000 mixed findings');
  const replay1k = await runJob<ReplayResult>({ kind: 'replay', events: 1_000, slice: 250, retained: true });
  progress('3/6 replay of 10,000 mixed findings');
  const replay10k = await runJob<ReplayResult>({
    kind: 'replay',
    events: 10_000,
    slice: 1_000,
    retained: true,
  });
  let month: ReplayResult | undefined;
  if (FULL) {
    progress('3/6 replay of a month: 50,000 findings (BENCH_FULL=1)');
    month = await runJob<ReplayResult>({
      kind: 'replay',
      events: MONTH_EVENTS,
      slice: 5_000,
      retained: true,
    });
  }

  // 4. Burst.
  progress('4/6 burst: 5,000 findings over 200 tasks, 10% throttling');
  const burstJob: BurstJob = {
    kind: 'burst',
    tasks: 200,
    findingsPerTask: 5,
    faultRate: 0.1,
    batchSize: 100,
    capPerCluster: 1_000,
    capPerAccount: 1_000,
    seed: 7,
  };
  const burst = await runJob<BurstResult>(burstJob);
  progress('4/6 burst with caps equal to the number of tasks (50 tasks)');
  const tight = await runJob<BurstResult>({
    ...burstJob,
    tasks: 50,
    capPerCluster: 50,
    capPerAccount: 50,
  });

  // 5. Scaling with the cluster scanned for blast radius.
  const clusters: ClusterResult[] = [];
  for (const size of [10, 100, 1_000]) {
    progress(`5/6 cluster of ${n(size)} running tasks on one digest`);
    clusters.push(
      await runJob<ClusterResult>({ kind: 'cluster', size, runtimeFindings: 20, inspectorFindings: 10 }),
    );
  }

  // Targets of sections 3 and 5 decide whether to profile.
  const replayPass =
    replay10k.wallMs / 1000 <= TARGETS.replay10kSeconds &&
    replay10k.memory.peakRssMb <= TARGETS.replayPeakRssMb;
  let profiled: ReplayResult | undefined;
  let sdk: SdkOverheadResult | undefined;
  let whatIf: { baseline: ReplayResult; initializeStep: ReplayResult } | undefined;
  const profilePath = join(tmpdir(), `shield-right-replay-${process.pid}.cpuprofile`);
  if (!replayPass || FORCE_PROFILE) {
    progress('6/6 profile: 1,000 mixed findings under the CPU profiler, and SDK cost per call');
    profiled = await runJob<ReplayResult>({
      kind: 'replay',
      events: 1_000,
      slice: 1_000,
      retained: false,
      profilePath,
    });
    sdk = await runJob<SdkOverheadResult>({ kind: 'sdk-overhead', calls: 2_000 });
    progress(
      '6/6 what-if: the sandbox answering at the SDK initialize step (1,000 findings, with a baseline run beside it)',
    );
    const base = { kind: 'replay', events: 1_000, slice: 1_000, retained: false } as const;
    whatIf = {
      baseline: await runJob<ReplayResult>(base),
      initializeStep: await runJob<ReplayResult>({ ...base, whatIf: 'sdk-initialize-step' }),
    };
  }
  const loadAtEnd = loadavg()[0] ?? 0;

  // ---------------------------------------------------------------- report
  say(
    `shield-right benchmark (${new Date(startedAt).toISOString()}, ${round((Date.now() - startedAt) / 1000, 0)} s)`,
  );
  say(`Machine: ${machineLine(machine)}`);
  say(
    `Load average (1 min): ${n(loadAtStart, 2)} at start, ${n(loadAtEnd, 2)} at end, on ${machine.cores} cores` +
      (Math.max(loadAtStart, loadAtEnd) > machine.cores
        ? ' - other processes competed for the CPU: timings are pessimistic'
        : ''),
  );
  say(
    `Packages: ${Object.entries(machine.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  say();

  // 0.
  say('0. Outcome digest: the same fixed workload must give the same behaviour');
  say(
    `${digest.workload.events} mixed findings, ${digest.workload.faultRate * 100}% throttling (seed ${digest.workload.seed}), pinned clock: ${digest.executions} executions, ${digest.apiCalls} API calls, ${digest.notifications} notifications`,
  );
  say(`sha256 ${digest.sha256}`);
  say(
    digestSame
      ? `identical to the reference of commit ${reference.commit} (bench/${REFERENCE_FILE})`
      : `CHANGED from the reference of commit ${reference.commit} (${reference.sha256}): behaviour differs; if intended, update bench/${REFERENCE_FILE}`,
  );
  say();

  // 1.
  say(`1. Critical path to containment and cost per execution (default config, ${reps} runs per scenario)`);
  const scenarioRows = scenarios.map((s) => {
    const c = s.containment;
    return [
      s.name,
      s.ending,
      c ? c.state : '-',
      c ? c.transitions : '-',
      c ? c.roundTrips : '-',
      c ? c.lambdaTasks : '-',
      s.total.transitions,
      s.total.roundTrips,
      s.total.apiCalls,
      s.total.lambdaInvocations,
      s.stateBytes,
      fmtUsd(s.cost.stepFunctions * 1000),
      fmtUsd(s.cost.lambdaLowerBound * 1000),
      fmtUsd(s.cost.totalLowerBound * 1000),
      fmtUsd(s.cost.totalLowerBound * 1_000_000),
    ];
  });
  say(
    table(
      [
        'Finding',
        'Ends at',
        'Containment',
        'Trans.→',
        'RTs→',
        'Lambdas→',
        'Trans.',
        'RTs',
        'API calls',
        'Lambda inv.',
        'State bytes',
        'SFN /1k',
        'Lambda /1k (≥)',
        'Total /1k',
        'Total /1M',
      ],
      scenarioRows,
    ),
  );
  say('  "→" = from execution start to the containment call returning (StopTask; IsolateTask for Medium,');
  say(
    '  QuarantineImage for Inspector): state transitions, sequential AWS round trips, Lambda tasks (each a possible cold start).',
  );
  say(
    '  Totals are per execution; RTs = sequential AWS round trips (parallel calls count once); State bytes = final state document.',
  );
  for (const line of PRICE_NOTES) say(`  Price: ${line}`);
  const durations = new Map<FunctionId, number[]>();
  for (const s of scenarios)
    for (const l of s.lambdas) durations.set(l.fn, [...(durations.get(l.fn) ?? []), l.medianMs]);
  say(
    `  Handler wall time in-process (median per scenario, ms): ${[...durations]
      .map(([fn, ms]) => `${fn} ${ms.map((v) => n(v, 1)).join('/')}`)
      .join(', ')}`,
  );
  const high = scenarios.find((s) => s.name.startsWith('High'));
  if (high) {
    say(
      `  Illustrative, not measured: with ${ASSUMED_API_ROUND_TRIP_MS} ms per in-function AWS round trip, Lambda for a High finding costs ` +
        `${fmtUsd(high.cost.lambdaIllustrative * 1000)} per 1k (vs ${fmtUsd(high.cost.lambdaLowerBound * 1000)} lower bound): requests dominate.`,
    );
    const stop = high.containment;
    if (stop) {
      checks.push(
        {
          target: `High: sequential AWS round trips to StopTask ≤ ${TARGETS.roundTripsToStop}`,
          measured: String(stop.roundTrips),
          pass: stop.roundTrips <= TARGETS.roundTripsToStop,
        },
        {
          target: `High: Lambda cold starts in sequence before StopTask ≤ ${TARGETS.lambdaColdStartsToStop}`,
          measured: String(stop.lambdaTasks),
          pass: stop.lambdaTasks <= TARGETS.lambdaColdStartsToStop,
        },
        {
          target: `High: state transitions to StopTask ≤ ${TARGETS.transitionsToStop}`,
          measured: String(stop.transitions),
          pass: stop.transitions <= TARGETS.transitionsToStop,
        },
      );
      if (high.reportToStopTask && high.reportToStopTask.roundTrips !== stop.roundTrips)
        say(`  Note: local/report.ts counts ${high.reportToStopTask.roundTrips} round trips to StopTask.`);
    }
  }
  const maxTransitions = Math.max(...scenarios.map((s) => s.total.transitions));
  const worst = scenarios.find((s) => s.total.transitions === maxTransitions);
  checks.push({
    target: `Full execution ≤ ${TARGETS.transitionsPerExecution} transitions (≈ $0.50 per 1k)`,
    measured: `${maxTransitions} (${worst?.name ?? ''}, ${fmtUsd(stepFunctionsCost(maxTransitions) * 1000)} per 1k)`,
    pass: maxTransitions <= TARGETS.transitionsPerExecution,
  });
  const inconsistent = scenarios.filter((s) => !s.consistent).map((s) => s.name);
  if (inconsistent.length > 0)
    say(`  Warning: path or calls varied between runs for ${inconsistent.join(', ')}.`);
  say();

  // 2.
  say(
    `2. Cold start: each Lambda entry bundled as the construct does (${Object.entries(cold.esbuildOptions)
      .filter(([k]) => k !== 'constructSourceMap')
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
      .join(' ')})`,
  );
  say(
    `   module init = median of ${cold.runs} fresh \`node -e\` require() timings minus the median for a trivial module (${n(cold.emptyModuleMs, 2)} ms)`,
  );
  say(
    table(
      [
        'Function',
        'Memory',
        'Bundle KB',
        'Init ms',
        'Target',
        'What-if KB',
        'What-if ms',
        'Largest parts of the bundle (KB)',
      ],
      cold.bundles.map((b) => {
        const critical = b.fn === 'validate' || b.fn === 'enrich';
        return [
          b.fn,
          `${b.memoryMb} MB`,
          round(b.bytes / 1024, 0),
          b.initMs,
          critical ? (b.initMs <= TARGETS.moduleInitMs ? 'ok' : 'MISS') : '-',
          round(b.esmFirst.bytes / 1024, 0),
          b.esmFirst.initMs,
          b.topPackages.map((p) => `${p.name} ${p.kb}`).join(', '),
        ];
      }),
    ),
  );
  say(
    "  What-if (not the deployed configuration): the same entry bundled with mainFields: ['module', 'main'], so esbuild takes the",
  );
  say("  SDK packages' ES module builds and tree-shakes the commands the function does not use.");
  say(`  ${cold.note}`);
  for (const b of cold.bundles.filter((x) => x.fn === 'validate' || x.fn === 'enrich')) {
    checks.push({
      target: `Module init of ${b.fn} (critical path) ≤ ${TARGETS.moduleInitMs} ms`,
      measured: `${n(b.initMs, 1)} ms (${round(b.bytes / 1024, 0)} KB)`,
      pass: b.initMs <= TARGETS.moduleInitMs,
    });
  }
  say();

  // 3.
  say(
    '3. Offline replay throughput (Simulator: rule match + workflow + handlers + sandbox, one event after another)',
  );
  say(
    `   mix: ${MIX_DESCRIPTION}; ~60 running tasks per cluster; caps raised so every High/Medium is contained`,
  );
  const monthEstimate = extrapolateMonth(replay10k);
  const replayRow = (label: string, r: ReplayResult) => {
    const cost = mixedCost(r);
    return [
      label,
      round(r.wallMs / 1000, 1),
      r.findingsPerSecond,
      r.msPerFinding,
      r.perFinding.transitions,
      r.perFinding.apiCalls,
      r.perFinding.lambdaInvocations,
      r.memory.peakRssMb,
      r.memory.retainedKbPerFinding ?? '-',
      fmtUsd((cost.sfn + cost.lambda) * 1000),
    ];
  };
  const replayRows: (string | number)[][] = [replayRow('1,000', replay1k), replayRow('10,000', replay10k)];
  if (month) replayRows.push(replayRow('50,000 (month)', month));
  else
    replayRows.push([
      '50,000 (month, EXTRAPOLATED)',
      round(monthEstimate.seconds, 0),
      round(MONTH_EVENTS / monthEstimate.seconds, 1),
      round((monthEstimate.seconds * 1000) / MONTH_EVENTS, 2),
      replay10k.perFinding.transitions,
      replay10k.perFinding.apiCalls,
      replay10k.perFinding.lambdaInvocations,
      `≥ ${n(monthEstimate.rssMbAtLeast, 0)}`,
      replay10k.memory.retainedKbPerFinding ?? '-',
      '-',
    ]);
  say(
    table(
      [
        'Findings',
        'Wall s',
        'Findings/s',
        'ms/finding',
        'Trans./f',
        'API calls/f',
        'Lambda/f',
        'Peak RSS MB',
        'Retained KB/f',
        'AWS $/1k (≥)',
      ],
      replayRows,
    ),
  );
  if (!month) {
    say(
      '  Month row EXTRAPOLATED, a lower estimate: non-GC time per finding of the 10k run plus GC time growing along the trend',
    );
    say(
      '  of its slices; memory = baseline + heap retained per finding (RSS runs higher). One measured month: 428 s, 2.5 GB RSS.',
    );
    say('  BENCH_FULL=1 measures it instead.');
  }
  say(
    `  Baseline RSS after loading and warm-up: ${replay10k.memory.baselineRssMb} MB; heap limit ${replay10k.memory.heapLimitMb} MB.` +
      ` Retained at 10k by sandbox service (JSON MB): ${Object.entries(
        replay10k.memory.retainedJsonMbByService ?? {},
      )
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );
  say(
    `  Outcomes at 10k: ${Object.entries(replay10k.tally.endings)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}; executions not SUCCEEDED: ${replay10k.tally.notSucceeded}`,
  );
  say(
    '  AWS $/1k = Step Functions transitions + Lambda requests and GB-s (in-process durations: a lower bound).',
  );
  checks.push(
    {
      target: `Replay 10,000 mixed findings ≤ ${TARGETS.replay10kSeconds} s`,
      measured: `${n(replay10k.wallMs / 1000, 1)} s (${n(replay10k.findingsPerSecond, 0)} findings/s)`,
      pass: replay10k.wallMs / 1000 <= TARGETS.replay10kSeconds,
    },
    {
      target: `Replay 10,000: peak memory ≤ ${TARGETS.replayPeakRssMb} MB`,
      measured: `${n(replay10k.memory.peakRssMb, 0)} MB RSS`,
      pass: replay10k.memory.peakRssMb <= TARGETS.replayPeakRssMb,
    },
  );
  say();

  // 4.
  const burstRow = (label: string, b: BurstResult) => [
    label,
    b.events,
    `${b.config.capPerCluster}/${b.config.capPerAccount}`,
    round(b.wallMs / 1000, 1),
    b.tally.succeeded,
    b.lost,
    b.tally.endings.NotifyCapReached ?? 0,
    `${b.tasksStopped}/${b.tasks}`,
    b.stopTaskCalls,
    b.tasksStillRunning,
    b.faultsInjected,
    b.aslRetries,
    b.throttledInLambda,
    round((b.tally.transitions + b.tally.retries) / b.events, 2),
  ];

  say(
    `4. Burst: findings over many tasks at once, ${burst.config.batchSize} concurrent per batch against ONE Simulator, ${burst.config.faultRate * 100}% of sandbox calls throttled`,
  );
  say(
    `   each task: ${burst.config.findingsPerTask} High findings, each delivered 5 times (count 1,2,3,3,4), shuffled (seed ${burst.config.seed})`,
  );
  say(
    table(
      [
        'Run',
        'Findings',
        'Caps c/a',
        'Wall s',
        'SUCCEEDED',
        'Lost',
        'Cap reached',
        'Stopped',
        'StopTask calls',
        'Still running',
        'Faults',
        'ASL retries',
        'SDK retries',
        'Trans./f',
      ],
      [burstRow('caps ≥ 200', burst), burstRow('caps = tasks', tight)],
    ),
  );
  for (const [label, b] of [
    ['caps ≥ 200', burst],
    ['caps = tasks', tight],
  ] as const) {
    say(
      `  ${label}: endings ${Object.entries(b.tally.endings)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(', ')}; cap counters ${Object.entries(b.capCounters)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    if (b.lostDetail.length > 0)
      say(
        `    lost, e.g.: ${[...new Set(b.lostDetail.map((d) => d.replace(/^burst-\d+: /, '').replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')))].slice(0, 3).join(' | ')}`,
      );
  }
  say(
    '  Lost = execution not SUCCEEDED (or no execution). Cap reached = SUCCEEDED at NotifyCapReached (held back by the blast-radius cap).',
  );
  say(
    '  Faults = throttling errors injected; ASL retries = Retry of a state; SDK retries = throttled calls inside handlers, retried by the SDK.',
  );
  checks.push(
    {
      target: 'Burst (caps ≥ 200): 0 executions lost',
      measured: String(burst.lost),
      pass: burst.lost === 0,
    },
    {
      target: 'Burst (caps ≥ 200): StopTask actions = tasks (200)',
      measured: `${burst.stopTaskCalls} StopTask calls, ${burst.tasksStopped} tasks, ${burst.tasksStillRunning} still running`,
      pass: burst.stopTaskCalls === burst.tasks && burst.tasksStillRunning === 0,
    },
  );
  say();

  // 5.
  say('5. Scaling');
  const growth = replay10k.msPerFinding / replay1k.msPerFinding;
  const callGrowth = replay10k.perFinding.apiCalls / replay1k.perFinding.apiCalls;
  say(
    table(
      ['Findings', 'ms/finding', 'API calls/f', 'Trans./f', 'GC ms/f'],
      [replay1k, replay10k].map((r) => [
        n(r.events),
        r.msPerFinding,
        r.perFinding.apiCalls,
        r.perFinding.transitions,
        round(r.gcMs / r.events, 3),
      ]),
    ),
  );
  say();
  say(
    table(
      ['10k run, slice', 'ms/finding', 'API calls/f', 'GC ms/f', 'Heap MB at end'],
      replay10k.sliceMsPerFinding.map((ms, i) => [
        `${n(i * replay10k.slice + 1)}-${n((i + 1) * replay10k.slice)}`,
        ms,
        replay10k.sliceApiCallsPerFinding[i] ?? 0,
        replay10k.sliceGcMsPerFinding[i] ?? 0,
        replay10k.sliceHeapMb[i] ?? 0,
      ]),
    ),
  );
  say(
    `  10k/1k: time per finding ×${n(growth, 2)}, API calls per finding ×${n(callGrowth, 2)} (linear = within ×${TARGETS.linearTolerance}).`,
  );
  say();
  say(
    table(
      [
        'Running tasks',
        'High ms/f',
        'High API calls/f',
        'High scan calls/f',
        'Inspector ms/f',
        'Inspector API calls/f',
        'Inspector scan calls/f',
      ],
      clusters.map((c) => [
        c.size,
        c.runtime.msPerFinding,
        c.runtime.apiCallsPerFinding,
        c.runtime.scanCallsPerFinding,
        c.inspector.msPerFinding,
        c.inspector.apiCallsPerFinding,
        c.inspector.scanCallsPerFinding,
      ]),
    ),
  );
  say(
    '  High: MeasureBlastRadius lists and describes the cluster (100 tasks per page); Inspector: EnrichAndDecide scans every running task of the account (capped at 1,000 tasks).',
  );
  checks.push({
    target: `Linear growth 1k → 10k findings (×${TARGETS.linearTolerance} tolerance)`,
    measured: `time/finding ×${n(growth, 2)}, API calls/finding ×${n(callGrowth, 2)}`,
    pass: growth <= TARGETS.linearTolerance && callGrowth <= TARGETS.linearTolerance,
  });
  say();

  // 6.
  if (profiled?.profile) {
    const p = profiled.profile;
    const events = profiled.events;
    const transitions = profiled.tally.transitions + profiled.tally.retries;
    const sdkCalls = profiled.phases.sandboxCalls - profiled.phases.integrationCalls;
    say(
      `6. Where the time goes: CPU profile of ${n(events)} mixed findings (${n(p.totalMs)} ms sampled; profile at ${profilePath})`,
    );
    say(
      table(
        ['Self time by category', 'ms', 'share %', 'µs per finding'],
        p.selfByCategory
          .filter((c) => c.ms > 0)
          .map((c) => [c.category, c.ms, c.share, round((c.ms * 1000) / events, 0)]),
      ),
    );
    say();
    say(
      table(
        ['Time under (synchronous stacks)', 'ms', 'share %', 'µs per finding'],
        p.under.map((u) => [u.label, u.ms, u.share, round((u.ms * 1000) / events, 0)]),
      ),
    );
    const cat = (prefix: string) =>
      p.selfByCategory.filter((c) => c.category.startsWith(prefix)).reduce((a, c) => a + c.ms, 0);
    const engineUs = ((cat('ASL engine') * 1000) / transitions).toFixed(0);
    const sdkUs = ((cat('AWS SDK') * 1000) / Math.max(1, sdkCalls)).toFixed(0);
    const sandboxUs = ((cat('Sandbox services') * 1000) / Math.max(1, profiled.phases.sandboxCalls)).toFixed(
      0,
    );
    say(
      `  Unit costs (profiled run): ASL engine ${engineUs} µs per state transition (${n(transitions / events, 1)} per finding); ` +
        `AWS SDK ${sdkUs} µs per SDK call (${n(sdkCalls / events, 1)} per finding); sandbox services ${sandboxUs} µs per call.`,
    );
    if (sdk)
      say(
        `  SDK microbenchmark (ECS DescribeClusters, ${n(sdk.calls)} calls): ${sdk.viaSdkUs} µs through the SDK client vs ${sdk.directUs} µs on the sandbox directly: ${sdk.sdkOverheadUs} µs of middleware per call.`,
      );
    if (whatIf) {
      const { baseline, initializeStep } = whatIf;
      say(
        `  What-if, measured (bench/what-if.ts, engine unchanged): sandbox answering at the SDK initialize step: ${initializeStep.msPerFinding} ms/finding ` +
          `vs ${baseline.msPerFinding} ms/finding in a baseline run beside it (${n((1 - initializeStep.msPerFinding / baseline.msPerFinding) * 100, 0)}% less); ` +
          `outcomes identical: ${JSON.stringify(initializeStep.tally.endings) === JSON.stringify(baseline.tally.endings) ? 'yes' : 'NO'}.`,
      );
    }
    say('  Suggested optimizations: see bench/README.md ("Reading the profile").');
    say();
  }

  say('Targets');
  say(
    table(
      ['Target', 'Measured', 'Result'],
      checks.map((c) => [c.target, c.measured, c.pass ? 'met' : 'MISSED']),
    ),
  );
  const text = out.join('\n');
  console.log(text);

  const results = {
    machine: { ...machine, loadAverage: { start: loadAtStart, end: loadAtEnd } },
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    full: FULL,
    prices: PRICES,
    targets: TARGETS,
    checks,
    outcomeDigest: { ...digest, reference: reference.sha256, identical: digestSame },
    criticalPath: scenarios,
    coldStart: cold,
    replay: {
      '1000': replay1k,
      '10000': replay10k,
      month: month ?? { extrapolated: true, ...monthEstimate },
    },
    burst: { capsRaised: burst, capsEqualTasks: tight },
    scaling: { events: { growth, callGrowth }, clusters },
    profile: profiled
      ? {
          summary: profiled.profile,
          file: profilePath,
          sdk,
          whatIf: whatIf
            ? {
                baselineMsPerFinding: whatIf.baseline.msPerFinding,
                initializeStepMsPerFinding: whatIf.initializeStep.msPerFinding,
              }
            : null,
        }
      : null,
    functions: Object.fromEntries(Object.values(FUNCTIONS).map((f) => [f.id, { memoryMb: f.memoryMb }])),
  };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  progress(`results written to bench/results.json`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
