/**
 * `npm run bench`: offline benchmarks of shield-right, printed as tables and written to bench/results.json.
 *
 *   1. critical path to containment and cost per execution    4. burst with injected throttling
 *   2. cold start: bundle size and module initialization      5. scaling with events and cluster size
 *   3. offline replay throughput and memory                   6. profile (when the throughput target is missed)
 *   7. start-up of the compiled CLI (--help, test-pattern, simulate of one event)
 *   8. image signature verification (issue 15): calls and ms for an uncached and a cached digest, notation
 *      and managed modes, and the verification function's cold start (bench/signing.ts)
 *
 * Each measurement runs in a fresh process (bench/worker.ts); bench/report-*.ts print the sections. BENCH_FULL=1 also replays a month (50,000
 * findings) instead of extrapolating it; BENCH_PROFILE=1 profiles even when the target is met.
 */
import './env';
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FUNCTIONS } from '../definitions/functions';
import type { BurstJob, BurstResult } from './burst';
import type { ClusterResult } from './cluster-scaling';
import { runColdStart } from './cold-start';
import { compileWorker } from './compile';
import type { ScenarioResult } from './critical-path';
import { formatFaultBursts, runFaultBursts } from './fault-burst';
import { machineInfo, machineLine } from './machine';
import { DEFAULT_DIGEST_WORKLOAD, type OutcomeDigest, REFERENCE_FILE } from './outcome-digest';
import { PRICES } from './pricing';
import { MONTH_EVENTS, n, Report, TARGETS } from './report';
import { reportEquivalence, reportFastProfile, reportFastReplay } from './report-fast';
import { reportMemory } from './report-memory';
import { reportColdStart, reportCriticalPath, reportOutcomeDigest } from './report-path';
import { extrapolateMonth, reportBurst, reportProfile, reportReplay, reportScaling } from './report-replay';
import type { SdkOverheadResult } from './sdk-overhead';
import { formatSigningBench, type SigningBenchResult } from './signing';
import { reportStartup, runStartup } from './startup';
import { round } from './stats';
import { table } from './table';
import type { ReplayResult } from './throughput';
import type { Job } from './worker';

const ROOT = resolve(__dirname, '..');
const FULL = process.env.BENCH_FULL === '1';
const FORCE_PROFILE = process.env.BENCH_PROFILE === '1';

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The compiled worker (bench/compile.ts), built once per run: what the installed CLI runs, without tsx. */
let compiled: string | undefined;

/**
 * Runs one job in a fresh process: the TypeScript worker under this process's tsx loader, or (`compiled`)
 * the worker compiled to JavaScript under plain `node`, as the installed CLI runs from `dist/`.
 */
function runJob<T>(job: Job, runtime: 'tsx' | 'compiled' = 'tsx'): Promise<T> {
  if (runtime === 'compiled') compiled ??= compileWorker(ROOT);
  return new Promise((resolvePromise, reject) => {
    const worker = runtime === 'compiled' && compiled ? compiled : join(__dirname, 'worker.ts');
    const child = fork(worker, [JSON.stringify(job)], {
      execArgv: runtime === 'compiled' ? ['--expose-gc'] : [...process.execArgv, '--expose-gc'],
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

async function main(): Promise<void> {
  const startedAt = Date.now();
  const machine = machineInfo(ROOT);
  const loadAtStart = loadavg()[0] ?? 0;
  const report = new Report();
  const { say, checks } = report;

  // 0. Outcome digest: what the engine did on a fixed workload, compared with the committed reference.
  progress('0/6 outcome digest of a fixed workload');
  const digest = await runJob<OutcomeDigest>({ kind: 'digest', workload: DEFAULT_DIGEST_WORKLOAD });
  const reference = JSON.parse(readFileSync(join(__dirname, REFERENCE_FILE), 'utf8')) as OutcomeDigest & {
    commit: string;
  };
  const digestSame = reference.sha256 === digest.sha256;
  progress('0/6 the same workload through the fast path (equivalence)');
  const fastDigest = await runJob<OutcomeDigest>({
    kind: 'digest',
    workload: DEFAULT_DIGEST_WORKLOAD,
    engine: 'fast',
  });
  progress('0/6 the fast path again, compiled (bench/compile.ts): what the replays of 3b run');
  const compiledDigest = await runJob<OutcomeDigest>(
    { kind: 'digest', workload: DEFAULT_DIGEST_WORKLOAD, engine: 'fast' },
    'compiled',
  );

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
  progress('3/6 the same replays through the fast path, compiled, heap growth bounded (as backtest runs)');
  const fastJob = { kind: 'replay', retained: true, engine: 'fast', boundHeap: true } as const;
  const fast1k = await runJob<ReplayResult>({ ...fastJob, events: 1_000, slice: 250 }, 'compiled');
  const fast10k = await runJob<ReplayResult>({ ...fastJob, events: 10_000, slice: 1_000 }, 'compiled');
  progress("3/6 the fast 1k again under tsx (the loader's share of memory)");
  const fast1kTsx = await runJob<ReplayResult>({ ...fastJob, events: 1_000, slice: 250 });
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

  progress('4/6 issue 13 acceptance: 300 findings over 25 tasks, 20% injected faults, seeds 1-10');
  const faultBursts = await runFaultBursts();

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
  // The fast path's own targets (issue 17): when missed, its profile (compiled, as the 3b replays run) says why.
  const fastPass = fast10k.wallMs <= 15_000;
  const fastProfilePath = join(tmpdir(), `shield-right-fast-replay-${process.pid}.cpuprofile`);
  let profiledFast: ReplayResult | undefined;
  if (!fastPass || FORCE_PROFILE) {
    progress('6/6 profile of the fast path: 1,000 mixed findings, compiled, under the CPU profiler');
    profiledFast = await runJob<ReplayResult>(
      { ...fastJob, retained: false, events: 1_000, slice: 1_000, profilePath: fastProfilePath },
      'compiled',
    );
  }
  // 7. Start-up of the compiled CLI.
  progress('7 start-up of the compiled CLI (builds dist/ first when it is stale)');
  const startup = runStartup(ROOT, 10);

  // 8. Image signature verification, in a fresh process like the other measurements.
  progress('8 image signature verification: uncached and cached digests, both modes, cold start');
  const signing = await runJob<SigningBenchResult>({ kind: 'signing' });

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

  reportOutcomeDigest(report, digest, reference, digestSame);
  reportEquivalence(report, digest, fastDigest, compiledDigest);
  reportCriticalPath(report, scenarios, reps);
  reportColdStart(report, cold);
  const monthEstimate = extrapolateMonth(replay10k);
  reportReplay(report, replay1k, replay10k, month, monthEstimate);
  reportFastReplay(report, replay1k, replay10k, fast1k, fast10k);
  reportMemory(report, fast1k, fast10k, fast1kTsx);
  reportBurst(report, burst, tight);
  say(
    'Burst with 20% injected faults (issue 13 acceptance; throttling, TransactionConflict/ThrottlingError, 409)',
  );
  for (const line of formatFaultBursts(faultBursts)) say(`  ${line}`);
  say();
  checks.push({
    target: 'fault burst: seeds 1-10 lose no execution, stop no task twice',
    measured: `${faultBursts.reduce((k, o) => k + o.lost.length, 0)} lost, ${faultBursts.reduce((k, o) => k + o.stoppedTwice.length, 0)} stopped twice`,
    pass: faultBursts.every((o) => o.lost.length === 0 && o.stoppedTwice.length === 0),
  });
  const { growth, callGrowth } = reportScaling(report, replay1k, replay10k, clusters);
  reportProfile(report, profiled, profilePath, sdk, whatIf);
  reportFastProfile(report, profiledFast, fastProfilePath, fast10k);
  reportStartup(report, startup);
  for (const line of formatSigningBench(signing).trimEnd().split('\n')) say(line);
  say();
  say('Targets');
  say(
    table(
      ['Target', 'Measured', 'Result'],
      checks.map((c) => [c.target, c.measured, c.pass ? 'met' : 'MISSED']),
    ),
  );
  const text = report.lines.join('\n');
  console.log(text);

  const results = {
    machine: { ...machine, loadAverage: { start: loadAtStart, end: loadAtEnd } },
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    full: FULL,
    prices: PRICES,
    targets: TARGETS,
    checks,
    outcomeDigest: { ...digest, reference: reference.sha256, identical: digestSame },
    equivalence: {
      fast: fastDigest,
      identical: fastDigest.sha256 === digest.sha256,
      compiled: compiledDigest,
      compiledIdentical: compiledDigest.sha256 === digest.sha256,
    },
    criticalPath: scenarios,
    coldStart: cold,
    startup,
    signing,
    replay: {
      '1000': replay1k,
      '10000': replay10k,
      fast: { '1000': fast1k, '10000': fast10k, tsx1000: fast1kTsx },
      month: month ?? { extrapolated: true, ...monthEstimate },
    },
    burst: { capsRaised: burst, capsEqualTasks: tight, faultBursts },
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
