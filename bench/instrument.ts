/**
 * Timing probes around a Simulator, without changing the engine: the dispatcher the workflows call
 * (Lambda handlers, direct service integrations) and the sandbox account's `call` are wrapped in place.
 * Durations are wall-clock: calls that run in parallel (Parallel branches) overlap.
 */
import type { FunctionId } from '../definitions/functions';
import type { Dispatcher } from '../local/asl-runner';
import type { Simulator } from '../local/engine';

export interface Probe {
  /** Per function: wall time of each invocation of its handler (ms). */
  readonly lambda: Map<FunctionId, number[]>;
  /** Per function: invocations and total wall time (kept even when samples are not). */
  readonly perFunction: Map<FunctionId, { invocations: number; totalMs: number }>;
  /** Total wall time inside Lambda handlers, direct integrations and sandbox operations (ms). */
  lambdaMs: number;
  integrationMs: number;
  integrationCalls: number;
  sandboxMs: number;
  sandboxCalls: number;
  /** Whether to keep each invocation's duration (the throughput runs keep only totals). */
  keepSamples: boolean;
  reset(): void;
}

function isDispatcher(value: unknown): value is Dispatcher {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Dispatcher).invokeLambda === 'function' &&
    typeof (value as Dispatcher).callService === 'function'
  );
}

const FUNCTION_NAME = /^shield-right-([A-Za-z]+)$/;

export function instrument(simulator: Simulator): Probe {
  const probe: Probe = {
    lambda: new Map(),
    perFunction: new Map(),
    lambdaMs: 0,
    integrationMs: 0,
    integrationCalls: 0,
    sandboxMs: 0,
    sandboxCalls: 0,
    keepSamples: true,
    reset() {
      probe.lambda.clear();
      probe.perFunction.clear();
      probe.lambdaMs = 0;
      probe.integrationMs = 0;
      probe.integrationCalls = 0;
      probe.sandboxMs = 0;
      probe.sandboxCalls = 0;
    },
  };
  // The dispatcher is a private field of Simulator: reached by reflection, for measurement only.
  const original = Reflect.get(simulator, 'dispatcher');
  if (!isDispatcher(original)) throw new Error('bench: Simulator has no dispatcher to instrument');
  const wrapped: Dispatcher = {
    invokeLambda: async (name, payload) => {
      const t0 = performance.now();
      try {
        return await original.invokeLambda(name, payload);
      } finally {
        const dt = performance.now() - t0;
        probe.lambdaMs += dt;
        const id = (FUNCTION_NAME.exec(name)?.[1] ?? name) as FunctionId;
        const totals = probe.perFunction.get(id) ?? { invocations: 0, totalMs: 0 };
        totals.invocations += 1;
        totals.totalMs += dt;
        probe.perFunction.set(id, totals);
        if (probe.keepSamples) {
          const list = probe.lambda.get(id) ?? [];
          list.push(dt);
          probe.lambda.set(id, list);
        }
      }
    },
    callService: async (service, operation, input) => {
      const t0 = performance.now();
      try {
        return await original.callService(service, operation, input);
      } finally {
        probe.integrationMs += performance.now() - t0;
        probe.integrationCalls += 1;
      }
    },
  };
  if (!Reflect.set(simulator, 'dispatcher', wrapped)) throw new Error('bench: cannot instrument dispatcher');
  const account = simulator.account;
  const call = account.call.bind(account);
  account.call = async (service, operation, input) => {
    const t0 = performance.now();
    try {
      return await call(service, operation, input);
    } finally {
      probe.sandboxMs += performance.now() - t0;
      probe.sandboxCalls += 1;
    }
  };
  return probe;
}
