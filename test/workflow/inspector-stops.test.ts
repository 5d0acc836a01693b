/**
 * `inspector.stopRunningTasks` goes through the workload guard (issue 14, defect 1): a digest that a
 * protected cluster or an exempt service or cluster runs is neither quarantined nor are its tasks stopped;
 * otherwise only allowed tasks are stopped, a service keeps its last minHealthyTasks, and the
 * notification lists every stop and every task spared.
 */
import { DEFAULT_CONFIG, parseConfig } from '../../definitions/config';
import { type EventResult, Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}@${DIGEST}`;
const EXEMPT = DEFAULT_CONFIG.exemptTagKey;

const running = (cluster: string, service: string, count: number) => ({
  cluster,
  service,
  count,
  containers: [{ name: 'app', image: IMAGE }],
});

function scenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    repositories: [{ name: REPOSITORY, images: [{ tags: ['v1'], digest: DIGEST }] }],
    ...extra,
  };
}

const stops = (result: EventResult) =>
  result.apiCalls.filter((c) => c.operation === 'StopTask' && c.error === null);
const archives = (result: EventResult) =>
  result.apiCalls.filter((c) => c.operation === 'UpdateImageStorageClass' && c.error === null);
const email = (result: EventResult) =>
  (JSON.parse(result.notifications[0]?.message ?? '{}') as { email?: string }).email ?? '';

const config = (extra: Record<string, unknown> = {}) =>
  parseConfig({ inspector: { stopRunningTasks: true }, ...extra });

describe('Inspector stopRunningTasks under the workload guard', () => {
  it('stops nothing and archives nothing where protected or exempt workloads run the digest', async () => {
    const sim = new Simulator({
      clock: CLOCK,
      config: config({ protectedClusters: ['prod'] }),
      scenario: scenario({
        clusters: [{ name: 'prod' }, { name: 'shared', tags: { [EXEMPT]: 'true' } }, { name: 'dev' }],
        services: [{ cluster: 'dev', name: 'ledger', image: IMAGE, tags: { [EXEMPT]: 'true' } }],
        tasks: [
          running('prod', 'payments-api', 3),
          running('dev', 'ledger', 3),
          running('shared', 'gateway', 2),
          running('dev', 'worker', 5),
        ],
      }),
    });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');

    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(stops(result)).toEqual([]);
    expect(archives(result)).toEqual([]);
    const text = email(result);
    expect(text).toContain('cluster prod is in protectedClusters');
    expect(text).toContain(`service ledger is tagged ${EXEMPT}=true`);
    expect(text).toContain(`cluster shared is tagged ${EXEMPT}=true`);
  });

  it('stops only what minHealthyTasks allows and lists every stop and every task spared', async () => {
    const sim = new Simulator({
      clock: CLOCK,
      config: config({ blastRadius: { minHealthyTasks: 2 } }),
      scenario: scenario({ tasks: [running('dev', 'worker', 3), running('dev', 'api', 2)] }),
    });

    const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'critical');

    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(archives(result)).toHaveLength(1);
    const stopped = stops(result).map((c) => String((c.input as { task?: unknown }).task));
    expect(stopped).toHaveLength(1);
    const text = email(result);
    expect(text).toContain('Stop running tasks: 1 task the guard allows — 1 stopped');
    expect(text).toContain(stopped[0]?.slice(stopped[0].lastIndexOf('/') + 1));
    // worker keeps 2 of its 3, api both of its 2.
    expect(text.match(/keeps minHealthyTasks=2/g)).toHaveLength(4);
  });
});
