/**
 * Exact decimals for DynamoDB numbers: value = m * 10^e. DynamoDB numbers have up to 38 significant digits,
 * beyond a double, so numbers are normalised, compared and added without floating point.
 */
import { validation } from './errors';

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
