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

export class InvalidPatternError extends Error {
  /** JSON path of the offending part of the pattern, e.g. `detail.severity[0]`. */
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'InvalidPatternError';
    this.path = path;
    this.reason = reason;
  }
}

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

// ---------------------------------------------------------------------------------------------------------
// Structure: objects, fields and $or

const ROOT = '(root)';
const OR_KEY = '$or';
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
type Operator = (typeof OPERATORS)[number];
const OPERATOR_NAMES: ReadonlySet<string> = new Set(OPERATORS);

function isOperator(name: string): name is Operator {
  return OPERATOR_NAMES.has(name);
}

/** Tests the fields of one event object; `undefined` stands for "no object here", so every field is absent. */
type ObjectTest = (object: Record<string, unknown> | undefined) => boolean;
type Scalar = string | number | boolean | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Applies an object test to an event value, descending into arrays (any element may match). */
function valueMatcher(test: ObjectTest): EventMatcher {
  const match = (value: unknown): boolean => {
    if (Array.isArray(value)) {
      // An empty array holds no fields at all, which `exists: false` must still see as absent.
      if (value.length === 0) return test(undefined);
      for (const element of value) {
        if (match(element)) return true;
      }
      return false;
    }
    return test(isRecord(value) ? value : undefined);
  };
  return match;
}

function compileObject(pattern: Record<string, unknown>, path: string, insideOr: boolean): ObjectTest {
  const keys = Object.keys(pattern);
  if (keys.length === 0) {
    throw new InvalidPatternError(path || ROOT, 'empty objects are not allowed in a pattern');
  }
  const leafTests: ObjectTest[] = [];
  const nestedTests: ObjectTest[] = [];
  for (const key of keys) {
    const value = pattern[key];
    const keyPath = fieldPath(path, key);
    if (key === OR_KEY) {
      nestedTests.push(compileOr(value, keyPath));
      continue;
    }
    if (insideOr && OPERATOR_NAMES.has(key)) {
      // Usually an operator written one level too high, e.g. "$or": [{ "prefix": "a" }, ...].
      throw new InvalidPatternError(keyPath, `"${key}" is an operator and cannot be a field name inside $or`);
    }
    if (Array.isArray(value)) {
      const leaf = compileLeaf(value, keyPath);
      leafTests.push((object) =>
        leaf(object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined),
      );
    } else if (isRecord(value)) {
      const nested = valueMatcher(compileObject(value, keyPath, insideOr));
      nestedTests.push((object) =>
        nested(object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined),
      );
    } else {
      throw new InvalidPatternError(
        keyPath,
        `must be an array of values to match or a nested pattern object, got ${describeValue(value)}`,
      );
    }
  }
  // Leaves first: they are cheap and reject most events before any nested descent.
  return allOf([...leafTests, ...nestedTests]);
}

function compileOr(value: unknown, keyPath: string): ObjectTest {
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidPatternError(keyPath, '$or expects an array of at least 2 sub-patterns');
  }
  const alternatives = value.map((alternative, index) => {
    if (!isRecord(alternative)) {
      throw new InvalidPatternError(
        `${keyPath}[${index}]`,
        `$or sub-patterns must be objects, got ${describeValue(alternative)}`,
      );
    }
    // Each alternative is matched against the object holding $or itself.
    return compileObject(alternative, `${keyPath}[${index}]`, true);
  });
  return (object) => {
    for (const alternative of alternatives) {
      if (alternative(object)) return true;
    }
    return false;
  };
}

function allOf(tests: ObjectTest[]): ObjectTest {
  const [only] = tests;
  if (tests.length === 1 && only !== undefined) return only;
  return (object) => {
    for (const test of tests) {
      if (!test(object)) return false;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Leaves: the array of values and operators for one field

type StringTest = (value: string) => boolean;
type NumberTest = (value: number) => boolean;

interface LeafSpec {
  readonly strings: Set<string>;
  readonly numbers: Set<number>;
  readonly stringTests: StringTest[];
  readonly numberTests: NumberTest[];
  matchTrue: boolean;
  matchFalse: boolean;
  matchNull: boolean;
  /** Set by anything-but: booleans and null are never among the excluded values. */
  matchOtherScalars: boolean;
  existsTrue: boolean;
  existsFalse: boolean;
}

type LeafTest = (value: unknown) => boolean;

function compileLeaf(values: unknown[], path: string): LeafTest {
  if (values.length === 0) {
    throw new InvalidPatternError(path, 'empty arrays are not allowed; list at least one value or operator');
  }
  const spec: LeafSpec = {
    strings: new Set(),
    numbers: new Set(),
    stringTests: [],
    numberTests: [],
    matchTrue: false,
    matchFalse: false,
    matchNull: false,
    matchOtherScalars: false,
    existsTrue: false,
    existsFalse: false,
  };
  values.forEach((value, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof value === 'string') {
      spec.strings.add(value);
    } else if (typeof value === 'number') {
      spec.numbers.add(finiteNumber(value, itemPath));
    } else if (value === true) {
      spec.matchTrue = true;
    } else if (value === false) {
      spec.matchFalse = true;
    } else if (value === null) {
      spec.matchNull = true;
    } else if (isRecord(value)) {
      addOperator(spec, value, itemPath);
    } else {
      throw new InvalidPatternError(
        itemPath,
        `match values must be a string, number, boolean, null or an operator object, got ${describeValue(value)}`,
      );
    }
  });
  return leafTest(spec);
}

function leafTest(spec: LeafSpec): LeafTest {
  const { strings, numbers, stringTests, numberTests, existsTrue, existsFalse } = spec;
  const matchScalar = (value: Scalar): boolean => {
    if (typeof value === 'string') {
      if (strings.has(value)) return true;
      for (const test of stringTests) {
        if (test(value)) return true;
      }
      return false;
    }
    if (typeof value === 'number') {
      if (numbers.has(value)) return true;
      for (const test of numberTests) {
        if (test(value)) return true;
      }
      return false;
    }
    if (value === null) return spec.matchNull || spec.matchOtherScalars;
    return (value ? spec.matchTrue : spec.matchFalse) || spec.matchOtherScalars;
  };
  // Returns whether any scalar was seen (for exists) unless a scalar matched, reported as 'match'.
  const scanArray = (array: unknown[]): 'match' | 'leaf' | 'none' => {
    let sawLeaf = false;
    for (const element of array) {
      if (Array.isArray(element)) {
        const inner = scanArray(element);
        if (inner === 'match') return inner;
        sawLeaf ||= inner === 'leaf';
      } else if (isScalar(element)) {
        if (matchScalar(element)) return 'match';
        sawLeaf = true;
      }
    }
    return sawLeaf ? 'leaf' : 'none';
  };
  return (value) => {
    if (isScalar(value)) return existsTrue || matchScalar(value);
    if (Array.isArray(value)) {
      const scan = scanArray(value);
      return scan === 'match' || (scan === 'leaf' ? existsTrue : existsFalse);
    }
    // Missing, or an object: not a leaf, which only `exists: false` accepts.
    return existsFalse;
  };
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function finiteNumber(value: number, path: string): number {
  if (!Number.isFinite(value)) {
    throw new InvalidPatternError(path, `numbers must be finite, got ${value}`);
  }
  return value;
}

function addOperator(spec: LeafSpec, item: Record<string, unknown>, path: string): void {
  const keys = Object.keys(item);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined) {
    throw new InvalidPatternError(
      path,
      `an operator object must have exactly one key, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
  }
  if (!isOperator(name)) {
    throw new InvalidPatternError(
      path,
      `unknown operator "${name}"; expected one of ${OPERATORS.join(', ')}`,
    );
  }
  const operand = item[name];
  switch (name) {
    case 'prefix':
      spec.stringTests.push(affixTest('prefix', operand, path));
      return;
    case 'suffix':
      spec.stringTests.push(affixTest('suffix', operand, path));
      return;
    case 'equals-ignore-case': {
      const expected = requireString(operand, path, 'equals-ignore-case expects a string').toLowerCase();
      spec.stringTests.push((value) => value.toLowerCase() === expected);
      return;
    }
    case 'wildcard':
      spec.stringTests.push(wildcardTest(requireString(operand, path, 'wildcard expects a string'), path));
      return;
    case 'anything-but':
      addAnythingBut(spec, operand, path);
      return;
    case 'numeric':
      spec.numberTests.push(numericTest(operand, path));
      return;
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidPatternError(path, `exists expects true or false, got ${describeValue(operand)}`);
      }
      if (operand) spec.existsTrue = true;
      else spec.existsFalse = true;
      return;
    case 'cidr':
      spec.stringTests.push(cidrTest(operand, path));
      return;
  }
}

function requireString(value: unknown, path: string, reason: string): string {
  if (typeof value !== 'string') {
    throw new InvalidPatternError(path, `${reason}, got ${describeValue(value)}`);
  }
  return value;
}

/** prefix/suffix: a plain string (case-sensitive) or `{ "equals-ignore-case": string }`. */
function affixTest(kind: 'prefix' | 'suffix', operand: unknown, path: string): StringTest {
  const usage = `${kind} expects a string or {"equals-ignore-case": string}`;
  if (typeof operand === 'string') {
    return kind === 'prefix' ? (value) => value.startsWith(operand) : (value) => value.endsWith(operand);
  }
  if (!isRecord(operand)) throw new InvalidPatternError(path, `${usage}, got ${describeValue(operand)}`);
  const keys = Object.keys(operand);
  const folded = operand['equals-ignore-case'];
  if (keys.length !== 1 || typeof folded !== 'string') throw new InvalidPatternError(path, usage);
  const expected = folded.toLowerCase();
  return kind === 'prefix'
    ? (value) => value.toLowerCase().startsWith(expected)
    : (value) => value.toLowerCase().endsWith(expected);
}

function addAnythingBut(spec: LeafSpec, operand: unknown, path: string): void {
  spec.matchOtherScalars = true;
  if (typeof operand === 'string') {
    spec.stringTests.push((value) => value !== operand);
    spec.numberTests.push(() => true);
    return;
  }
  if (typeof operand === 'number') {
    const excluded = finiteNumber(operand, path);
    spec.stringTests.push(() => true);
    spec.numberTests.push((value) => value !== excluded);
    return;
  }
  if (Array.isArray(operand)) {
    const mixed = 'anything-but expects a non-empty list of only strings or only numbers';
    if (operand.length === 0) throw new InvalidPatternError(path, mixed);
    if (operand.every((value): value is string => typeof value === 'string')) {
      const excluded = new Set(operand);
      spec.stringTests.push((value) => !excluded.has(value));
      spec.numberTests.push(() => true);
      return;
    }
    if (operand.every((value): value is number => typeof value === 'number' && Number.isFinite(value))) {
      const excluded = new Set(operand);
      spec.stringTests.push(() => true);
      spec.numberTests.push((value) => !excluded.has(value));
      return;
    }
    throw new InvalidPatternError(path, mixed);
  }
  if (isRecord(operand)) {
    spec.stringTests.push(anythingButStringTest(operand, path));
    spec.numberTests.push(() => true);
    return;
  }
  throw new InvalidPatternError(
    path,
    `anything-but expects a string, a number, a list of either, or an object with prefix, suffix, ` +
      `equals-ignore-case or wildcard, got ${describeValue(operand)}`,
  );
}

/** `anything-but: { prefix | suffix | equals-ignore-case | wildcard }`: the negation, over strings only. */
function anythingButStringTest(operand: Record<string, unknown>, path: string): StringTest {
  const keys = Object.keys(operand);
  const [name] = keys;
  const value = name === undefined ? undefined : operand[name];
  if (keys.length !== 1) {
    throw new InvalidPatternError(
      path,
      'anything-but object must have exactly one of prefix, suffix, ' + 'equals-ignore-case or wildcard',
    );
  }
  switch (name) {
    case 'prefix':
    case 'suffix': {
      const affix = requireString(value, path, `anything-but ${name} expects a string`);
      if (affix === '') throw new InvalidPatternError(path, `anything-but ${name} must not be empty`);
      return name === 'prefix' ? (text) => !text.startsWith(affix) : (text) => !text.endsWith(affix);
    }
    case 'equals-ignore-case': {
      const excluded = new Set(stringOrStrings(value, path, name).map((text) => text.toLowerCase()));
      return (text) => !excluded.has(text.toLowerCase());
    }
    case 'wildcard': {
      const tests = stringOrStrings(value, path, name).map((text) => wildcardTest(text, path));
      return (text) => !tests.some((test) => test(text));
    }
    default:
      throw new InvalidPatternError(
        path,
        `anything-but does not support "${name}"; use prefix, suffix, equals-ignore-case or wildcard`,
      );
  }
}

function stringOrStrings(value: unknown, path: string, name: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v): v is string => typeof v === 'string')) {
    return value;
  }
  throw new InvalidPatternError(
    path,
    `anything-but ${name} expects a string or a non-empty list of strings, got ${describeValue(value)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// wildcard

/**
 * `*` matches any run of characters (including none), `\*` a literal star and `\\` a literal backslash;
 * any other escape and consecutive unescaped stars are rejected, as EventBridge does.
 */
function wildcardTest(source: string, path: string): StringTest {
  const segments: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidPatternError(path, `wildcard "${source}": a backslash may only escape * or \\`);
      }
      current += next;
      i++;
      previousWasStar = false;
    } else if (char === '*') {
      if (previousWasStar) {
        throw new InvalidPatternError(path, `wildcard "${source}" must not contain consecutive * characters`);
      }
      segments.push(current);
      current = '';
      previousWasStar = true;
    } else {
      current += char;
      previousWasStar = false;
    }
  }
  segments.push(current);
  return globTest(segments);
}

/** Segments are the literal text between stars; matching is linear (no regex backtracking). */
function globTest(segments: string[]): StringTest {
  const first = segments[0] ?? '';
  if (segments.length === 1) return (value) => value === first;
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1);
  const minLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (value) => {
    if (value.length < minLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let position = first.length;
    // Taking each middle segment at its leftmost occurrence leaves the most room for the rest.
    for (const segment of middle) {
      const at = value.indexOf(segment, position);
      if (at < 0 || at + segment.length > end) return false;
      position = at + segment.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------------------
// numeric

const NUMERIC_USAGE = 'numeric expects pairs of operator and number';
const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

/**
 * Accepted shapes, as in EventBridge: `["=", n]`, a single bound, or a lower bound (`>`/`>=`) followed by an
 * upper bound (`<`/`<=`) strictly above it.
 */
function numericTest(operand: unknown, path: string): NumberTest {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidPatternError(path, NUMERIC_USAGE);
  }
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const operator: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (typeof operator !== 'string' || typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new InvalidPatternError(path, NUMERIC_USAGE);
    }
    if (!NUMERIC_OPERATORS.has(operator)) {
      throw new InvalidPatternError(path, `numeric operator "${operator}" is not one of =, <, <=, >, >=`);
    }
    pairs.push([operator, bound]);
  }
  const [lowPair, highPair] = pairs;
  if (lowPair === undefined) throw new InvalidPatternError(path, NUMERIC_USAGE);
  const [op, n] = lowPair;
  if (highPair === undefined) {
    switch (op) {
      case '=':
        return (value) => value === n;
      case '<':
        return (value) => value < n;
      case '<=':
        return (value) => value <= n;
      case '>':
        return (value) => value > n;
      default:
        return (value) => value >= n;
    }
  }
  const [highOp, high] = highPair;
  if (pairs.length > 2 || (op !== '>' && op !== '>=') || (highOp !== '<' && highOp !== '<=')) {
    throw new InvalidPatternError(
      path,
      'numeric takes "=" alone, one bound, or a lower bound (> or >=) followed by an upper bound (< or <=)',
    );
  }
  if (n >= high) {
    throw new InvalidPatternError(
      path,
      `numeric range is empty: lower bound ${n} must be below upper bound ${high}`,
    );
  }
  const aboveLow: NumberTest = op === '>' ? (value) => value > n : (value) => value >= n;
  return highOp === '<'
    ? (value) => aboveLow(value) && value < high
    : (value) => aboveLow(value) && value <= high;
}

// ---------------------------------------------------------------------------------------------------------
// cidr

const CIDR_USAGE = 'cidr expects an IPv4 or IPv6 range such as "10.0.0.0/24" or "2001:db8::/32"';
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function cidrTest(operand: unknown, path: string): StringTest {
  if (typeof operand !== 'string')
    throw new InvalidPatternError(path, `${CIDR_USAGE}, got ${describeValue(operand)}`);
  const slash = operand.lastIndexOf('/');
  const bitsText = operand.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(bitsText)) {
    throw new InvalidPatternError(path, `${CIDR_USAGE}, got "${operand}"`);
  }
  const address = operand.slice(0, slash);
  const bits = Number(bitsText);
  if (address.includes(':')) {
    const network = parseIPv6(address);
    if (network === undefined || bits > 128)
      throw new InvalidPatternError(path, `${CIDR_USAGE}, got "${operand}"`);
    const mask = ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
    const masked = network & mask;
    return (value) => {
      if (!value.includes(':')) return false;
      const ip = parseIPv6(value);
      return ip !== undefined && (ip & mask) === masked;
    };
  }
  const network = parseIPv4(address);
  if (network === undefined || bits > 32)
    throw new InvalidPatternError(path, `${CIDR_USAGE}, got "${operand}"`);
  // `<< 32` is a no-op in JavaScript, so /0 needs its own mask.
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const masked = (network & mask) >>> 0;
  return (value) => {
    const ip = parseIPv4(value);
    return ip !== undefined && (ip & mask) >>> 0 === masked;
  };
}

function parseIPv4(text: string): number | undefined {
  const match = IPV4.exec(text);
  if (match === null) return undefined;
  let result = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return result;
}

function parseIPv6(text: string): bigint | undefined {
  let hex = text;
  // A trailing dotted quad (e.g. ::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const gap = hex.indexOf('::');
  let groups: string[];
  if (gap < 0) {
    groups = hex.split(':');
    if (groups.length !== 8) return undefined;
  } else {
    if (hex.indexOf('::', gap + 1) >= 0) return undefined;
    const head = hex.slice(0, gap);
    const rest = hex.slice(gap + 2);
    const left = head === '' ? [] : head.split(':');
    const right = rest === '' ? [] : rest.split(':');
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  }
  let result = 0n;
  for (const group of groups) {
    if (!HEX_GROUP.test(group)) return undefined;
    result = (result << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return result;
}
