/**
 * The outcome digest: one SHA-256 over everything a fixed workload did through the real offline engine —
 * every execution (state machine, status, the states it entered, its output, error and cause), every API
 * call (service, operation, input, error, the state that made it) and every notification (subject, message,
 * attributes). Equal digests mean a change of structure or speed did not change behaviour.
 *
 *   npx tsx bench/outcome-digest.ts            print the digest of the default workload
 *   npx tsx bench/outcome-digest.ts --events N  a longer or shorter mixed stream
 *   npx tsx bench/outcome-digest.ts --engine fast  the same workload through the fast path (bench/equivalence.ts)
 *
 * The clock is pinned (every reading of an event's run returns that event's instant, handlers' `Date` too)
 * and fault injection is seeded, so the digest depends only on what the code does, not on when or how
 * often it reads the clock.
 */
import './env';
import { createHash } from 'node:crypto';
import { type EventResult, Simulator } from '../local/engine';
import type { EnginePath } from '../local/sandbox/account';
import { withCaps } from './outcome';
import { mixedEvents } from './workload';

/** 2026-11-28T10:00:00Z: the examples' day; every execution of the digest runs on this clock. */
const PINNED_CLOCK_MS = Date.UTC(2026, 10, 28, 10, 0, 0);

export interface DigestWorkload {
  readonly events: number;
  /** Share of sandbox calls that fail with throttling, so retries are part of the outcome too. */
  readonly faultRate: number;
  readonly seed: number;
}

/** A bench job: the digest runs in its own process, since it replaces the global clock. */
export interface DigestJob {
  readonly kind: 'digest';
  readonly workload: DigestWorkload;
  /** The reference path (default) or the fast path (local/sandbox/account.ts `EnginePath`). */
  readonly engine?: EnginePath;
}

/** The digest of the reference commit, committed beside this file; a behaviour change updates it. */
export const REFERENCE_FILE = 'outcome-digest.reference.json';

export const DEFAULT_DIGEST_WORKLOAD: DigestWorkload = { events: 400, faultRate: 0.05, seed: 7 };

/** JSON with object keys sorted, so the digest does not depend on property order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * An event's calls grouped by the workflow state that made them (states by name, calls of one state in log
 * order; the order the states ran in is the executions' `states`). Which of two concurrent states (Parallel branches) reaches the sandbox first
 * depends only on how many `await`s each call takes on its way (the SDK middleware stack or the fast path's
 * transport), not on anything the workflow decides, and Step Functions does not order branches either: the
 * digest leaves that interleaving out and keeps everything each state did, in its order.
 */
export function callsByState<T extends { readonly state?: string }>(calls: readonly T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const call of calls) {
    const key = call.state ?? '';
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
    }
    group.push(call);
  }
  return [...groups.keys()].sort().flatMap((key) => groups.get(key) ?? []);
}

/** What one event did, without timings. */
export function outcomeOf(result: EventResult): unknown {
  return {
    event: result.event,
    matchedRules: result.matchedRules,
    executions: result.executions.map((e) => ({
      stateMachine: e.stateMachine,
      executionArn: e.executionArn,
      status: e.status,
      states: e.states,
      stateTransitions: e.stateTransitions,
      retries: e.retries,
      output: e.output,
      error: e.error,
      cause: e.cause,
    })),
    apiCalls: callsByState(result.apiCalls).map((c) => ({
      service: c.service,
      operation: c.operation,
      input: c.input,
      error: c.error,
      state: c.state,
    })),
    notifications: result.notifications,
  };
}

export interface OutcomeDigest {
  readonly workload: DigestWorkload;
  readonly engine: EnginePath;
  readonly sha256: string;
  readonly executions: number;
  readonly apiCalls: number;
  readonly notifications: number;
}

let pinnedNow = PINNED_CLOCK_MS;

/** The pinned clock: give it to the Simulator (`clock`) whose events a digest covers. */
export const pinnedClock = (): number => pinnedNow;

/** Replaces the global `Date` so that `Date.now()` and `new Date()` read the pinned clock; returns the undo. */
function pinGlobalClock(): () => void {
  const RealDate = Date;
  class PinnedDate extends RealDate {
    constructor(...args: [] | [string | number | Date]) {
      if (args.length === 0) super(pinnedNow);
      else super(args[0]);
    }
    static override now(): number {
      return pinnedNow;
    }
  }
  globalThis.Date = PinnedDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

/**
 * The digest of what `events` did through `simulator` (built with `clock: pinnedClock`), one second apart on
 * the pinned clock, the global `Date` pinned meanwhile.
 */
export async function outcomeDigestOf(
  simulator: Simulator,
  events: Iterable<{ event: unknown; kind: string }>,
  onLine?: (line: string) => void,
): Promise<Omit<OutcomeDigest, 'workload' | 'engine'>> {
  const unpin = pinGlobalClock();
  try {
    const hash = createHash('sha256');
    let executions = 0;
    let apiCalls = 0;
    let notifications = 0;
    let index = 0;
    for (const { event, kind } of events) {
      // One second per event: windows, TTLs and timestamps advance as in a real stream.
      pinnedNow = PINNED_CLOCK_MS + index++ * 1000;
      const result = await simulator.processEvent(event, kind);
      const line = canonical(outcomeOf(result));
      onLine?.(line);
      hash.update(line);
      hash.update('\n');
      executions += result.executions.length;
      apiCalls += result.apiCalls.length;
      notifications += result.notifications.length;
    }
    return { sha256: hash.digest('hex'), executions, apiCalls, notifications };
  } finally {
    unpin();
  }
}

export async function outcomeDigest(
  workload: DigestWorkload = DEFAULT_DIGEST_WORKLOAD,
  engine: EnginePath = 'reference',
  onLine?: (line: string) => void,
): Promise<OutcomeDigest> {
  // The Simulator (and the handlers it loads) is created with the clock already pinned, as it always was.
  const unpin = pinGlobalClock();
  try {
    // Caps that the mix reaches, so "limit reached" paths are part of the digest as well as containment.
    const simulator = new Simulator({
      config: withCaps(25, 120),
      clock: pinnedClock,
      faultRate: workload.faultRate,
      seed: workload.seed,
      engine,
    });
    const digest = await outcomeDigestOf(simulator, mixedEvents(workload.events), onLine);
    return { workload, engine, ...digest };
  } finally {
    unpin();
  }
}

/** The digest's canonical line per event (to compare two paths whose digests differ: bench/digest-dump.ts). */
export function outcomeLines(
  workload: DigestWorkload,
  engine: EnginePath,
  onLine: (line: string) => void,
): Promise<OutcomeDigest> {
  return outcomeDigest(workload, engine, onLine);
}

if (require.main === module) {
  const index = process.argv.indexOf('--events');
  const events = index > 0 ? Number(process.argv[index + 1]) : DEFAULT_DIGEST_WORKLOAD.events;
  const engine = process.argv.includes('fast') ? 'fast' : 'reference';
  outcomeDigest({ ...DEFAULT_DIGEST_WORKLOAD, events }, engine)
    .then((d) => process.stdout.write(`${JSON.stringify(d, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
