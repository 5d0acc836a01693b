/**
 * Interleaving of concurrent executions offline, reproducible for a seed. Every sandbox call waits for a
 * turn, before it reaches the service and before its answer returns; a turn is given once everything that
 * can run without the sandbox has run (the microtask queue is empty), to one of the waiting calls chosen by
 * the seeded PRNG. So two executions of one `simulate` race as they would on AWS (a claim may land between
 * another execution's read and write), and the same seed replays the same race.
 *
 * Not covered: work that waits on a timer (a Wait state, an SDK retry backoff) rejoins the race when its
 * timer fires, which depends on the machine's speed.
 */
import { seededRandom } from './sandbox/random';

export class SeededScheduler {
  private readonly waiting: (() => void)[] = [];
  private readonly random: () => number;
  private pending = false;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Resolves when the caller's turn comes. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    // setImmediate runs after the microtask queue drains: every runnable execution has reached its next call.
    setImmediate(() => {
      this.pending = false;
      const [next] = this.waiting.splice(Math.floor(this.random() * this.waiting.length), 1);
      next?.();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
