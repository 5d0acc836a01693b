/**
 * Section 5b: how the cost of one finding grows with the cluster the blast radius scans. A Scenario starts
 * `size` running tasks of one service on one image digest; High findings then arrive for other tasks of
 * that service (same digest: MeasureBlastRadius lists and describes the whole cluster), and Inspector
 * CRITICAL findings for other images (EnrichAndDecide scans every running task of the account).
 */
import { Simulator } from '../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../local/fixtures/events';
import type { Scenario } from '../local/provision';
import { withCaps } from './outcome';
import { median, round } from './stats';
import { RAISED_CAP, warmUp } from './throughput';
import { hexId } from './workload';

export interface ClusterJob {
  readonly kind: 'cluster';
  readonly size: number;
  readonly runtimeFindings: number;
  readonly inspectorFindings: number;
}

interface KindFigures {
  readonly findings: number;
  readonly msPerFinding: number;
  readonly medianMs: number;
  readonly apiCallsPerFinding: number;
  /** Calls of the blast-radius scan (ListClusters/ListTasks/DescribeTasks in MeasureBlastRadius or EnrichAndDecide). */
  readonly scanCallsPerFinding: number;
  readonly transitionsPerFinding: number;
  readonly endings: Record<string, number>;
}

export interface ClusterResult {
  readonly size: number;
  readonly setupMs: number;
  readonly runtime: KindFigures;
  readonly inspector: KindFigures;
}

const SCAN_OPERATIONS = new Set(['ListClusters', 'ListTasks', 'DescribeTasks']);
const SCAN_STATES = new Set(['MeasureBlastRadius']);

const REPOSITORY = 'scale-app';
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}:v1`;

async function measure(
  simulator: Simulator,
  events: Record<string, unknown>[],
  scanStates: Set<string>,
): Promise<KindFigures> {
  const times: number[] = [];
  let calls = 0;
  let scanCalls = 0;
  let transitions = 0;
  const endings: Record<string, number> = {};
  for (const event of events) {
    const t0 = performance.now();
    const result = await simulator.processEvent(event);
    times.push(performance.now() - t0);
    calls += result.apiCalls.length;
    scanCalls += result.apiCalls.filter(
      (c) => c.service === 'ecs' && SCAN_OPERATIONS.has(c.operation) && c.state && scanStates.has(c.state),
    ).length;
    for (const e of result.executions) {
      transitions += e.stateTransitions + e.retries;
      const end = e.states[e.states.length - 1] ?? 'none';
      endings[end] = (endings[end] ?? 0) + 1;
    }
  }
  const n = Math.max(1, events.length);
  return {
    findings: events.length,
    msPerFinding: round(times.reduce((a, b) => a + b, 0) / n, 3),
    medianMs: round(median(times), 3),
    apiCallsPerFinding: round(calls / n, 2),
    scanCallsPerFinding: round(scanCalls / n, 2),
    transitionsPerFinding: round(transitions / n, 2),
    endings,
  };
}

export async function runClusterScaling(job: ClusterJob): Promise<ClusterResult> {
  await warmUp();
  const scenario: Scenario = {
    description: `${job.size} running tasks of one service on one digest`,
    tasks: [
      {
        cluster: 'scale',
        service: 'scale-app',
        containers: [{ name: 'app', image: IMAGE }],
        count: job.size,
      },
    ],
  };
  const t0 = performance.now();
  const simulator = new Simulator({
    config: withCaps(RAISED_CAP.perCluster, RAISED_CAP.perAccount),
    scenario,
  });
  const setupMs = performance.now() - t0;
  const runtime = Array.from({ length: job.runtimeFindings }, (_, k) =>
    runtimeEvent({
      id: hexId(10, k),
      taskId: hexId(11, k),
      cluster: 'scale',
      service: 'scale-app',
      image: IMAGE,
      severity: 8,
    }),
  );
  const runtimeFigures = await measure(simulator, runtime, SCAN_STATES);
  // Each Inspector finding names an image of its own (a new incident each time): its EnrichAndDecide scans
  // every running task of the account for the digest, so the scan cost is paid whether or not it matches.
  const inspector = Array.from({ length: job.inspectorFindings }, (_, k) =>
    inspectorEvent({ findingId: hexId(12, k), repository: `scan-${k}`, severity: 'CRITICAL' }),
  );
  const inspectorFigures = await measure(simulator, inspector, new Set(['EnrichAndDecide']));
  return { size: job.size, setupMs: round(setupMs, 1), runtime: runtimeFigures, inspector: inspectorFigures };
}
