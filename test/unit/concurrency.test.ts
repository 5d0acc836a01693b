import { reservedConcurrencyShares, reservedConcurrencyTotal } from '../../definitions/concurrency';
import { parseConfig } from '../../definitions/config';
import { FUNCTIONS, type FunctionId } from '../../definitions/functions';

const ids = Object.keys(FUNCTIONS) as FunctionId[];
const weights = ids.reduce((sum, id) => sum + FUNCTIONS[id].reservedConcurrency, 0);

describe('reserved concurrency sized from the configured total', () => {
  it('reserves nothing by default, so the stack deploys into accounts with a small quota', () => {
    const shares = reservedConcurrencyShares(parseConfig({}).reservedConcurrency);

    expect(ids.map((id) => shares[id])).toEqual(ids.map(() => undefined));
    expect(reservedConcurrencyTotal(0)).toBe(0);
  });

  it('gives each function its manifest value when the total is the manifest sum', () => {
    const shares = reservedConcurrencyShares(weights);

    for (const id of ids) expect(shares[id]).toBe(FUNCTIONS[id].reservedConcurrency);
  });

  it('splits a smaller total in proportion, never above it and never below 1 per function', () => {
    const total = 40;
    const shares = reservedConcurrencyShares(total);

    expect(reservedConcurrencyTotal(total)).toBeLessThanOrEqual(total);
    for (const id of ids) expect(shares[id]).toBeGreaterThanOrEqual(1);
    expect(shares.validate).toBeGreaterThan(shares.reportFailure ?? Number.POSITIVE_INFINITY);
  });

  it('gives every function 1 when the total is smaller than the number of functions', () => {
    const shares = reservedConcurrencyShares(1);

    expect(ids.map((id) => shares[id])).toEqual(ids.map(() => 1));
  });

  it('refuses a total that is not a whole number, naming the key', () => {
    expect(() => parseConfig({ reservedConcurrency: 12.5 })).toThrow(
      'shield-right.reservedConcurrency: expected a whole number from 0 to 100000, got 12.5',
    );
    expect(() => parseConfig({ reservedConcurrency: -1 })).toThrow('shield-right.reservedConcurrency');
  });
});
