/**
 * Section 1: the critical path to containment and the cost of one execution, per kind of finding, with
 * the default configuration. Each scenario runs `reps` times on fresh resources (distinct cluster, task,
 * image) after a warm-up, so handler durations are warm medians and counts can be checked for stability.
 */
import { FUNCTIONS, type FunctionId, type WorkflowName } from '../definitions/functions';
import { type EventResult, type ExecutionSummary, Simulator } from '../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../local/fixtures/events';
import { executionMetrics } from '../local/report';
import { type ApiCall, sequentialRoundTrips } from '../local/sandbox/account';
import { pathTo, type WorkflowShape, workflowShapes } from './asl';
import { instrument } from './instrument';
import { lambdaCost, stepFunctionsCost } from './pricing';
import { median, round } from './stats';
import { warmUp } from './throughput';
import { hexId } from './workload';

export interface CriticalPathJob {
  readonly kind: 'critical-path';
  readonly root: string;
  readonly reps: number;
}

/** Illustrative only: a typical in-region AWS API round trip, to show real Lambda durations are higher. */
export const ASSUMED_API_ROUND_TRIP_MS = 25;

/** States whose AWS calls are the containment, in the order they are looked for. */
const CONTAINMENT_STATES = ['StopTask', 'StopExposedTask', 'IsolateTask', 'QuarantineImage'] as const;

interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Events sent before the measured one (not measured). */
  readonly setup: (k: number) => Record<string, unknown>[];
  readonly measured: (k: number) => Record<string, unknown>;
}

const image = (k: number) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v${k}`;
const high = (k: number, count = 1) =>
  runtimeEvent({
    id: hexId(10, k),
    taskId: hexId(11, k),
    cluster: `prod-${k}`,
    image: image(k),
    severity: 8,
    count,
  });

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'High (Fargate)',
    description: 'GuardDuty HIGH (8.0) CryptoCurrency:Runtime/BitcoinTool.B on a Fargate service task',
    setup: () => [],
    measured: (k) => high(k),
  },
  {
    name: 'Medium',
    description: 'GuardDuty MEDIUM (5.0) Execution:Runtime/SuspiciousCommand: isolate in place, no stop',
    setup: () => [],
    measured: (k) =>
      runtimeEvent({
        id: hexId(12, k),
        taskId: hexId(13, k),
        cluster: `med-${k}`,
        image: image(k),
        type: 'Execution:Runtime/SuspiciousCommand',
        severity: 5,
      }),
  },
  {
    name: 'Repeat',
    description: 'The High finding again with a higher service.count (same finding id)',
    setup: (k) => [high(k)],
    measured: (k) => high(k, 2),
  },
  {
    name: 'Duplicate delivery',
    description: 'The same High event delivered a second time (same count)',
    setup: (k) => [high(k)],
    measured: (k) => high(k),
  },
  {
    name: 'Low',
    description: 'GuardDuty LOW (2.0): notify only',
    setup: () => [],
    measured: (k) =>
      runtimeEvent({
        id: hexId(14, k),
        taskId: hexId(15, k),
        cluster: `low-${k}`,
        type: 'Discovery:Runtime/SuspiciousCommand',
        severity: 2,
      }),
  },
  {
    name: 'Inspector CRITICAL',
    description: 'Inspector CRITICAL package vulnerability on an ECR image: quarantine the digest',
    setup: () => [],
    measured: (k) =>
      inspectorEvent({ findingId: hexId(9, k), repository: `crit-${k}`, severity: 'CRITICAL' }),
  },
];

export interface PathFigures {
  readonly state: string;
  readonly transitions: number;
  readonly roundTrips: number;
  readonly lambdaTasks: number;
}

export interface LambdaFigure {
  readonly fn: FunctionId;
  readonly invocations: number;
  readonly memoryMb: number;
  readonly medianMs: number;
  /** Sequential AWS round trips the function makes per invocation (sandbox call log). */
  readonly roundTrips: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly stateMachine: WorkflowName | null;
  readonly status: string;
  readonly ending: string;
  readonly path: string[];
  /** Size of the execution's final state document (JSON bytes): what every state copies and queries. */
  readonly stateBytes: number;
  readonly containment: PathFigures | null;
  /** report.ts executionMetrics().toStopTask, for cross-checking (High only). */
  readonly reportToStopTask: { transitions: number; roundTrips: number; lambdaTasks: number } | null;
  readonly total: {
    readonly transitions: number;
    readonly retries: number;
    readonly roundTrips: number;
    readonly apiCalls: number;
    readonly lambdaInvocations: number;
  };
  readonly lambdas: LambdaFigure[];
  readonly cost: {
    readonly stepFunctions: number;
    readonly lambdaLowerBound: number;
    readonly lambdaIllustrative: number;
    readonly totalLowerBound: number;
  };
  /** Whether every repetition produced the same path and counts. */
  readonly consistent: boolean;
  readonly reps: number;
}

function containmentFigures(
  execution: ExecutionSummary,
  calls: readonly ApiCall[],
  shape: WorkflowShape,
): PathFigures | null {
  const target = CONTAINMENT_STATES.find((s) => execution.states.includes(s));
  if (!target) return null;
  const path = pathTo(execution.states, target, shape);
  if (!path) return null;
  const onPath = new Set(path);
  const targetCalls = calls.filter((c) => c.state === target && c.error === null);
  const end = Math.max(...targetCalls.map((c) => c.endSeq), -1);
  const before = calls.filter((c) => c.state !== undefined && onPath.has(c.state) && c.endSeq <= end);
  return {
    state: target,
    transitions: path.length,
    roundTrips: sequentialRoundTrips(before),
    lambdaTasks: path.filter((s) => shape.lambdaStates.has(s)).length,
  };
}

interface RepFigures {
  readonly key: string;
  readonly result: EventResult;
  readonly execution?: ExecutionSummary;
  readonly durations: Map<FunctionId, number[]>;
}

export async function runCriticalPath(job: CriticalPathJob): Promise<ScenarioResult[]> {
  const shapes = workflowShapes(job.root);
  await warmUp();
  const out: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const simulator = new Simulator();
    const probe = instrument(simulator);
    const reps: RepFigures[] = [];
    for (let k = 1; k <= job.reps; k++) {
      for (const event of scenario.setup(k)) await simulator.processEvent(event);
      probe.reset();
      const result = await simulator.processEvent(scenario.measured(k), scenario.name);
      const execution = result.executions[0];
      const key = JSON.stringify([
        execution?.states ?? [],
        result.apiCalls.map((c) => `${c.service}:${c.operation}:${c.error ?? ''}`).sort(),
      ]);
      reps.push({ key, result, ...(execution ? { execution } : {}), durations: new Map(probe.lambda) });
    }
    const first = reps[0];
    if (!first) continue;
    const { execution, result } = first;
    const shape = execution ? shapes[execution.stateMachine] : undefined;
    const own = execution
      ? result.apiCalls.filter((c) => c.state !== undefined && execution.states.includes(c.state))
      : [];
    const lambdaStates = execution && shape ? execution.states.filter((s) => shape.lambdaStates.has(s)) : [];
    const byFunction = new Map<FunctionId, { invocations: number; roundTrips: number }>();
    for (const state of lambdaStates) {
      const fn = shape?.lambdaStates.get(state);
      if (!fn) continue;
      const entry = byFunction.get(fn) ?? { invocations: 0, roundTrips: 0 };
      entry.invocations += 1;
      entry.roundTrips += sequentialRoundTrips(own.filter((c) => c.state === state));
      byFunction.set(fn, entry);
    }
    const lambdas: LambdaFigure[] = [...byFunction].map(([fn, e]) => ({
      fn,
      invocations: e.invocations,
      memoryMb: FUNCTIONS[fn].memoryMb,
      medianMs: round(median(reps.flatMap((r) => r.durations.get(fn) ?? [])), 3),
      roundTrips: round(e.roundTrips / e.invocations, 2),
    }));
    const lower = lambdas.flatMap((l) =>
      Array.from({ length: l.invocations }, () => ({ fn: l.fn, durationMs: l.medianMs })),
    );
    const illustrative = lambdas.flatMap((l) =>
      Array.from({ length: l.invocations }, () => ({
        fn: l.fn,
        durationMs: l.medianMs + l.roundTrips * ASSUMED_API_ROUND_TRIP_MS,
      })),
    );
    const transitions = execution ? execution.stateTransitions + execution.retries : 0;
    const sfn = stepFunctionsCost(transitions);
    const lambdaLower = lambdaCost(lower);
    const toStop = execution ? executionMetrics(execution, result.apiCalls).toStopTask : undefined;
    out.push({
      name: scenario.name,
      description: scenario.description,
      stateMachine: execution?.stateMachine ?? null,
      status: execution?.status ?? 'no execution',
      ending: execution?.states[execution.states.length - 1] ?? 'no rule matched',
      path: execution?.states ?? [],
      stateBytes: execution?.output === undefined ? 0 : JSON.stringify(execution.output).length,
      containment: execution && shape ? containmentFigures(execution, result.apiCalls, shape) : null,
      reportToStopTask: toStop ?? null,
      total: {
        transitions,
        retries: execution?.retries ?? 0,
        roundTrips: sequentialRoundTrips(own),
        apiCalls: own.length,
        lambdaInvocations: lambdaStates.length,
      },
      lambdas,
      cost: {
        stepFunctions: sfn,
        lambdaLowerBound: lambdaLower,
        lambdaIllustrative: lambdaCost(illustrative),
        totalLowerBound: sfn + lambdaLower,
      },
      consistent: reps.every((r) => r.key === first.key),
      reps: reps.length,
    });
  }
  return out;
}
