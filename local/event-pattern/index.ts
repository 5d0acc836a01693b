/**
 * EventBridge event-pattern matching for the offline engine: the same patterns the FindingRules construct
 * deploys are validated and matched here, following the documented content-filtering semantics (and the
 * open-source aws/event-ruler where the documentation is silent).
 *
 * Patterns are compiled once into closures so replaying thousands of events never re-walks the pattern JSON.
 *
 * Semantics worth knowing:
 * - `[null]` matches a field present with a JSON null only; a missing field never matches a value, and
 *   `[""]` matches the empty string only.
 * - Exact values are type-aware: `[5]` matches the number 5 (also written 5.0 or 5e0), never the string "5".
 * - An event array matches when any element does; a nested pattern applied to an array of objects matches
 *   when one element matches the whole nested pattern (fields are never combined across elements).
 * - `exists` only sees leaves: an object (or an array holding no scalar) counts as absent, so
 *   `exists: false` matches it and `exists: true` does not.
 * - `anything-but` needs a present leaf value; values of another type (null, booleans, numbers against a
 *   string list, strings against a number list) are "anything but" the listed ones, so they match.
 */

import { isRecord } from '../sandbox/shared';
import { InvalidPatternError } from './errors';
import { compileObject, ROOT, valueMatcher } from './structure';

export { InvalidPatternError } from './errors';

export type EventMatcher = (event: unknown) => boolean;

/** Throws InvalidPatternError naming the offending path if `pattern` is not a valid event pattern. */
export function validatePattern(pattern: unknown): void {
  compiled(pattern);
}

/** Validates `pattern` once and returns a matcher to run against many events. */
export function compilePattern(pattern: unknown): EventMatcher {
  return compiled(pattern);
}

/** Whether `event` matches `pattern`; the pattern is validated and compiled on first use, then cached. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return compiled(pattern)(event);
}

// Cached per pattern object: patterns are treated as immutable once matched.
const cache = new WeakMap<object, EventMatcher>();

function compiled(pattern: unknown): EventMatcher {
  if (!isRecord(pattern)) {
    throw new InvalidPatternError(ROOT, 'an event pattern must be a JSON object');
  }
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    matcher = valueMatcher(compileObject(pattern, '', false));
    cache.set(pattern, matcher);
  }
  return matcher;
}
