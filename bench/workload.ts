/**
 * Synthetic, reproducible event streams for the benchmark, built with the project's fixture builders
 * (local/fixtures/events.ts). Every event is a fresh object; tasks and finding ids are distinct unless an
 * event is meant to be a repeat or a duplicate delivery of an earlier one.
 */
import { ACCOUNT, inspectorEvent, loadExample, REGION, runtimeEvent } from '../local/fixtures/events';

export type EventKind =
  | 'high'
  | 'medium'
  | 'low'
  | 'repeat'
  | 'duplicate'
  | 'exempt'
  | 'inspector'
  | 'eksNoMatch';

export interface BenchEvent {
  readonly kind: EventKind;
  readonly event: Record<string, unknown>;
}

/**
 * The mix, per 20 events, interleaved: 4 High, 3 Medium, 3 Low, 3 repeats (same finding, higher count),
 * 1 duplicate delivery (same event again), 2 exempt (High on a task tagged exempt), 2 Inspector (CRITICAL
 * and HIGH on their own image), 2 EKS findings that match no rule.
 */
export const MIX_CYCLE: readonly EventKind[] = [
  'high',
  'medium',
  'low',
  'inspector',
  'high',
  'repeat',
  'exempt',
  'medium',
  'eksNoMatch',
  'high',
  'low',
  'repeat',
  'medium',
  'duplicate',
  'high',
  'inspector',
  'low',
  'repeat',
  'exempt',
  'eksNoMatch',
];

export const MIX_DESCRIPTION = (() => {
  const counts = new Map<EventKind, number>();
  for (const k of MIX_CYCLE) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${Math.round((n / MIX_CYCLE.length) * 100)}%`).join(', ');
})();

/** Events per cluster: clusters stay the size of a real one (~60 running tasks), however long the replay. */
export const EVENTS_PER_CLUSTER = 100;
export const SERVICES_PER_CLUSTER = 5;

/** A 32-hex-digit id, unique per (namespace, n). */
export function hexId(namespace: number, n: number): string {
  return `${namespace.toString(16)}${n.toString(16).padStart(31, '0')}`;
}

const RUNTIME_TYPES = {
  high: 'CryptoCurrency:Runtime/BitcoinTool.B',
  medium: 'Execution:Runtime/SuspiciousCommand',
  low: 'Discovery:Runtime/SuspiciousCommand',
  exempt: 'Execution:Runtime/ReverseShell',
} as const;

const SEVERITY = { high: 8, medium: 5, low: 2, exempt: 8 } as const;

interface Delivered {
  readonly id: string;
  readonly taskId: string;
  readonly cluster: string;
  readonly service: string;
  readonly image: string;
  readonly type: string;
  readonly severity: number;
  count: number;
  last: Record<string, unknown>;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The mixed stream of `n` events (deterministic), generated lazily so a long replay does not hold them all. */
export function* mixedEvents(n: number): Generator<BenchEvent> {
  const actable: Delivered[] = [];
  const eks = loadExample('07-eks-finding-no-match.json');
  let serial = 0;
  for (let i = 0; i < n; i++) {
    const kind = MIX_CYCLE[i % MIX_CYCLE.length] ?? 'low';
    const clusterIndex = Math.floor(i / EVENTS_PER_CLUSTER);
    const cluster = `bench-${clusterIndex.toString().padStart(4, '0')}`;
    serial += 1;
    if (kind === 'high' || kind === 'medium' || kind === 'low' || kind === 'exempt') {
      const svc = serial % SERVICES_PER_CLUSTER;
      const service = `svc-${svc}`;
      // One image (digest) per service and cluster, so image quarantines do not pile up on one digest.
      const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${service}:${cluster}`;
      const d: Delivered = {
        id: hexId(1, serial),
        taskId: hexId(2, serial),
        cluster,
        service,
        image,
        type: RUNTIME_TYPES[kind],
        severity: SEVERITY[kind],
        count: 1,
        last: {},
      };
      d.last = runtimeEvent({
        id: d.id,
        taskId: d.taskId,
        cluster,
        service,
        image,
        type: d.type,
        severity: d.severity,
        count: 1,
        ...(kind === 'exempt' ? { taskTags: { 'shield-right:exempt': 'true' } } : {}),
      });
      if (kind === 'high' || kind === 'medium') actable.push(d);
      yield { kind, event: d.last };
    } else if (kind === 'repeat' || kind === 'duplicate') {
      // A recent finding: the same activity seen again (count + 1) or the same delivery again.
      const d = actable[Math.max(0, actable.length - 1 - (i % 5))];
      if (!d) {
        yield { kind: 'low', event: runtimeEvent({ id: hexId(3, serial), taskId: hexId(4, serial) }) };
        continue;
      }
      if (kind === 'repeat') {
        d.count += 1;
        d.last = runtimeEvent({
          id: d.id,
          taskId: d.taskId,
          cluster: d.cluster,
          service: d.service,
          image: d.image,
          type: d.type,
          severity: d.severity,
          count: d.count,
        });
        yield { kind, event: d.last };
      } else {
        yield { kind, event: clone(d.last) };
      }
    } else if (kind === 'inspector') {
      yield {
        kind,
        event: inspectorEvent({
          findingId: hexId(5, serial),
          repository: `vuln-${serial}`,
          severity: serial % 2 === 0 ? 'CRITICAL' : 'HIGH',
          epss: 0.5,
        }),
      };
    } else {
      const e = clone(eks);
      const detail = e.detail as Record<string, unknown>;
      detail.id = hexId(6, serial);
      e.id = `${hexId(7, serial).slice(0, 8)}-0000-4000-8000-${hexId(7, serial).slice(20)}`;
      yield { kind: 'eksNoMatch', event: e };
    }
  }
}

/** Count of events of each kind. */
export function emptyKindCounts(): Record<EventKind, number> {
  const counts: Record<EventKind, number> = {
    high: 0,
    medium: 0,
    low: 0,
    repeat: 0,
    duplicate: 0,
    exempt: 0,
    inspector: 0,
    eksNoMatch: 0,
  };
  return counts;
}

/** Deterministic Fisher-Yates shuffle (mulberry32). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const x = out[i];
    const y = out[j];
    if (x === undefined || y === undefined) continue;
    out[i] = y;
    out[j] = x;
  }
  return out;
}
