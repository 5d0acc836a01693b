/**
 * The hostile-input fuzz at scale: many seeded mutated GuardDuty and Inspector findings through
 * validation and the decision functions, with a summary (cases, accepted, rejected by error name,
 * crashes, contract breaches, time). `npm test` runs the same fuzz with a small count.
 *
 *   npx tsx bench/fuzz.ts [--cases 50000] [--seed 7] [--show 5]
 *
 * Exits 1 when any case crashed or broke the contract.
 */
import './env';
import { type CaseOutcome, fuzzCases, runCase, summarize } from '../local/fixtures/fuzz';

interface Options {
  readonly cases: number;
  readonly seed: number;
  readonly show: number;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const n = Number(argv[at + 1]);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} expects a whole number, got ${argv[at + 1]}`);
    return n;
  };
  return { cases: value('cases', 50_000), seed: value('seed', 7), show: value('show', 5) };
}

function describeCase(o: CaseOutcome): string {
  const mutations = o.mutations.map((m) => `${m.kind} at ${m.path}`).join('; ') || 'none';
  const what = o.accepted
    ? `accepted (${o.path ?? 'no plan'})`
    : `${o.errorName}: ${o.message?.slice(0, 160)}`;
  return `  #${o.index} ${o.source} [${mutations}]\n    ${what}\n    ${[...o.problems, ...o.verdict.inconsistent].join('\n    ')}`;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const outcomes: CaseOutcome[] = [];
  for (const c of fuzzCases(options.cases, options.seed)) outcomes.push(runCase(c));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const summary = summarize(outcomes);
  const crashes = summary.problems.filter((o) => o.problems.some((p) => p.startsWith('crash')));
  const rows: [string, string][] = [
    ['cases', String(summary.cases)],
    ['seed', String(options.seed)],
    ['accepted', `${summary.accepted} (${summary.acted} planned for action)`],
    ...Object.entries(summary.rejectedBy).map(([name, n]): [string, string] => [
      `rejected: ${name}`,
      String(n),
    ]),
    ['crashes', String(crashes.length)],
    ['contract breaches', String(summary.problems.length)],
    ['acted on inconsistent ARNs', String(summary.actedOnInconsistent.length)],
    ['cross-account message without field', String(summary.crossAccountWithoutField.length)],
    ['time', `${Math.round(ms)} ms (${((ms * 1000) / Math.max(1, summary.cases)).toFixed(1)} µs a case)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('shield-right fuzz: mutated findings through validation and decision\n');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(
    `\n  mutations: ${Object.entries(summary.mutations)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  const sections: [string, CaseOutcome[]][] = [
    ['contract breaches', summary.problems],
    ['acted on inconsistent ARNs', summary.actedOnInconsistent],
    ['cross-account messages without a field', summary.crossAccountWithoutField],
  ];
  for (const [title, list] of sections) {
    if (list.length === 0 || options.show === 0) continue;
    console.log(`\n${title} (first ${Math.min(options.show, list.length)} of ${list.length}):`);
    for (const o of list.slice(0, options.show)) console.log(describeCase(o));
  }
  process.exitCode = summary.problems.length > 0 ? 1 : 0;
}

main();
