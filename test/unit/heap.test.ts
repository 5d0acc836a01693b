/** local/heap.ts: long replays set V8's heap growing factor, unless the process was started with its own. */
import { boundHeapGrowth, heapGrowthFlag, REPLAY_HEAP_GROWING_PERCENT } from '../../local/heap';

test('sets --heap-growing-percent when the process has none', () => {
  expect(heapGrowthFlag(REPLAY_HEAP_GROWING_PERCENT, ['--expose-gc'])).toBe(
    `--heap-growing-percent=${REPLAY_HEAP_GROWING_PERCENT}`,
  );
  expect(boundHeapGrowth(40, [])).toBe(true);
});

test.each([['--heap-growing-percent=50'], ['--heap_growing_percent=50'], ['--heap-growing-percent']])(
  'keeps the growth the process was started with (%s)',
  (flag) => {
    expect(heapGrowthFlag(REPLAY_HEAP_GROWING_PERCENT, ['--expose-gc', flag])).toBeUndefined();
    expect(boundHeapGrowth(REPLAY_HEAP_GROWING_PERCENT, [flag])).toBe(false);
  },
);

test('refuses a growth that is not a whole number of percent', () => {
  expect(() => heapGrowthFlag(0, [])).toThrow(RangeError);
  expect(() => heapGrowthFlag(2.5, [])).toThrow(RangeError);
});
