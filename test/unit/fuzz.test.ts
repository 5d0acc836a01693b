/**
 * Hostile and malformed input (issue 7): thousands of seeded mutations of valid GuardDuty and Inspector
 * findings through validation and the decision functions, and a share of them end to end through the
 * workflows. Nothing crashes, every rejection is a named error that starts with the wrong field, and no
 * finding the independent oracle refuses is ever acted on. `FUZZ_CASES` raises the count; `bench/fuzz.ts`
 * runs it at scale.
 */
import { DEFAULT_CONFIG, MAX_BUDGET } from '../../definitions/config';
import { type EventResult, Simulator } from '../../local/engine';
import {
  type CaseOutcome,
  type FuzzSummary,
  fuzzCases,
  MUTATION_KINDS,
  REJECTION_NAMES,
  runCase,
  summarize,
} from '../../local/fixtures/fuzz';
import { destructiveCalls } from '../helpers/destructive';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const END_TO_END_CASES = 200;
const BATCH = 25;

const describeCase = (o: CaseOutcome): string =>
  `#${o.index} ${o.source} [${o.mutations.map((m) => `${m.kind} at ${m.path}`).join('; ')}] ` +
  `${o.accepted ? `accepted (${o.path ?? 'no plan'})` : `${o.errorName}: ${(o.message ?? '').slice(0, 120)}`} ` +
  `→ ${[...o.problems, ...o.verdict.inconsistent].join(' | ')}`;

const withProblem = (summary: FuzzSummary, prefix: string): string[] =>
  summary.problems.filter((o) => o.problems.some((p) => p.startsWith(prefix))).map(describeCase);

const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', recordUnhandled);
});

afterAll(() => {
  process.off('unhandledRejection', recordUnhandled);
});

describe(`fuzz: ${CASES} mutated findings (seed ${SEED}) through validation and decision`, () => {
  let summary: FuzzSummary;

  beforeAll(() => {
    const outcomes: CaseOutcome[] = [];
    // Events are checked as they are made and not kept: a few carry 100 KB strings or 10k-element arrays.
    for (const c of fuzzCases(CASES, SEED)) outcomes.push(runCase(c));
    summary = summarize(outcomes);
  });

  it('exercises every mutation, acceptance, action and both kinds of rejection', () => {
    for (const kind of MUTATION_KINDS) expect(summary.mutations[kind] ?? 0).toBeGreaterThan(CASES / 40);
    expect(summary.accepted).toBeGreaterThan(CASES / 10);
    expect(summary.acted).toBeGreaterThan(CASES / 20);
    for (const name of REJECTION_NAMES) expect(summary.rejectedBy[name] ?? 0).toBeGreaterThan(0);
  });

  it('never crashes: every rejection is an InvalidFindingError or a CrossAccountFindingError', () => {
    expect(withProblem(summary, 'crash')).toEqual([]);
    expect(Object.keys(summary.rejectedBy).sort()).toEqual([...REJECTION_NAMES].sort());
  });

  it('starts every InvalidFindingError message with the path of the wrong field, and keeps it short', () => {
    expect(withProblem(summary, 'rejection')).toEqual([]);
  });

  it('accepts every intact fixture', () => {
    expect(withProblem(summary, 'an intact fixture')).toEqual([]);
  });

  it('never plans an action for a finding the oracle refuses', () => {
    expect(withProblem(summary, 'acted on an invalid finding')).toEqual([]);
  });

  it('normalizes to plain JSON with a safe incident id, and decides a plain JSON plan', () => {
    expect(summary.problems.map(describeCase)).toEqual([]);
  });

  it('starts every CrossAccountFindingError message with the field it is about', () => {
    expect(summary.crossAccountWithoutField.map(describeCase)).toEqual([]);
  });

  it('refuses findings that name resources in another partition or region', () => {
    expect(summary.actedOnInconsistent.map(describeCase)).toEqual([]);
  });
});

describe(`fuzz end to end: ${END_TO_END_CASES} mutated findings through the rules and workflows`, () => {
  let checked: { outcome: CaseOutcome; result: EventResult }[];
  const crashed: string[] = [];

  beforeAll(async () => {
    // Caps out of the way: every valid finding can act, so a wrongly accepted one would show.
    const sim = new Simulator({
      config: {
        ...DEFAULT_CONFIG,
        blastRadius: {
          ...DEFAULT_CONFIG.blastRadius,
          maxActionsPerCluster: MAX_BUDGET,
          maxActionsPerAccount: MAX_BUDGET,
        },
      },
    });
    checked = [];
    const cases = [...fuzzCases(END_TO_END_CASES, SEED)];
    for (let start = 0; start < cases.length; start += BATCH) {
      await Promise.all(
        cases.slice(start, start + BATCH).map(async (c) => {
          const outcome = runCase(c);
          try {
            checked.push({ outcome, result: await sim.processEvent(c.event, `fuzz-${c.index}`) });
          } catch (err) {
            crashed.push(
              `#${c.index}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
            );
          }
        }),
      );
    }
  }, 60_000);

  it('processes every event without an engine or handler crash', () => {
    expect(crashed).toEqual([]);
    expect(checked).toHaveLength(END_TO_END_CASES);
  });

  it('makes no destructive call for an event that failed validation or that the oracle refuses', () => {
    const refused = checked.filter(({ outcome }) => !outcome.accepted || outcome.verdict.invalid.length > 0);
    const acting = checked.filter(({ result }) => destructiveCalls(result).length > 0);

    expect(refused.filter(({ result }) => result.matchedRules.length > 0).length).toBeGreaterThan(10);
    expect(acting.length).toBeGreaterThan(10);
    expect(
      refused
        .filter(({ result }) => destructiveCalls(result).length > 0)
        .map(
          ({ outcome, result }) =>
            `${describeCase(outcome)}: ${destructiveCalls(result).map((c) => c.operation)}`,
        ),
    ).toEqual([]);
  });

  it('stores and alerts every rejected event that reached a workflow, as the direct validation rejected it', () => {
    const reached = checked.filter(({ result }) => result.executions.length > 0);
    const disagreements = reached.filter(
      ({ outcome, result }) =>
        outcome.accepted === (result.executions[0]?.states.includes('StoreRejectedEvent') ?? false),
    );
    const unalerted = reached.filter(
      ({ outcome, result }) =>
        !outcome.accepted &&
        (!result.notifications.some((n) => n.attributes.action === 'invalid-input') ||
          !result.apiCalls.some(
            (c) =>
              c.service === 's3' &&
              c.operation === 'PutObject' &&
              c.error === null &&
              String((c.input as { Key?: unknown }).Key).startsWith('rejected/'),
          )),
    );

    expect(reached.filter(({ outcome }) => !outcome.accepted).length).toBeGreaterThan(10);
    expect(disagreements.map(({ outcome }) => describeCase(outcome))).toEqual([]);
    expect(unalerted.map(({ outcome }) => describeCase(outcome))).toEqual([]);
  });

  it('leaves no unhandled promise rejection behind', () => {
    expect(unhandled).toEqual([]);
  });
});
