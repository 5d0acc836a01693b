/**
 * Valibot building blocks for reading untrusted events (GuardDuty, Inspector). Every check carries the
 * message an operator sees in the rejection notification, and `readEvent` turns the first failed check
 * into an InvalidFindingError naming the wrong field (`detail.resource.ecsClusterDetails.name`).
 */
import * as v from 'valibot';
import { InvalidFindingError } from '../errors';
import { isObject } from '../read';

// Bounds that keep a hostile event from growing every downstream record and message.
export const MAX_TEXT = 4096;
export const MAX_LIST = 100;

/** The value as a rejection message shows it: short, and never the whole of a long string. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** The message of a failed type check: what was expected and what the event holds instead. */
export const got = (expected: string) => (issue: v.BaseIssue<unknown>) =>
  `${expected}, got ${describe(issue.input)}`;
const invalid = (issue: v.BaseIssue<unknown>) => `${describe(issue.input)} is not a valid value`;

/** A JSON object (not an array), with the given fields checked in order; other fields are kept. */
export function record<E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isObject, got('expected an object')),
    // A missing required field is reported the way its own schema reports `undefined`.
    v.looseObject(entries, (issue) => {
      const key = issue.path?.[0]?.key;
      const schema = typeof key === 'string' ? entries[key] : undefined;
      return (schema && v.safeParse(schema, undefined).issues?.[0]?.message) ?? issue.message;
    }),
  );
}

/** A non-empty string of at most MAX_TEXT characters, matching `pattern` when given. */
export function text(pattern?: RegExp) {
  const string = v.pipe(
    v.custom<string>(
      (value) => typeof value === 'string' && value.length > 0,
      got('expected a non-empty string'),
    ),
    v.maxLength(MAX_TEXT, `longer than ${MAX_TEXT} characters`),
  );
  return pattern ? v.pipe(string, v.regex(pattern, invalid)) : string;
}

/** `text` that may be absent or null. */
export const optionalText = (pattern?: RegExp) => v.nullish(text(pattern));

/** `text` that must be exactly `expected`: the event is of another kind otherwise. */
export const exactly = (expected: string) =>
  v.pipe(
    text(),
    v.check(
      (value) => value === expected,
      (issue) => `expected ${expected}, got ${String(issue.input)}`,
    ),
  );

const numeric = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/** A finite number from `min` to `max`; numeric strings are read as numbers. */
export const numberIn = (min: number, max: number) =>
  v.pipe(
    v.unknown(),
    v.check(
      (value) => {
        const n = numeric(value);
        return typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;
      },
      got(`expected a number from ${min} to ${max}`),
    ),
    v.transform((value) => Number(value)),
  );

/** An array of at most MAX_LIST entries, each checked by `item`. */
export const list = <S extends v.GenericSchema>(item: S) =>
  v.pipe(
    v.custom<unknown[]>(Array.isArray, got('expected an array')),
    v.maxLength(MAX_LIST, `more than ${MAX_LIST} entries`),
    v.array(item),
  );

/** Free text from the finding: kept (clipped) whatever its content; it is escaped when displayed. */
export function textOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

/** An optional free-text field: never rejected, absent when it holds no text. */
export const freeText = v.optional(v.pipe(v.unknown(), v.transform(textOrUndefined)));

/** A field read as it is, for the normalizer's own reading (timestamps, fallbacks between fields). */
export const raw = v.optional(v.unknown());

/** A field read leniently: when its shape is wrong it is left out rather than rejecting the finding. */
export const lenient = <S extends v.GenericSchema>(schema: S) =>
  v.optional(
    v.pipe(
      v.unknown(),
      v.transform((value): v.InferOutput<S> | undefined => {
        const result = v.safeParse(schema, value);
        return result.success ? result.output : undefined;
      }),
    ),
  );

/** GuardDuty and ECS tags as `[{key, value}]` (either case) to a plain map; absent is no tags. */
export const tags = v.pipe(
  v.nullish(list(record({})), []),
  v.transform((entries) => {
    const map: Record<string, string> = {};
    for (const tag of entries) {
      const key = tag.key ?? tag.Key;
      const val = tag.value ?? tag.Value;
      if (typeof key === 'string' && key.length > 0 && key.length <= 256) {
        map[key] = typeof val === 'string' ? val.slice(0, 512) : '';
      }
    }
    return map;
  }),
);

/** The `source` of an EventBridge event, whatever it holds: it says which reader the event goes to. */
export const EventSourceSchema = record({ source: v.unknown() });

/** `detail.resource.ecsClusterDetails` from an issue's path, under `at` (the whole event when empty). */
function fieldOf(issue: v.BaseIssue<unknown>, at: string): string {
  let field = at;
  for (const { key } of issue.path ?? []) {
    if (typeof key === 'number') field += `[${key}]`;
    else field = field ? `${field}.${String(key)}` : String(key);
  }
  return field || 'event';
}

/**
 * Reads `value` (found at `at` in the event) with `schema`, or throws an InvalidFindingError for the
 * first failed check.
 */
export function readEvent<S extends v.GenericSchema>(schema: S, value: unknown, at = ''): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new InvalidFindingError(fieldOf(issue, at), issue.message);
}
