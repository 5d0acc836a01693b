/**
 * Reserved concurrency of the functions, sized from one configured total. The manifest's
 * `reservedConcurrency` values are the proportions: a function that serves every finding (validate) gets
 * more than one that runs after a failure (reportFailure). A total of 0 reserves nothing, so the stack
 * deploys into accounts whose concurrency quota is small (Lambda keeps 100 of it unreserved).
 */
import { FUNCTIONS, type FunctionId } from './functions';

/** The reservation of each function for a configured total; undefined (no reservation) when the total is 0. */
export function reservedConcurrencyShares(total: number): Readonly<Record<FunctionId, number | undefined>> {
  const specs = Object.values(FUNCTIONS);
  const weight = specs.reduce((sum, spec) => sum + spec.reservedConcurrency, 0);
  return Object.fromEntries(
    specs.map((spec) => [
      spec.id,
      total > 0 ? Math.max(1, Math.floor((total * spec.reservedConcurrency) / weight)) : undefined,
    ]),
  ) as Record<FunctionId, number | undefined>;
}

/** What a configured total reserves in fact (each function gets at least 1, so it may exceed a tiny total). */
export function reservedConcurrencyTotal(total: number): number {
  return Object.values(reservedConcurrencyShares(total)).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}
