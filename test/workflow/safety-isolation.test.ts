/**
 * Isolation that cannot outlive the task (issue 14, defects 5 and 7), through the real pipeline offline:
 * no rule of a group that a service's network configuration names is ever revoked (its tasks, replacements
 * and scale-outs keep working), nothing is revoked after a stop, and an EC2 container instance is
 * quarantined only when no other task on it is exempt, with an honest count of what the drain does.
 */
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { type EventResult, Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { destructiveCalls } from '../helpers/destructive';
import {
  CLUSTER,
  EXEMPT_KEY,
  execution,
  FINDING_ID,
  IMAGE,
  only,
  parts,
  REVOKES,
  rulesOf,
  SERVICE,
  TASK_ARN,
  TASK_ID,
} from '../helpers/runtime-response';

const operations = (result: EventResult): string[] => destructiveCalls(result).map((c) => c.operation);

/** The security groups of a task's ENI, as EC2 describes it. */
async function groupsOfTask(sim: Simulator, taskArn: string): Promise<string[]> {
  const eniId = sim.account.ecs.getTask(taskArn)?.eni?.networkInterfaceId ?? '';
  const out = (await sim.account.call('ec2', 'DescribeNetworkInterfaces', {
    NetworkInterfaceIds: [eniId],
  })) as { NetworkInterfaces?: { Groups?: { GroupId?: string }[] }[] };
  return (only(out.NetworkInterfaces ?? []).Groups ?? []).map((g) => g.GroupId ?? '');
}

/** The security groups of the service's network configuration, as DescribeServices answers. */
async function serviceGroups(sim: Simulator, service: string): Promise<string[]> {
  const out = (await sim.account.call('ecs', 'DescribeServices', {
    cluster: CLUSTER,
    services: [service],
  })) as { services?: { networkConfiguration?: { awsvpcConfiguration?: { securityGroups?: string[] } } }[] };
  return only(out.services ?? []).networkConfiguration?.awsvpcConfiguration?.securityGroups ?? [];
}

function withMinHealthy(minHealthyTasks: number): ShieldRightConfig {
  return { ...DEFAULT_CONFIG, blastRadius: { ...DEFAULT_CONFIG.blastRadius, minHealthyTasks } };
}

describe("a service's security group is never emptied (defect 5)", () => {
  it('a Medium finding on the only task of a service revokes nothing: notify, and recommend what to do', async () => {
    const sim = new Simulator();

    const result = await sim.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }));

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(operations(result)).toEqual([]);
    const [groupId = ''] = await serviceGroups(sim, SERVICE);
    expect(await groupsOfTask(sim, TASK_ARN)).toEqual([groupId]);
    expect((await rulesOf(sim, groupId)).length).toBeGreaterThan(0);
    const notification = only(result.notifications);
    expect(notification.attributes.action).toBe('notify-only');
    const { email } = parts(notification);
    expect(email).toContain('isolation not possible in place');
    expect(email).toContain(`move service ${SERVICE} to a security group of its own`);
    expect(email).toContain(`shield-right respond --finding-id ${FINDING_ID} --force`);
  });

  it('a scale-out after the Medium finding starts a task with the service group, rules intact', async () => {
    const sim = new Simulator();
    await sim.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }));

    await sim.account.call('ecs', 'UpdateService', { cluster: CLUSTER, service: SERVICE, desiredCount: 2 });

    const [groupId = ''] = await serviceGroups(sim, SERVICE);
    const started = sim.account.ecs
      .snapshot()
      .tasks.filter((t) => t.group === `service:${SERVICE}` && t.id !== TASK_ID);
    const [scaledOut] = started;
    expect(started).toHaveLength(1);
    expect(await groupsOfTask(sim, scaledOut?.arn ?? '')).toEqual([groupId]);
    expect((await rulesOf(sim, groupId)).length).toBeGreaterThan(0);
  });

  it('a High finding stops the task and revokes nothing: the replacement runs with the service group, rules intact', async () => {
    const sim = new Simulator({
      scenario: {
        tasks: [
          {
            cluster: CLUSTER,
            taskArn: TASK_ARN,
            service: 'checkout',
            containers: [{ name: 'app', image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:v2` }],
          },
        ],
      },
      // The image stays pullable, so the replacement starts.
      config: { ...DEFAULT_CONFIG, imageQuarantine: 'none' },
    });

    const result = await sim.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, service: 'checkout', severity: 8 }),
    );

    expect(operations(result)).toEqual(['StopTask']);
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    const [groupId = ''] = await serviceGroups(sim, 'checkout');
    const replacement = sim.account.ecs
      .snapshot()
      .tasks.find((t) => t.group === 'service:checkout' && t.id !== TASK_ID);
    expect(replacement?.lastStatus).toBe('RUNNING');
    expect(await groupsOfTask(sim, replacement?.arn ?? '')).toEqual([groupId]);
    expect((await rulesOf(sim, groupId)).length).toBeGreaterThan(0);
  });

  it('minHealthyTasks keeping the last task of a service does not revoke the service group instead', async () => {
    const sim = new Simulator({ config: withMinHealthy(1) });

    const result = await sim.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }));

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(operations(result)).not.toContain('StopTask');
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    expect(sim.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    const [groupId = ''] = await serviceGroups(sim, SERVICE);
    expect((await rulesOf(sim, groupId)).length).toBeGreaterThan(0);
    expect(only(result.notifications).message).toContain('minHealthyTasks=1');
  });

  it("a standalone task whose group a service's network configuration names is not isolated, even with no other ENI", async () => {
    const shared = 'sg-0ledger0shared00';
    const sim = new Simulator({
      scenario: {
        services: [{ cluster: CLUSTER, name: 'ledger', desiredCount: 0, securityGroups: [shared] }],
        tasks: [
          {
            cluster: CLUSTER,
            taskArn: TASK_ARN,
            containers: [{ name: 'app', image: IMAGE }],
            securityGroups: [shared],
          },
        ],
      },
    });

    const result = await sim.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, service: null, severity: 5 }),
    );

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    expect((await rulesOf(sim, shared)).length).toBeGreaterThan(0);
    expect(only(result.notifications).message).toContain(
      `${shared} (network configuration of service ledger)`,
    );
  });

  it('a standalone task with a group of its own is still isolated in place', async () => {
    const sim = new Simulator();

    const result = await sim.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, service: null, severity: 5 }),
    );

    expect(operations(result)).toEqual(
      expect.arrayContaining(['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress']),
    );
    const [groupId = ''] = await groupsOfTask(sim, TASK_ARN);
    expect(await rulesOf(sim, groupId)).toEqual([]);
    expect(only(result.notifications).attributes.action).toBe('isolated');
  });
});

describe('an EC2 container instance is quarantined only when its other tasks allow it (defect 7)', () => {
  const INSTANCE = 'i-0a1b2c3d4e5f60718';
  const QUARANTINE = 'sg-0quarantine00000';
  const onInstance = (service: string | undefined, taskArn?: string) => ({
    cluster: CLUSTER,
    ...(taskArn ? { taskArn } : {}),
    ...(service ? { service } : {}),
    launchType: 'EC2' as const,
    networkMode: 'bridge' as const,
    ec2InstanceId: INSTANCE,
    containers: [{ name: 'app', image: IMAGE }],
  });
  const scenario = (neighbour: ReturnType<typeof onInstance>, exempt: boolean): Scenario => ({
    services: [{ cluster: CLUSTER, name: 'ledger', ...(exempt ? { tags: { [EXEMPT_KEY]: 'true' } } : {}) }],
    tasks: [onInstance(SERVICE, TASK_ARN), neighbour],
    quarantineSecurityGroups: { 'vpc-0sandbox0000000': QUARANTINE },
  });

  it('refuses, changing nothing, when a task of an exempt service runs on the same instance', async () => {
    const sim = new Simulator({ scenario: scenario(onInstance('ledger'), true) });

    const result = await sim.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }));

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(operations(result)).toEqual([]);
    const message = only(result.notifications).message;
    expect(message).toContain('isolation not possible in place');
    expect(message).toContain(
      `service ledger, which runs 1 task(s) on the instance, is tagged ${EXEMPT_KEY}=true`,
    );
  });

  it('quarantines and drains when the neighbour may go, saying it is not rescheduled when it belongs to no service', async () => {
    const sim = new Simulator({ scenario: scenario(onInstance(undefined), false) });

    const result = await sim.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }));

    expect(operations(result)).toEqual(['ModifyInstanceAttribute', 'UpdateContainerInstancesState']);
    const message = only(result.notifications).message;
    expect(message).toContain(
      '1 other task(s) of no service keep running on the instance, cut off, and are not rescheduled',
    );
    expect(message).not.toContain('other tasks on it are rescheduled');
  });
});
