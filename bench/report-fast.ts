/**
 * Section 3b: the fast path (Simulator `engine: 'fast'`) beside the reference path, on the same replays, and
 * its equivalence (section 0b). The throughput, memory and linearity targets of issue 17 are checked on the
 * fast path, the one a long replay (`backtest`) runs; the reference path is reported for comparison.
 */
import type { OutcomeDigest } from './outcome-digest';
import { n, type Report, TARGETS } from './report';
import { round } from './stats';
import { table } from './table';
import type { ReplayResult } from './throughput';

export function reportEquivalence(
  report: Report,
  reference: OutcomeDigest,
  fast: OutcomeDigest,
  compiled?: OutcomeDigest,
): void {
  const { say, checks } = report;
  say('0b. Equivalence: the same workload through the reference path and the fast path (engine: fast)');
  say(`reference ${reference.sha256}`);
  say(`fast      ${fast.sha256}`);
  if (compiled) say(`compiled  ${compiled.sha256} (fast path, compiled JavaScript: what 3b replays run)`);
  const same = reference.sha256 === fast.sha256 && (!compiled || compiled.sha256 === reference.sha256);
  say(same ? 'identical' : 'DIFFERENT: the fast path (or its compiled form) changed behaviour');
  say();
  checks.push({
    target: 'fast path: outcome digest identical to the reference path',
    measured: `${fast.sha256.slice(0, 8)}${compiled ? `, compiled ${compiled.sha256.slice(0, 8)}` : ''} vs ${reference.sha256.slice(0, 8)}`,
    pass: same,
  });
}

/** Time per API call and per transition, 10k over 1k (CPU time, less sensitive to other load than wall time). */
function unitGrowth(r1k: ReplayResult, r10k: ReplayResult): { perCall: number; perTransition: number } {
  const perCall = (r: ReplayResult) => r.cpuMsPerFinding / r.perFinding.apiCalls;
  const perTransition = (r: ReplayResult) => r.cpuMsPerFinding / r.perFinding.transitions;
  return {
    perCall: round(perCall(r10k) / perCall(r1k), 2),
    perTransition: round(perTransition(r10k) / perTransition(r1k), 2),
  };
}

export function reportFastReplay(
  report: Report,
  ref1k: ReplayResult,
  ref10k: ReplayResult,
  fast1k: ReplayResult,
  fast10k: ReplayResult,
): void {
  const { say, checks } = report;
  say('3b. Offline replay: reference path and fast path (engine: fast)');
  const row = (r: ReplayResult) => {
    const growth =
      r === fast10k ? unitGrowth(fast1k, fast10k) : r === ref10k ? unitGrowth(ref1k, ref10k) : null;
    return [
      `${r.engine} ${n(r.events)}`,
      n(r.wallMs / 1000, 1),
      n(r.findingsPerSecond, 0),
      n(r.msPerFinding, 2),
      n(r.cpuMsPerFinding, 2),
      n(r.gcMs / r.events, 3),
      n(r.memory.peakRssMb, 0),
      growth ? `x${growth.perCall}` : '-',
      growth ? `x${growth.perTransition}` : '-',
    ];
  };
  say(
    table(
      [
        'Replay',
        'Wall s',
        'Findings/s',
        'ms/finding',
        'CPU ms/finding',
        'GC ms/finding',
        'Peak RSS MB',
        'Per call 10k/1k',
        'Per transition 10k/1k',
      ],
      [ref1k, ref10k, fast1k, fast10k].map(row),
    ),
  );
  say();
  const growth = unitGrowth(fast1k, fast10k);
  checks.push(
    {
      target: `fast path: 10,000 findings in <= 15 s (>= 700/s; aim ${TARGETS.replay10kSeconds} s)`,
      measured: `${n(fast10k.wallMs / 1000, 1)} s (${n(fast10k.findingsPerSecond, 0)}/s)`,
      pass: fast10k.wallMs <= 15_000,
    },
    {
      target: `fast path: CPU time per API call and per transition, 10k/1k <= x${TARGETS.linearTolerance}`,
      measured: `x${growth.perCall} per call, x${growth.perTransition} per transition`,
      pass: growth.perCall <= TARGETS.linearTolerance && growth.perTransition <= TARGETS.linearTolerance,
    },
  );
}
