/**
 * Section 4: a burst. Findings for many tasks arrive at once, in concurrent batches, against ONE
 * Simulator whose sandbox throttles a share of calls. Every task must be stopped exactly once and no
 * execution may be lost.
 */
import { Simulator } from '../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../local/fixtures/events';
import { isLambdaState } from '../local/report';
import { addResult, emptyTally, type Tally, withCaps } from './outcome';
import { mb, round } from './stats';
import { warmUp } from './throughput';
import { hexId, shuffled } from './workload';

export interface BurstJob {
  readonly kind: 'burst';
  readonly tasks: number;
  /** Distinct findings per task; each is delivered `DELIVERIES.length` times. */
  readonly findingsPerTask: number;
  readonly faultRate: number;
  readonly batchSize: number;
  readonly capPerCluster: number;
  readonly capPerAccount: number;
  readonly seed: number;
}

/** Deliveries of one finding: its count as GuardDuty publishes it, one of them delivered twice. */
export const DELIVERIES = [1, 2, 3, 3, 4] as const;
const TYPES = [
  'CryptoCurrency:Runtime/BitcoinTool.B',
  'Execution:Runtime/ReverseShell',
  'Backdoor:Runtime/C&CActivity.B',
  'Impact:Runtime/CryptoMinerExecuted',
  'Execution:Runtime/MaliciousFileExecuted',
  'PrivilegeEscalation:Runtime/DockerSocketAccessed',
  'DefenseEvasion:Runtime/ProcessInjection.Proc',
] as const;
const SERVICES = 4;
export const BURST_CLUSTER = 'burst';

export interface BurstResult {
  readonly events: number;
  readonly tasks: number;
  readonly wallMs: number;
  readonly findingsPerSecond: number;
  readonly tally: Tally;
  /** Successful ecs:StopTask calls, and the distinct tasks they stopped. */
  readonly stopTaskCalls: number;
  readonly tasksStopped: number;
  /** Tasks of the burst still RUNNING at the end (DescribeTasks, faults off). */
  readonly tasksStillRunning: number;
  readonly faultsInjected: number;
  /** Throttled calls seen in the call log, by who retried them. */
  readonly throttledInLambda: number;
  readonly throttledInIntegrations: number;
  readonly aslRetries: number;
  /** Executions not SUCCEEDED, events without an execution, and engine errors. */
  readonly lost: number;
  /** SUCCEEDED executions that did not end as contained/already contained/repeat/duplicate (e.g. NotifyCapReached). */
  readonly unexpectedEndings: number;
  /** Events whose processing threw out of the engine (counted in `lost`). */
  readonly engineErrors: number;
  readonly lostDetail: string[];
  readonly mutations: Record<string, number>;
  readonly capCounters: Record<string, number>;
  readonly peakRssMb: number;
  readonly config: BurstJob;
}

const THROTTLING = /Throttl|RequestLimitExceeded|SlowDown|TooManyRequests/;
const MUTATING =
  /^(Stop|Update|Put|Revoke|Authorize|Modify|BatchDelete|Tag|Untag|Delete|Create|TransactWrite)/;
/** Endings that are the intended result of a burst: contained, already contained, repeat, duplicate. */
const INTENDED = new Set(['NotifyResponse', 'NotifyAlreadyContained', 'NotifyRepeat', 'DuplicateDelivery']);

function burstEvents(job: BurstJob): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (let t = 0; t < job.tasks; t++) {
    const service = `burst-svc-${t % SERVICES}`;
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${service}:v1`;
    for (let f = 0; f < job.findingsPerTask; f++) {
      const id = hexId(8, t * job.findingsPerTask + f);
      for (const count of DELIVERIES) {
        events.push(
          runtimeEvent({
            id,
            taskId: hexId(9, t),
            cluster: BURST_CLUSTER,
            service,
            image,
            type: TYPES[f % TYPES.length] ?? 'CryptoCurrency:Runtime/BitcoinTool.B',
            severity: 7 + (f % 3),
            count,
          }),
        );
      }
    }
  }
  return shuffled(events, job.seed);
}

export async function runBurst(job: BurstJob): Promise<BurstResult> {
  await warmUp();
  const simulator = new Simulator({
    config: withCaps(job.capPerCluster, job.capPerAccount),
    faultRate: job.faultRate,
    seed: job.seed,
  });
  const events = burstEvents(job);
  const tally = emptyTally();
  const stopped = new Set<string>();
  const mutations: Record<string, number> = {};
  const lostDetail: string[] = [];
  let stopTaskCalls = 0;
  let throttledInLambda = 0;
  let throttledInIntegrations = 0;
  let lost = 0;
  let unexpectedEndings = 0;
  let engineErrors = 0;
  const start = performance.now();
  for (let i = 0; i < events.length; i += job.batchSize) {
    const batch = events.slice(i, i + job.batchSize);
    const settled = await Promise.allSettled(
      batch.map((e, j) => simulator.processEvent(e, `burst-${i + j}`)),
    );
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        // The engine itself threw (e.g. the failure reporter): the event's response is lost.
        lost += 1;
        engineErrors += 1;
        const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        if (lostDetail.length < 20) lostDetail.push(`engine error: ${reason.slice(0, 200)}`);
        continue;
      }
      const result = outcome.value;
      addResult(tally, result);
      if (result.executions.length === 0) {
        lost += 1;
        lostDetail.push(`${result.event}: no execution`);
      }
      for (const e of result.executions) {
        const ending = e.states[e.states.length - 1] ?? 'none';
        if (e.status !== 'SUCCEEDED') {
          lost += 1;
          if (lostDetail.length < 20)
            lostDetail.push(
              `${result.event}: ${e.status} at ${ending}: ${e.error ?? ''} ${(e.cause ?? '').slice(0, 160)}`,
            );
        } else if (!INTENDED.has(ending)) {
          unexpectedEndings += 1;
        }
      }
      for (const c of result.apiCalls) {
        if (c.error !== null && THROTTLING.test(c.error)) {
          if (c.state && isLambdaState(c.state)) throttledInLambda += 1;
          else throttledInIntegrations += 1;
        }
        if (c.error !== null) continue;
        if (c.service === 'ecs' && c.operation === 'StopTask') {
          stopTaskCalls += 1;
          const input = c.input as { task?: string };
          if (input.task) stopped.add(input.task);
        }
        if (MUTATING.test(c.operation) && c.service !== 'dynamodb') {
          const key = `${c.service}:${c.operation}`;
          mutations[key] = (mutations[key] ?? 0) + 1;
        }
      }
    }
  }
  const wallMs = performance.now() - start;
  // Check the account itself, faults off: every task of the burst must have had its stop requested (desiredStatus STOPPED; lastStatus follows on the sandbox clock).
  simulator.account.setFaults(0);
  const arns = Array.from(
    { length: job.tasks },
    (_, t) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${BURST_CLUSTER}/${hexId(9, t)}`,
  );
  let stillRunning = 0;
  for (let i = 0; i < arns.length; i += 100) {
    const out = (await simulator.account.call('ecs', 'DescribeTasks', {
      cluster: BURST_CLUSTER,
      tasks: arns.slice(i, i + 100),
    })) as { tasks?: { desiredStatus?: string }[] };
    stillRunning += (out.tasks ?? []).filter((t) => t.desiredStatus !== 'STOPPED').length;
  }
  const capCounters: Record<string, number> = {};
  const scanned = (await simulator.account.call('dynamodb', 'Scan', {
    TableName: simulator.table,
    FilterExpression: 'begins_with(pk, :cap)',
    ExpressionAttributeValues: { ':cap': { S: 'CAP#' } },
  })) as { Items?: { pk?: { S?: string }; actions?: { N?: string } }[] };
  for (const item of scanned.Items ?? []) {
    const key = (item.pk?.S ?? '').replace(/#\d+$/, '').replace(/arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    capCounters[key] = (capCounters[key] ?? 0) + Number(item.actions?.N ?? 0);
  }
  return {
    events: events.length,
    tasks: job.tasks,
    wallMs: round(wallMs, 1),
    findingsPerSecond: round((events.length / wallMs) * 1000, 1),
    tally,
    stopTaskCalls,
    tasksStopped: stopped.size,
    tasksStillRunning: stillRunning,
    faultsInjected: simulator.account.faultsInjected,
    throttledInLambda,
    throttledInIntegrations,
    aslRetries: tally.retries,
    lost,
    unexpectedEndings,
    engineErrors,
    lostDetail,
    mutations,
    capCounters,
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    config: job,
  };
}
