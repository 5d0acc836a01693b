/** The operators with a grammar of their own: `wildcard`, `numeric` and `cidr`. */
import { describeValue, InvalidPatternError } from './errors';
import type { NumberTest, StringTest } from './leaf';

// ---------------------------------------------------------------------------------------------------------
// wildcard

/**
 * `*` matches any run of characters (including none), `\*` a literal star and `\\` a literal backslash;
 * any other escape and consecutive unescaped stars are rejected, as EventBridge does.
 */
export function wildcardTest(source: string, path: string): StringTest {
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
export function numericTest(operand: unknown, path: string): NumberTest {
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

export function cidrTest(operand: unknown, path: string): StringTest {
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
