/**
 * Attribute values as the sandbox stores them: the AttributeValue wire shape with exactly one type tag,
 * checked on the way in as DynamoDB checks them, compared in DynamoDB's orders, copied, sized, and turned
 * to and from JSON for snapshots. Numbers are exact decimals (value = m * 10^e): DynamoDB numbers have up
 * to 38 significant digits, beyond a double, so they are normalised, compared and added without floating
 * point. Comparisons and numbers share this module because sorting and filtering call them in tight loops.
 */

import { validation } from './errors';

export interface AttributeValue {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
}
export type Item = Record<string, AttributeValue>;

export const TYPE_TAGS = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'] as const;
export type TypeTag = (typeof TYPE_TAGS)[number];
export type KeyType = 'S' | 'N' | 'B';

/** Type names AWS uses when an ADD or DELETE operand has the wrong type. */
export const LONG_TYPE_NAMES: Record<TypeTag, string> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  BOOL: 'BOOLEAN',
  NULL: 'NULL',
  M: 'MAP',
  L: 'LIST',
  SS: 'STRING_SET',
  NS: 'NUMBER_SET',
  BS: 'BINARY_SET',
};

/**
 * A map-shaped input: a plain object, as the shared `isRecord` says, but never binary (a Uint8Array is an
 * object too). Written out rather than calling `isRecord`: it runs for every attribute value written, and a
 * call across modules costs a getter under tsx.
 */
export function isMapLike(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Internal values always carry exactly one tag, so the first defined one is the type. */
export function typeOf(av: AttributeValue): TypeTag {
  if (av.S !== undefined) return 'S';
  if (av.N !== undefined) return 'N';
  if (av.B !== undefined) return 'B';
  if (av.BOOL !== undefined) return 'BOOL';
  if (av.NULL !== undefined) return 'NULL';
  if (av.M !== undefined) return 'M';
  if (av.L !== undefined) return 'L';
  if (av.SS !== undefined) return 'SS';
  if (av.NS !== undefined) return 'NS';
  return 'BS';
}

// Exact decimals for numbers.
interface Decimal {
  m: bigint;
  e: number;
}

const NUMBER_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function normalizeDecimal(m: bigint, e: number): Decimal {
  if (m === 0n) return { m: 0n, e: 0 };
  let mantissa = m;
  let exponent = e;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  return { m: mantissa, e: exponent };
}

function checkDecimalRange(d: Decimal): Decimal {
  if (d.m === 0n) return d;
  const digits = (d.m < 0n ? -d.m : d.m).toString().length;
  if (digits > 38) throw validation('Attempting to store more than 38 significant digits in a Number');
  const magnitude = digits - 1 + d.e;
  if (magnitude > 125) {
    throw validation(
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
  }
  if (magnitude < -130) {
    throw validation(
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
  return d;
}

function parseDecimal(text: string): Decimal {
  const match = NUMBER_PATTERN.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0) {
    throw validation('A value provided cannot be converted into a number');
  }
  const exponent = Number(match[4] ?? '0') - fraction.length;
  const mantissa = BigInt(`${match[1] === '-' ? '-' : ''}${whole}${fraction}`);
  return checkDecimalRange(normalizeDecimal(mantissa, exponent));
}

function formatDecimal(d: Decimal): string {
  if (d.m === 0n) return '0';
  const sign = d.m < 0n ? '-' : '';
  const digits = (d.m < 0n ? -d.m : d.m).toString();
  if (d.e >= 0) return `${sign}${digits}${'0'.repeat(d.e)}`;
  const point = digits.length + d.e;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

function alignDecimals(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.e === b.e) return [a.m, b.m, a.e];
  if (a.e > b.e) return [a.m * 10n ** BigInt(a.e - b.e), b.m, b.e];
  return [a.m, b.m * 10n ** BigInt(b.e - a.e), a.e];
}

export function compareNumbers(a: string, b: string): number {
  const [x, y] = alignDecimals(parseDecimal(a), parseDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addNumbers(a: string, b: string, negateB = false): string {
  const [x, y, e] = alignDecimals(parseDecimal(a), parseDecimal(b));
  return formatDecimal(checkDecimalRange(normalizeDecimal(negateB ? x - y : x + y, e)));
}

export function canonicalNumber(text: string): string {
  return formatDecimal(parseDecimal(text));
}

/** Code-point order equals the UTF-8 byte order DynamoDB sorts strings by (UTF-16 order does not). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

export function bytesStartWith(haystack: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= haystack.length && compareBytes(haystack.subarray(0, prefix.length), prefix) === 0;
}

export function bytesContain(haystack: Uint8Array, needle: Uint8Array): boolean {
  const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return bytes(haystack).includes(bytes(needle));
}

/** Ordering of two scalars of the same type (S, N or B); undefined when they cannot be ordered. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.B !== undefined && b.B !== undefined) return compareBytes(a.B, b.B);
  return undefined;
}

export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      return compareScalars(a, b) === 0;
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'M': {
      const x = a.M ?? {};
      const y = b.M ?? {};
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((k) => {
        const left = x[k];
        const right = y[k];
        return left !== undefined && right !== undefined && valuesEqual(left, right);
      });
    }
    case 'L': {
      const x = a.L ?? [];
      const y = b.L ?? [];
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i] ?? {}));
    }
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = setMembers(a);
      const y = setMembers(b);
      return x.length === y.length && x.every((v) => y.some((w) => valuesEqual(v, w)));
    }
  }
}

/**
 * Query's item order: by the sort key's value (0 when absent or of another type), then, for index items
 * sharing a sort key, by `tieKey` so pagination is stable; reversed unless `forward`. It lives beside the
 * comparisons so a sort's many comparisons stay calls within this module.
 */
export function itemOrder(
  sortKey: string | undefined,
  forward: boolean,
  tieKey: ((item: Item) => string) | undefined,
): (a: Item, b: Item) => number {
  return (a, b) => {
    const bySort = sortKey === undefined ? 0 : (compareScalars(a[sortKey] ?? {}, b[sortKey] ?? {}) ?? 0);
    if (bySort !== 0 || !tieKey) return forward ? bySort : -bySort;
    const byKey = compareStrings(tieKey(a), tieKey(b));
    return forward ? byKey : -byKey;
  };
}

/** Members of a set as scalar AttributeValues, so set logic is written once for SS, NS and BS. */
export function setMembers(av: AttributeValue): AttributeValue[] {
  if (av.SS) return av.SS.map((S) => ({ S }));
  if (av.NS) return av.NS.map((N) => ({ N }));
  if (av.BS) return av.BS.map((B) => ({ B }));
  return [];
}

export function makeSet(type: 'SS' | 'NS' | 'BS', members: AttributeValue[]): AttributeValue {
  if (type === 'SS') return { SS: members.map((m) => m.S ?? '') };
  if (type === 'NS') return { NS: members.map((m) => m.N ?? '0') };
  return { BS: members.map((m) => m.B ?? new Uint8Array()) };
}

export function cloneValue(av: AttributeValue): AttributeValue {
  switch (typeOf(av)) {
    case 'B':
      return { B: Uint8Array.from(av.B ?? []) };
    case 'M':
      return { M: cloneItem(av.M ?? {}) };
    case 'L':
      return { L: (av.L ?? []).map(cloneValue) };
    case 'SS':
      return { SS: [...(av.SS ?? [])] };
    case 'NS':
      return { NS: [...(av.NS ?? [])] };
    case 'BS':
      return { BS: (av.BS ?? []).map((b) => Uint8Array.from(b)) };
    default:
      return { ...av };
  }
}

export function cloneItem(item: Item): Item {
  const copy: Item = {};
  for (const [name, value] of Object.entries(item)) copy[name] = cloneValue(value);
  return copy;
}

/**
 * Copies a caller's AttributeValue into the store, checking it as DynamoDB does: exactly one type, valid
 * numbers (normalised), non-empty sets without duplicates.
 */
export function importValue(raw: unknown): AttributeValue {
  if (!isMapLike(raw)) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  const present = Object.keys(raw).filter((k) => raw[k] !== undefined);
  const tags = present.filter((k): k is TypeTag => (TYPE_TAGS as readonly string[]).includes(k));
  if (tags.length === 0 || tags.length !== present.length) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  if (tags.length > 1) {
    throw validation(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const tag = tags[0] as TypeTag;
  const value = raw[tag];
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') break;
      return { S: value };
    case 'N':
      if (typeof value !== 'string') break;
      return { N: canonicalNumber(value) };
    case 'B':
      if (!(value instanceof Uint8Array)) break;
      return { B: Uint8Array.from(value) };
    case 'BOOL':
      if (typeof value !== 'boolean') break;
      return { BOOL: value };
    case 'NULL':
      if (value !== true)
        throw validation(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      return { NULL: true };
    case 'M': {
      if (!isMapLike(value)) break;
      const map: Item = {};
      for (const [name, member] of Object.entries(value)) {
        if (member !== undefined) map[name] = importValue(member);
      }
      return { M: map };
    }
    case 'L':
      if (!Array.isArray(value)) break;
      return { L: value.map(importValue) };
    case 'SS':
    case 'NS':
    case 'BS':
      return importSet(tag, value);
  }
  throw validation(`Supplied AttributeValue has an invalid value for the datatype ${tag}`);
}

function importSet(tag: 'SS' | 'NS' | 'BS', value: unknown): AttributeValue {
  const kind = tag === 'SS' ? 'string' : tag === 'NS' ? 'number' : 'binary';
  if (!Array.isArray(value))
    throw validation(`Supplied AttributeValue has an invalid value for the datatype ${tag}`);
  // AWS's message really has the double space.
  if (value.length === 0)
    throw validation(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  const members = value.map((member: unknown) => importValue({ [tag.slice(0, 1)]: member }));
  members.forEach((member, i) => {
    if (members.slice(0, i).some((other) => valuesEqual(member, other))) {
      throw validation(`One or more parameter values were invalid: Input collection contains duplicates`);
    }
  });
  return makeSet(tag, members);
}

export function importItem(raw: unknown, what: string): Item {
  if (!isMapLike(raw)) throw validation(`One or more parameter values were invalid: ${what} is required`);
  const item: Item = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (name.length === 0)
      throw validation('One or more parameter values were invalid: An attribute name cannot be empty');
    item[name] = importValue(value);
  }
  return item;
}

/** Approximates DynamoDB's item size accounting (names plus values, UTF-8). */
function valueSize(av: AttributeValue): number {
  switch (typeOf(av)) {
    case 'S':
      return Buffer.byteLength(av.S ?? '', 'utf8');
    case 'N':
      return Math.ceil((av.N ?? '').length / 2) + 1;
    case 'B':
      return av.B?.length ?? 0;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'M':
      return 3 + itemSize(av.M ?? {}) + Object.keys(av.M ?? {}).length;
    case 'L':
      return 3 + (av.L ?? []).reduce((sum, v) => sum + valueSize(v) + 1, 0);
    default:
      return setMembers(av).reduce((sum, v) => sum + valueSize(v), 0);
  }
}

export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  return size;
}

// JSON form for snapshots: binary becomes base64 text (B and BS are always binary, so this is unambiguous).
export type JsonValue = Record<string, unknown>;

export function toJsonValue(av: AttributeValue): JsonValue {
  switch (typeOf(av)) {
    case 'B':
      return { B: Buffer.from(av.B ?? []).toString('base64') };
    case 'BS':
      return { BS: (av.BS ?? []).map((b) => Buffer.from(b).toString('base64')) };
    case 'M':
      return { M: toJsonItem(av.M ?? {}) };
    case 'L':
      return { L: (av.L ?? []).map(toJsonValue) };
    default:
      return { ...av };
  }
}

export function toJsonItem(item: Item): Record<string, JsonValue> {
  const json: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(item)) json[name] = toJsonValue(value);
  return json;
}

function fromJsonValue(json: unknown): unknown {
  if (!isMapLike(json)) return json;
  if (typeof json.B === 'string') return { B: new Uint8Array(Buffer.from(json.B, 'base64')) };
  if (Array.isArray(json.BS)) {
    return { BS: json.BS.map((b: unknown) => new Uint8Array(Buffer.from(String(b), 'base64'))) };
  }
  if (isMapLike(json.M)) return { M: fromJsonItem(json.M) };
  if (Array.isArray(json.L)) return { L: json.L.map(fromJsonValue) };
  return json;
}

export function fromJsonItem(json: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(json)) item[name] = fromJsonValue(value);
  return item;
}
