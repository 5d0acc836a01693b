/**
 * Timestamps arrive in every form AWS has used: ISO 8601 strings, epoch seconds (float), epoch
 * milliseconds, and Inspector's "Wed Sep 04 16:55:38.411 UTC 2024" and "Dec 3, 2021, 6:02:30 PM".
 */

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138).
const EPOCH_MS_THRESHOLD = 1e11;
// Bounds outside which a timestamp is nonsense for a security finding.
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

function fromEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  const ms = value < EPOCH_MS_THRESHOLD ? value * 1000 : value;
  return Math.round(ms);
}

// "Wed Sep 04 16:55:38.411 UTC 2024"
const JAVA_DATE =
  /^(?:[A-Za-z]{3} )?([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? UTC (\d{4})$/;
// "Dec 3, 2021, 6:02:30 PM"
const US_DATE = /^([A-Za-z]{3}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i;

function fromText(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed)) return fromEpoch(Number(trimmed));
  const java = JAVA_DATE.exec(trimmed);
  if (java) {
    const [, mon, day, h, m, s, frac, year] = java;
    const month = MONTHS[(mon ?? '').toLowerCase()];
    if (month === undefined) return undefined;
    return Date.UTC(
      Number(year),
      month,
      Number(day),
      Number(h),
      Number(m),
      Number(s),
      Number((frac ?? '0').padEnd(3, '0')),
    );
  }
  const us = US_DATE.exec(trimmed);
  if (us) {
    const [, mon, day, year, h, m, s, ampm] = us;
    const month = MONTHS[(mon ?? '').toLowerCase()];
    if (month === undefined) return undefined;
    const hour12 = Number(h) % 12;
    const hour = (ampm ?? '').toUpperCase() === 'PM' ? hour12 + 12 : hour12;
    return Date.UTC(Number(year), month, Number(day), hour, Number(m), Number(s));
  }
  // ISO 8601 and RFC 2822; Date.parse rejects garbage with NaN.
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Epoch milliseconds for any timestamp form, or undefined when the value is not a plausible time. */
export function parseTimestamp(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = fromEpoch(value);
  else if (typeof value === 'string' && value.length > 0 && value.length < 64) ms = fromText(value);
  else if (value instanceof Date) ms = value.getTime();
  if (ms === undefined || Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  return ms;
}

/** ISO 8601 form of any timestamp, or undefined. */
export function toIso(value: unknown): string | undefined {
  const ms = parseTimestamp(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
