/** Bench report sections 3-6: replay throughput and memory, burst, scaling, profile. */
import type { BurstResult } from './burst';
import type { ClusterResult } from './cluster-scaling';
import { gbSeconds, PRICES, stepFunctionsCost } from './pricing';
import { fmtUsd, MONTH_EVENTS, n, type Report, TARGETS } from './report';
import type { SdkOverheadResult } from './sdk-overhead';
import { round } from './stats';
import { table } from './table';
import type { ReplayResult } from './throughput';
import { MIX_DESCRIPTION } from './workload';

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
export function extrapolateMonth(r10k: ReplayResult): { seconds: number; rssMbAtLeast: number } {
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

export function reportReplay(
  report: Report,
  replay1k: ReplayResult,
  replay10k: ReplayResult,
  month: ReplayResult | undefined,
  monthEstimate: ReturnType<typeof extrapolateMonth>,
): void {
  const { say, checks } = report;
  say(
    '3. Offline replay throughput (Simulator: rule match + workflow + handlers + sandbox, one event after another)',
  );
  say(
    `   mix: ${MIX_DESCRIPTION}; ~60 running tasks per cluster; caps raised so every High/Medium is contained`,
  );
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
}

export function reportBurst(report: Report, burst: BurstResult, tight: BurstResult): void {
  const { say, checks } = report;
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
}

export function reportScaling(
  report: Report,
  replay1k: ReplayResult,
  replay10k: ReplayResult,
  clusters: readonly ClusterResult[],
): { growth: number; callGrowth: number } {
  const { say, checks } = report;
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
  return { growth, callGrowth };
}

export function reportProfile(
  report: Report,
  profiled: ReplayResult | undefined,
  profilePath: string,
  sdk: SdkOverheadResult | undefined,
  whatIf: { baseline: ReplayResult; initializeStep: ReplayResult } | undefined,
): void {
  const { say } = report;
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
}
