/**
 * Issue 13 acceptance, all ten seeds: a burst of 300 findings over 25 tasks with 20% injected faults
 * (throttling, transactions cancelled for TransactionConflict/ThrottlingError, 409 on conditional writes)
 * must lose no execution and stop no task twice. The suite runs seeds 1-3 (test/workflow/burst-faults.test.ts).
 */
import { type FaultBurstOutcome, runFaultBurst } from '../local/fixtures/fault-burst';

export const FAULT_BURST_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export async function runFaultBursts(): Promise<FaultBurstOutcome[]> {
  const outcomes: FaultBurstOutcome[] = [];
  for (const seed of FAULT_BURST_SEEDS) outcomes.push(await runFaultBurst(seed));
  return outcomes;
}

/** One line a seed: what the acceptance checks, then what the faults exercised. */
export function formatFaultBursts(outcomes: readonly FaultBurstOutcome[]): string[] {
  return outcomes.map(
    (o) =>
      `seed ${String(o.seed).padStart(2)}: ${o.executions} executions, lost ${o.lost.length}, tasks stopped ${o.tasksStopped}, stopped twice ${o.stoppedTwice.length}, cluster counter ${o.counters.cluster}/${o.caps.cluster}; faults ${o.faultsInjected}, claims again ${o.claimsAgain}, 409s ${o.conditionalConflicts}`,
  );
}

if (require.main === module) {
  void runFaultBursts().then((outcomes) => {
    for (const line of formatFaultBursts(outcomes)) console.log(line);
    for (const o of outcomes) for (const lost of o.lost.slice(0, 5)) console.log(`  seed ${o.seed}: ${lost}`);
    process.exitCode = outcomes.every((o) => o.lost.length === 0 && o.stoppedTwice.length === 0) ? 0 : 1;
  });
}
