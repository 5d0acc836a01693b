import { parseTimestamp, toIso } from '../../lambdas/core/time';

describe('parseTimestamp / toIso', () => {
  it.each<[string, unknown, string]>([
    ['ISO 8601 with milliseconds', '2024-05-01T03:00:00.123Z', '2024-05-01T03:00:00.123Z'],
    ['ISO 8601 with an offset', '2024-05-01T05:00:00+02:00', '2024-05-01T03:00:00.000Z'],
    ['epoch seconds (integer)', 1714532400, '2024-05-01T03:00:00.000Z'],
    ['epoch seconds (float)', 1714532400.25, '2024-05-01T03:00:00.250Z'],
    ['epoch milliseconds', 1714532400123, '2024-05-01T03:00:00.123Z'],
    ['epoch seconds in a string', '1714532400', '2024-05-01T03:00:00.000Z'],
    ['epoch milliseconds in a string', '1714532400123', '2024-05-01T03:00:00.123Z'],
    ['epoch seconds in exponent notation', '1.7145324e9', '2024-05-01T03:00:00.000Z'],
    ['Inspector Java date', 'Wed Sep 04 16:55:38.411 UTC 2024', '2024-09-04T16:55:38.411Z'],
    ['Inspector Java date without weekday', 'Sep 04 16:55:38 UTC 2024', '2024-09-04T16:55:38.000Z'],
    [
      'Inspector Java date with one fraction digit',
      'Wed Sep 04 16:55:38.4 UTC 2024',
      '2024-09-04T16:55:38.400Z',
    ],
    ['Inspector US date, PM', 'Dec 3, 2021, 6:02:30 PM', '2021-12-03T18:02:30.000Z'],
    ['Inspector US date, 12 PM is noon', 'Dec 3, 2021, 12:02:30 PM', '2021-12-03T12:02:30.000Z'],
    ['Inspector US date, 12 AM is midnight', 'Dec 3, 2021, 12:02:30 AM', '2021-12-03T00:02:30.000Z'],
    ['Inspector US date without the second comma', 'Jan 15, 2025 9:05:00 am', '2025-01-15T09:05:00.000Z'],
    ['a Date', new Date('2024-05-01T03:00:00Z'), '2024-05-01T03:00:00.000Z'],
    ['surrounding whitespace', '  2024-05-01T03:00:00Z ', '2024-05-01T03:00:00.000Z'],
  ])('reads %s', (_form, value, iso) => {
    expect(toIso(value)).toBe(iso);
    expect(parseTimestamp(value)).toBe(Date.parse(iso));
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['garbage text', 'yesterday-ish'],
    ['zero', 0],
    ['a negative number', -5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a time before 2000', 86_400],
    ['a time after 2200', Date.UTC(2300, 0, 1)],
    ['an unknown month name', 'Wed Foo 04 16:55:38 UTC 2024'],
    ['a string of 64 characters or more', `2024-05-01T03:00:00Z${' '.repeat(50)}`],
    ['an object', { seconds: 1714532400 }],
    ['a boolean', true],
  ])('returns undefined for %s', (_case, value) => {
    expect(parseTimestamp(value)).toBeUndefined();
    expect(toIso(value)).toBeUndefined();
  });

  it('splits seconds from milliseconds at 1e11', () => {
    expect(toIso(99_999_999_999)).toBeUndefined(); // seconds: year 5138, out of bounds
    expect(toIso(100_000_000_000)).toBeUndefined(); // milliseconds: 1973, out of bounds
    expect(toIso(4_102_444_799)).toBe('2099-12-31T23:59:59.000Z');
  });
});
