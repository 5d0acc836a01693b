/** Bench report sections 0-2: outcome digest, critical path and cost, cold start. */
import type { FunctionId } from '../definitions/functions';
import type { runColdStart } from './cold-start';
import { ASSUMED_API_ROUND_TRIP_MS, type ScenarioResult } from './critical-path';
import type { OutcomeDigest } from './outcome-digest';
import { REFERENCE_FILE } from './outcome-digest';
import { PRICE_NOTES, stepFunctionsCost } from './pricing';
import { fmtUsd, n, type Report, TARGETS } from './report';
import { round } from './stats';
import { table } from './table';

export function reportOutcomeDigest(
  report: Report,
  digest: OutcomeDigest,
  reference: OutcomeDigest & { commit: string },
  digestSame: boolean,
): void {
  const { say } = report;
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
}

export function reportCriticalPath(report: Report, scenarios: readonly ScenarioResult[], reps: number): void {
  const { say, checks } = report;
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
}

export function reportColdStart(report: Report, cold: Awaited<ReturnType<typeof runColdStart>>): void {
  const { say, checks } = report;
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
}
