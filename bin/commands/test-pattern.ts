/** `shield-right test-pattern`: does an event match a pattern? Prints true or false, like `aws events test-event-pattern`. */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from '../../definitions/config';
import { ruleDefinitions } from '../../definitions/patterns';
import { InvalidPatternError, matchesPattern } from '../../local/event-pattern';
import { readJsonFile, shown, UsageError } from '../cli-support';

export const help = `Usage: shield-right test-pattern (--pattern PATTERN.json | --rule RULE_NAME) EVENT.json

Prints true when the EventBridge event matches the pattern, false otherwise (exit 0 either way).
--rule takes one of shield-right's own rules: ${ruleDefinitions(DEFAULT_CONFIG)
  .map((r) => r.name)
  .join(', ')}.

Example:
  shield-right test-pattern --rule RuntimeThreatRule examples/events/01-high-fargate-crypto-miner.json`;

export function testPattern(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { pattern: { type: 'string' }, rule: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('test-pattern takes exactly one EVENT.json');
  if (!values.pattern === !values.rule) throw new UsageError('give either --pattern FILE or --rule NAME');
  let pattern: unknown;
  if (values.rule) {
    const rule = ruleDefinitions(DEFAULT_CONFIG).find((r) => r.name === values.rule);
    if (!rule) throw new UsageError(`unknown rule ${shown(values.rule)}`);
    pattern = rule.pattern;
  } else {
    pattern = readJsonFile(values.pattern ?? '');
  }
  const event = readJsonFile(positionals[0] ?? '');
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new UsageError('the pattern must be a JSON object');
  }
  try {
    console.log(String(matchesPattern(pattern as Record<string, unknown>, event)));
  } catch (err) {
    if (err instanceof InvalidPatternError) throw new UsageError(`invalid pattern: ${err.message}`);
    throw err;
  }
  return 0;
}
