/**
 * local/heap.ts: long replays set V8's heap growing factor, unless the process was started with its own,
 * and return to the event loop between events so what WeakRefs kept alive is released.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  boundHeapGrowth,
  heapGrowthFlag,
  REPLAY_HEAP_GROWING_PERCENT,
  releaseKeptObjects,
} from '../../local/heap';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

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

test('signals from AbortSignal.any (one per nested ASL execution) stay alive until the event loop turns', async () => {
  // Arrange: signals made and dropped in microtasks only, as a replay against the in-process sandbox does.
  const root = new AbortController();
  let collected = 0;
  const registry = new FinalizationRegistry(() => {
    collected += 1;
  });
  await (async () => {
    for (let i = 0; i < 50; i++) {
      await Promise.resolve();
      registry.register(AbortSignal.any([root.signal]), i);
    }
  })();
  // Act: a full collection inside the same job, then one after returning to the event loop.
  collectGarbage();
  await releaseKeptObjects();
  await releaseKeptObjects();
  const withinJob = collected;
  collectGarbage();
  await releaseKeptObjects();
  await releaseKeptObjects();
  // Assert
  expect(withinJob).toBe(0);
  expect(collected).toBe(50);
});
