/**
 * Issue 13 acceptance: `simulate` of a High finding reports the stop as requested with the task still
 * stopping, and a later state of the sandbox (its clock past the stop timeout) shows the task STOPPED.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator } from '../../local/engine';
import { formatEventResult, taskStops } from '../../local/report';
import { DEFAULT_STOP_TIMEOUT_S, STOP_STEP_MS } from '../../local/sandbox/ecs';
import { callsTo, execution, inputOf, only, parts } from '../helpers/runtime-response';

const EXAMPLE = join(__dirname, '../../examples/events/01-high-fargate-crypto-miner.json');

describe('a High finding: StopTask requests the stop, the task stops later on the sandbox clock', () => {
  it('records and notifies the stop as requested (RUNNING, desired STOPPED); the sandbox shows STOPPED after the stop timeout', async () => {
    // Arrange: a sandbox whose clock moves only when the test moves it
    let now = Date.parse('2026-03-02T10:00:00Z');
    const simulator = new Simulator({ clock: () => now });
    const event: unknown = JSON.parse(readFileSync(EXAMPLE, 'utf8'));

    // Act
    const result = await simulator.processEvent(event, 'high');
    const reported = taskStops(result, simulator.account);

    // Assert: the StopTask state recorded what ECS answered
    const run = execution(result);
    expect(run.status).toBe('SUCCEEDED');
    const stopCall = only(callsTo(result, 'ecs', 'StopTask'));
    const taskArn = String(inputOf(stopCall).task);
    expect((run.output as { stop?: unknown }).stop).toEqual({
      status: 'done',
      taskArn,
      lastStatus: 'RUNNING',
      desiredStatus: 'STOPPED',
    });

    // The notification says the stop was requested and the task is stopping, never that it stopped.
    const notification = only(result.notifications);
    const { chat, email } = parts(notification);
    expect(chat.content.title).toContain('contained: stop requested, the task is stopping');
    expect(email).toContain('is stopping (last status RUNNING, desired STOPPED)');
    expect(`${chat.content.title}\n${chat.content.description}\n${email}`).not.toContain('task stopped');

    // The report: requested and stopping now, STOPPED once the sandbox clock passes the stop timeout.
    expect(reported).toEqual([
      {
        taskArn,
        returned: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
        now: { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
        stoppedBy: new Date(now + STOP_STEP_MS * 3 + DEFAULT_STOP_TIMEOUT_S * 1000).toISOString(),
        afterStop: {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stoppedAt: new Date(now + STOP_STEP_MS * 3 + DEFAULT_STOP_TIMEOUT_S * 1000).toISOString(),
        },
      },
    ]);
    const text = formatEventResult(result, { stops: reported });
    expect(text).toContain('requested, the task is stopping');
    expect(text).toContain('(after the stop timeout) the sandbox reports lastStatus STOPPED');

    // The sandbox itself: still stopping until the stop timeout has passed, then STOPPED.
    const describe = async () =>
      (
        (await simulator.account.call('ecs', 'DescribeTasks', {
          cluster: String(inputOf(stopCall).cluster),
          tasks: [taskArn],
        })) as { tasks: { lastStatus: string; stopCode?: string; stoppedReason?: string }[] }
      ).tasks[0];
    now += STOP_STEP_MS * 2;
    expect(await describe()).toMatchObject({ lastStatus: 'STOPPING' });
    now += DEFAULT_STOP_TIMEOUT_S * 1000 + STOP_STEP_MS;
    const stopped = await describe();
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(stopped?.stoppedReason).toBe(inputOf(stopCall).reason);
  });
});
