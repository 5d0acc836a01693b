/**
 * Leaves: the array of values and operators a pattern gives for one field, compiled into one test of the
 * event's value there (a scalar, or an array any scalar of which may match).
 */
import { isRecord } from '../sandbox/shared';
import { describeValue, InvalidPatternError } from './errors';
import { cidrTest, numericTest, wildcardTest } from './operators';

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
export const OPERATOR_NAMES: ReadonlySet<string> = new Set(OPERATORS);

function isOperator(name: string): name is Operator {
  return OPERATOR_NAMES.has(name);
}

type Scalar = string | number | boolean | null;

export type StringTest = (value: string) => boolean;
export type NumberTest = (value: number) => boolean;

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

export function compileLeaf(values: unknown[], path: string): LeafTest {
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
      // TestEventPattern also accepts a list here (none of the affixes), though the operator page shows one string.
      const affixes = stringOrStrings(value, path, name);
      if (affixes.includes('')) throw new InvalidPatternError(path, `anything-but ${name} must not be empty`);
      return name === 'prefix'
        ? (text) => !affixes.some((affix) => text.startsWith(affix))
        : (text) => !affixes.some((affix) => text.endsWith(affix));
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
