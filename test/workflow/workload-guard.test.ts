/**
 * Exemption, protection and service membership come from what AWS describes, never from the finding's
 * `group` (issue 14, defect 6): the service is the one that lists the task (ListTasks with serviceName),
 * a task tag exempts only when its key is declared guarded, and minHealthyTasks counts the described
 * service. Where the finding disagrees, the notification says so.
 */
import { DEFAULT_CONFIG, parseConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { mutatingCalls } from '../../local/report';
import {
  CLUSTER,
  callsTo,
  EXEMPT_KEY,
  execution,
  IMAGE,
  inputOf,
  only,
  parts,
  SERVICE,
  TASK_ARN,
  TASK_ID,
} from '../helpers/runtime-response';

const OTHER_SERVICE = 'checkout';
const serviceArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`;

/** The finding's task belongs to `owner`; `exempt` services carry the exemption tag. */
function scenario(owner: string | undefined, exempt: string[] = [], extra: Partial<Scenario> = {}): Scenario {
  return {
    services: [SERVICE, OTHER_SERVICE].map((name) => ({
      cluster: CLUSTER,
      name,
      image: IMAGE,
      ...(exempt.includes(name) ? { tags: { [EXEMPT_KEY]: 'true' } } : {}),
    })),
    tasks: [
      {
        cluster: CLUSTER,
        taskArn: TASK_ARN,
        ...(owner ? { service: owner } : {}),
        containers: [{ name: 'app', image: IMAGE }],
      },
    ],
    ...extra,
  };
}

const email = (result: Awaited<ReturnType<Simulator['processEvent']>>): string =>
  parts(only(result.notifications)).email;

describe('service membership from the service side', () => {
  it('a finding with no group about an exempt service task: exempt, nothing changed', async () => {
    const simulator = new Simulator({ scenario: scenario(SERVICE, [SERVICE]) });

    const result = await simulator.processEvent(
      runtimeEvent({ taskId: TASK_ID, severity: 8, service: null }),
    );

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    expect(only(result.notifications).attributes.action).toBe('exempt');
    expect(email(result)).toContain(`service ${SERVICE} is tagged ${EXEMPT_KEY}=true`);
  });

  it('a finding whose group names another service: the described service is tagged, the disagreement said', async () => {
    const simulator = new Simulator({ scenario: scenario(OTHER_SERVICE) });

    const result = await simulator.processEvent(
      runtimeEvent({ taskId: TASK_ID, severity: 8, service: SERVICE }),
    );

    expect(execution(result).status).toBe('SUCCEEDED');
    const tagged = callsTo(result, 'ecs', 'TagResource').map((c) => inputOf(c).resourceArn);
    expect(tagged).toEqual([serviceArn(OTHER_SERVICE)]);
    expect(email(result)).toContain(
      `the finding names task group service:${SERVICE} but ECS describes service:${OTHER_SERVICE}`,
    );
  });

  it('a RunTask group naming an exempt service proves nothing: the standalone task is contained', async () => {
    const simulator = new Simulator({
      scenario: {
        ...scenario(undefined, [SERVICE]),
        tasks: [
          {
            cluster: CLUSTER,
            taskArn: TASK_ARN,
            group: `service:${SERVICE}`,
            containers: [{ name: 'app', image: IMAGE }],
          },
        ],
      },
    });

    const result = await simulator.processEvent(
      runtimeEvent({ taskId: TASK_ID, severity: 8, service: SERVICE }),
    );

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs', 'StopTask').map((c) => inputOf(c).task)).toEqual([TASK_ARN]);
    expect(callsTo(result, 'ecs', 'TagResource')).toEqual([]);
    expect(email(result)).toContain(
      `the task's group names service ${SERVICE}, but that service does not list the task: handled as a standalone task`,
    );
  });

  it('minHealthyTasks counts the described service even when the finding names none', async () => {
    const config = parseConfig({ blastRadius: { minHealthyTasks: 1 } });
    const simulator = new Simulator({ config, scenario: scenario(SERVICE) });

    const result = await simulator.processEvent(
      runtimeEvent({ taskId: TASK_ID, severity: 8, service: null }),
    );

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs', 'StopTask')).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    expect(email(result)).toContain(`service ${SERVICE} has 1 running task(s), at most minHealthyTasks=1`);
  });
});

describe('task-level exemption tags', () => {
  const tagged = () =>
    runtimeEvent({ taskId: TASK_ID, severity: 8, service: null, taskTags: { [EXEMPT_KEY]: 'true' } });

  it('do not exempt unless the key is declared guarded, and the notification says why', async () => {
    const simulator = new Simulator({
      scenario: {
        tasks: [
          {
            cluster: CLUSTER,
            taskArn: TASK_ARN,
            tags: { [EXEMPT_KEY]: 'true' },
            containers: [{ name: 'app', image: IMAGE }],
          },
        ],
      },
    });

    const result = await simulator.processEvent(tagged());

    expect(callsTo(result, 'ecs', 'StopTask').map((c) => inputOf(c).task)).toEqual([TASK_ARN]);
    expect(email(result)).toContain('task tags exempt only with exemptTaskTagGuarded');
  });

  it('exempt when exemptTaskTagGuarded declares the guard', async () => {
    const simulator = new Simulator({
      config: { ...DEFAULT_CONFIG, exemptTaskTagGuarded: true },
      scenario: {
        tasks: [
          {
            cluster: CLUSTER,
            taskArn: TASK_ARN,
            tags: { [EXEMPT_KEY]: 'true' },
            containers: [{ name: 'app', image: IMAGE }],
          },
        ],
      },
    });

    const result = await simulator.processEvent(tagged());

    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(only(result.notifications).attributes.action).toBe('exempt');
  });

  it('a tag the finding claims but ECS does not describe exempts nothing', async () => {
    const simulator = new Simulator({
      config: { ...DEFAULT_CONFIG, exemptTaskTagGuarded: true },
      scenario: {
        tasks: [{ cluster: CLUSTER, taskArn: TASK_ARN, containers: [{ name: 'app', image: IMAGE }] }],
      },
    });

    const result = await simulator.processEvent(tagged());

    expect(callsTo(result, 'ecs', 'StopTask').map((c) => inputOf(c).task)).toEqual([TASK_ARN]);
  });
});
