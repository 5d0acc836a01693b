/** The structure of a pattern: objects, fields and `$or`, compiled into tests of one event object. */
import { isRecord } from '../sandbox/shared';
import { describeValue, InvalidPatternError } from './errors';
import type { EventMatcher } from './index';
import { compileLeaf, OPERATOR_NAMES } from './leaf';

export const ROOT = '(root)';
const OR_KEY = '$or';

/** Tests the fields of one event object; `undefined` stands for "no object here", so every field is absent. */
type ObjectTest = (object: Record<string, unknown> | undefined) => boolean;

function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * The value of field `key` of an event object. EventBridge matches on dot-joined paths of both pattern and
 * event, so `"a.b"` names the same field as `{ "a": { "b" } }` on either side; the plain lookup comes first.
 */
export function fieldValue(object: Record<string, unknown> | undefined, key: string): unknown {
  if (object === undefined) return undefined;
  if (Object.hasOwn(object, key)) return object[key];
  for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', dot + 1)) {
    const found = valueBelow(object[key.slice(0, dot)], key.slice(dot + 1));
    if (found !== undefined) return found;
  }
  // The event spells the path with dots: gather its `key.*` fields as one object.
  const prefix = `${key}.`;
  const joined = Object.keys(object)
    .filter((eventKey) => eventKey.startsWith(prefix))
    .map((eventKey) => [eventKey.slice(prefix.length), object[eventKey]] as const);
  return joined.length > 0 ? Object.fromEntries(joined) : undefined;
}

function valueBelow(value: unknown, rest: string): unknown {
  if (isRecord(value)) return fieldValue(value, rest);
  if (!Array.isArray(value)) return undefined;
  const found = value.map((element) => valueBelow(element, rest)).filter((v) => v !== undefined);
  return found.length > 0 ? found.flat() : undefined;
}

/** Applies an object test to an event value, descending into arrays (any element may match). */
export function valueMatcher(test: ObjectTest): EventMatcher {
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

export function compileObject(pattern: Record<string, unknown>, path: string, insideOr: boolean): ObjectTest {
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
      leafTests.push((object) => leaf(fieldValue(object, key)));
    } else if (isRecord(value)) {
      const nested = valueMatcher(compileObject(value, keyPath, insideOr));
      nestedTests.push((object) => nested(fieldValue(object, key)));
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
