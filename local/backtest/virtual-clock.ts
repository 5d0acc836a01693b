/**
 * The replay's clock. The sandbox account takes a clock (SandboxOptions.clock), but the ASL interpreter
 * (aws-local-stepfunctions 3.0.0, `StateMachine.execute`) overwrites the context's `Execution.StartTime`
 * with `new Date()`, and the workflows key their decision time, caps windows and TTLs on
 * `$$.Execution.StartTime`. So while an event is replayed, `Date` itself reads the virtual time: one
 * subclass of the real `Date` per clock (its instances stay `instanceof Date` everywhere), installed
 * only for the duration of `run` and always put back.
 */

type Fn<T> = () => Promise<T>;

export class VirtualClock {
  private current: number;
  private readonly VirtualDate: DateConstructor;
  private readonly RealDate = globalThis.Date;

  constructor(start: number) {
    this.current = start;
    const clock = this;
    const RealDate = this.RealDate;
    class VirtualDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.current);
        else super(...(args as [number, number]));
      }
      static override now(): number {
        return clock.current;
      }
    }
    this.VirtualDate = VirtualDate as DateConstructor;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward to `at` (never back: replayed events keep their order). */
  advanceTo(at: number): void {
    this.current = Math.max(this.current, at);
  }

  /** Runs `fn` with `Date` reading this clock; nested or concurrent runs are refused. */
  async run<T>(fn: Fn<T>): Promise<T> {
    if (globalThis.Date !== this.RealDate) throw new Error('a virtual clock is already running');
    globalThis.Date = this.VirtualDate;
    try {
      return await fn();
    } finally {
      globalThis.Date = this.RealDate;
    }
  }
}
