/**
 * A finding whose fields disagree with the resources it names is handled as the resources AWS resolves,
 * and the disagreement is reported (issue 14, defect 9).
 */
import { parseConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { mutatingCalls } from '../../local/report';

const TASK_ID = '0123456789abcdef0123456789abcdef';

/** A High finding about a task of cluster `prod` whose `ecsClusterDetails.name` says `dev`. */
function misnamedFinding(): Record<string, unknown> {
  const event = runtimeEvent({ cluster: 'prod', taskId: TASK_ID, severity: 8 });
  const detail = event.detail as { resource: { ecsClusterDetails: { name: string } } };
  detail.resource.ecsClusterDetails.name = 'dev';
  return event;
}

describe('cluster name and ARN disagree', () => {
  it('protectedClusters applies to the cluster the ARN names, and the notification says so', async () => {
    // Arrange
    const simulator = new Simulator({ config: parseConfig({ protectedClusters: ['prod'] }) });

    // Act
    const result = await simulator.processEvent(misnamedFinding());

    // Assert
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    const [notification] = result.notifications;
    expect(notification?.attributes.cluster).toBe('prod');
    const email = (JSON.parse(notification?.message ?? '{}') as { email?: string }).email ?? '';
    expect(email).toContain('protectedClusters');
    expect(email).toContain('the finding names cluster dev but its ARN names prod: handled as prod');
  });

  it('a finding whose name and ARN agree reports no disagreement', async () => {
    const simulator = new Simulator({ config: parseConfig({ protectedClusters: ['prod'] }) });

    const result = await simulator.processEvent(
      runtimeEvent({ cluster: 'prod', taskId: TASK_ID, severity: 8 }),
    );

    const email = (JSON.parse(result.notifications[0]?.message ?? '{}') as { email?: string }).email ?? '';
    expect(email).toContain('protectedClusters');
    expect(email).not.toContain('Disagreement');
  });
});
