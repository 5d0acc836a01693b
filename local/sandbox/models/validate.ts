/**
 * Checks an SDK v3 command input against the botocore constraints of its operation (pure: no I/O) and
 * returns the first violation, the way AWS's request validation (Coral) reports them: the member path with
 * 1-based list positions (`tags.1.member.value`) and the constraint sentence.
 */
import type { ServiceConstraints, Shape } from './types';

export type ViolationKind = 'required' | 'length' | 'range' | 'pattern' | 'enum';

export interface Violation {
  readonly kind: ViolationKind;
  /** Coral-style path: lower-camel member names, `.N.member` for the Nth list element. */
  readonly path: string;
  /** The offending member's own name (as in the model). */
  readonly member: string;
  readonly value: unknown;
  /** AWS's sentence, e.g. `Member must have length less than or equal to 255`. */
  readonly constraint: string;
}

const regexCache = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let compiled = regexCache.get(source);
  if (!compiled) {
    compiled = new RegExp(source, 'u');
    regexCache.set(source, compiled);
  }
  return compiled;
}

/** The Java pattern as the data file holds it, without the anchors the translation added. */
export function displayPattern(source: string): string {
  return source.startsWith('^(?:') && source.endsWith(')$') ? source.slice(4, -2) : source;
}

const lowerCamel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

interface Where {
  readonly path: string;
  readonly member: string;
}

const child = (where: Where, member: string): Where => ({
  path: where.path ? `${where.path}.${lowerCamel(member)}` : lowerCamel(member),
  member,
});

/** A measured length (`length`) or a number (`range`) outside the shape's min/max, in AWS's words. */
function boundViolation(
  kind: 'length' | 'range',
  measured: number,
  shape: { min?: number; max?: number },
  where: Where,
  value: unknown,
): Violation | undefined {
  const noun = kind === 'length' ? 'length' : 'value';
  if (shape.min !== undefined && measured < shape.min)
    return {
      kind,
      ...where,
      value,
      constraint: `Member must have ${noun} greater than or equal to ${shape.min}`,
    };
  if (shape.max !== undefined && measured > shape.max)
    return {
      kind,
      ...where,
      value,
      constraint: `Member must have ${noun} less than or equal to ${shape.max}`,
    };
  return undefined;
}

function check(
  shapes: Readonly<Record<string, Shape>>,
  name: string,
  value: unknown,
  where: Where,
): Violation | undefined {
  const shape = shapes[name];
  if (!shape || value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(value)) return undefined;
      for (const member of shape.required ?? []) {
        if (value[member] === undefined || value[member] === null)
          return {
            kind: 'required',
            ...child(where, member),
            value: null,
            constraint: 'Member must not be null',
          };
      }
      for (const member in shape.members) {
        const memberShape = shape.members[member];
        const memberValue = value[member];
        // Absent members are the common case: skip them before building a path.
        if (memberShape === undefined || memberValue === undefined || memberValue === null) continue;
        const found = check(shapes, memberShape, memberValue, child(where, member));
        if (found) return found;
      }
      return undefined;
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const found = boundViolation('length', value.length, shape, where, value);
      if (found || !shape.member) return found;
      for (const [i, item] of value.entries()) {
        const inner = check(shapes, shape.member, item, {
          path: `${where.path}.${i + 1}.member`,
          member: where.member,
        });
        if (inner) return inner;
      }
      return undefined;
    }
    case 'map': {
      if (!isPlainObject(value)) return undefined;
      const found = boundViolation('length', Object.keys(value).length, shape, where, value);
      if (found) return found;
      for (const [key, item] of Object.entries(value)) {
        const entry = { path: `${where.path}.${key}`, member: where.member };
        const inner =
          (shape.key ? check(shapes, shape.key, key, entry) : undefined) ??
          (shape.value
            ? check(shapes, shape.value, item, { ...entry, path: `${entry.path}.member` })
            : undefined);
        if (inner) return inner;
      }
      return undefined;
    }
    case 'string': {
      if (typeof value !== 'string') return undefined;
      // Coral counts code points, not UTF-16 units.
      const found = boundViolation('length', [...value].length, shape, where, value);
      if (found) return found;
      if (shape.enum && !shape.enum.includes(value))
        return {
          kind: 'enum',
          ...where,
          value,
          constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
        };
      if (shape.pattern !== undefined && !regex(shape.pattern).test(value))
        return {
          kind: 'pattern',
          ...where,
          value,
          constraint: `Member must satisfy regular expression pattern: ${displayPattern(shape.pattern)}`,
        };
      return undefined;
    }
    case 'blob': {
      const bytes =
        value instanceof Uint8Array
          ? value.byteLength
          : typeof value === 'string'
            ? Buffer.byteLength(value, 'utf8')
            : undefined;
      return bytes === undefined ? undefined : boundViolation('length', bytes, shape, where, value);
    }
    default: {
      if (typeof value !== 'number') return undefined;
      return boundViolation('range', value, shape, where, value);
    }
  }
}

/**
 * The first constraint `input` breaks for `operation`, or undefined. An operation the data file does not
 * list is not checked (the caller decides whether that is an error).
 */
export function findViolation(
  constraints: ServiceConstraints,
  operation: string,
  input: unknown,
): Violation | undefined {
  const shape = constraints.operations[operation];
  if (!shape) return undefined;
  return check(constraints.shapes, shape, input ?? {}, { path: '', member: '' });
}
