/**
 * What `simulate` tells a person: per event, the rule matched, the path through the workflow with its
 * cost, the AWS calls, what was contained or skipped and why, and the notification as it would be read.
 */
import type { EventResult, ExecutionSummary, PublishedNotification } from './engine';
import { type ApiCall, type SandboxAccount, sequentialRoundTrips } from './sandbox/account';
import { EcsService } from './sandbox/ecs';
import { organizationOf } from './sandbox/organization';
import { isRecord } from './sandbox/shared';

/** A task status as ECS reports it. */
export interface TaskStatus {
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly stoppedAt?: string;
}

/**
 * A stop the event caused: what StopTask returned (the task still stopping), what the sandbox says now, and
 * what it says once its clock reaches the time the stop finishes (after the containers' stop timeout).
 */
export interface TaskStop {
  readonly taskArn: string;
  readonly returned?: TaskStatus;
  readonly now?: TaskStatus;
  readonly stoppedBy?: string;
  readonly afterStop?: TaskStatus;
}

export interface CriticalPath {
  /** State transitions from the execution start to entering StopTask (inclusive). */
  readonly transitions: number;
  /** Sequential AWS round trips before StopTask returned (calls made in parallel count once). */
  readonly roundTrips: number;
  /** Lambda tasks on that path, each a possible cold start in sequence. */
  readonly lambdaTasks: number;
}

export interface ExecutionMetrics {
  readonly stateTransitions: number;
  readonly roundTrips: number;
  readonly lambdaInvocations: number;
  readonly apiCalls: number;
  readonly toStopTask?: CriticalPath;
}

const LAMBDA_STATES = new Set([
  'ValidateFinding',
  'EnrichAndDecide',
  'IsolateTask',
  'QuarantineImage',
  'MeasureBlastRadius',
  'NotifyResponse',
  'NotifyRepeat',
  'NotifyAlreadyContained',
  'NotifyCapReached',
  'NotifyRejectedEvent',
  'NotifyFindingsClosed',
]);

export function isLambdaState(state: string): boolean {
  return LAMBDA_STATES.has(state);
}

/** Cost and latency figures of one execution, from its states and the calls it made. */
export function executionMetrics(execution: ExecutionSummary, calls: readonly ApiCall[]): ExecutionMetrics {
  const own = calls.filter((c) => c.state !== undefined && execution.states.includes(c.state));
  const stopIndex = execution.states.indexOf('StopTask');
  let toStopTask: CriticalPath | undefined;
  if (stopIndex >= 0) {
    const before = new Set(execution.states.slice(0, stopIndex + 1));
    const stopCall = own.find((c) => c.state === 'StopTask' && c.error === null);
    const path = own.filter(
      (c) => c.state !== undefined && before.has(c.state) && (!stopCall || c.endSeq <= stopCall.endSeq),
    );
    toStopTask = {
      transitions: stopIndex + 1,
      roundTrips: sequentialRoundTrips(path),
      lambdaTasks: [...before].filter(isLambdaState).length,
    };
  }
  return {
    stateTransitions: execution.stateTransitions,
    roundTrips: sequentialRoundTrips(own),
    lambdaInvocations: execution.states.filter(isLambdaState).length,
    apiCalls: own.length,
    ...(toStopTask ? { toStopTask } : {}),
  };
}

function statusOf(task: unknown): TaskStatus | undefined {
  if (!isRecord(task)) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const stoppedAt = task.stoppedAt instanceof Date ? task.stoppedAt.toISOString() : undefined;
  return {
    ...(text(task.lastStatus) ? { lastStatus: text(task.lastStatus) } : {}),
    ...(text(task.desiredStatus) ? { desiredStatus: text(task.desiredStatus) } : {}),
    ...(stoppedAt ? { stoppedAt } : {}),
  };
}

/** DescribeTasks of one task in `ecs` (the sandbox's own, or a copy on a later clock). */
function describeTask(ecs: EcsService, cluster: unknown, taskArn: string): TaskStatus | undefined {
  const describe = ecs.operations.DescribeTasks;
  if (!describe) return undefined;
  const out = describe({ cluster: typeof cluster === 'string' ? cluster : undefined, tasks: [taskArn] });
  return isRecord(out) && Array.isArray(out.tasks) ? statusOf(out.tasks[0]) : undefined;
}

/**
 * The stops an event requested, read back from the sandbox now and on a copy of it whose clock reads the
 * time the stop finishes: StopTask only requests a stop, so the report shows both moments.
 */
export function taskStops(result: EventResult, home: SandboxAccount): TaskStop[] {
  const returned = new Map<string, TaskStatus>();
  for (const execution of result.executions) {
    const stop = isRecord(execution.output) ? execution.output.stop : undefined;
    if (isRecord(stop) && typeof stop.taskArn === 'string') {
      returned.set(stop.taskArn, {
        ...(typeof stop.lastStatus === 'string' ? { lastStatus: stop.lastStatus } : {}),
        ...(typeof stop.desiredStatus === 'string' ? { desiredStatus: stop.desiredStatus } : {}),
      });
    }
  }
  const stops: TaskStop[] = [];
  for (const call of result.apiCalls) {
    if (call.service !== 'ecs' || call.operation !== 'StopTask' || call.error !== null) continue;
    const input = isRecord(call.input) ? call.input : {};
    const taskArn = typeof input.task === 'string' ? input.task : '';
    if (!taskArn || stops.some((s) => s.taskArn === taskArn)) continue;
    // A member account's task is read back in that account (the account that answered the StopTask).
    const account =
      call.account === home.accountId ? home : (organizationOf(home)?.account(call.account) ?? home);
    const stoppedBy = account.ecs.getTask(taskArn)?.stopProgress?.phases.at(-1)?.at;
    let afterStop: TaskStatus | undefined;
    if (stoppedBy) {
      const later = new EcsService(
        {
          accountId: account.accountId,
          region: account.region,
          partition: account.partition,
          now: () => Date.parse(stoppedBy),
          nextId: (prefix, length) => account.nextId(prefix, length),
        },
        { imagePullable: (image, digest) => account.ecr.imagePullable(image, digest) },
      );
      later.restore(account.ecs.snapshot());
      afterStop = describeTask(later, input.cluster, taskArn);
    }
    const known = returned.get(taskArn);
    const now = describeTask(account.ecs, input.cluster, taskArn);
    stops.push({
      taskArn,
      ...(known ? { returned: known } : {}),
      ...(now ? { now } : {}),
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(afterStop ? { afterStop } : {}),
    });
  }
  return stops;
}

function statusText(status: TaskStatus | undefined): string {
  if (!status) return 'unknown';
  return `lastStatus ${status.lastStatus ?? '?'}, desiredStatus ${status.desiredStatus ?? '?'}`;
}

/** One line per stop: requested and stopping, then STOPPED once the sandbox clock passes the stop timeout. */
export function stopLines(stops: readonly TaskStop[]): string[] {
  return stops.flatMap((stop) => {
    const id = stop.taskArn.slice(stop.taskArn.lastIndexOf('/') + 1);
    const stopping = stop.returned?.lastStatus !== 'STOPPED';
    return [
      `  stop of task ${id}: ${stopping ? 'requested, the task is stopping' : 'confirmed'} ` +
        `(StopTask returned ${statusText(stop.returned ?? stop.now)}; now ${statusText(stop.now)})`,
      ...(stop.stoppedBy && stop.afterStop
        ? [
            `    at ${stop.stoppedBy} (after the stop timeout) the sandbox reports ${statusText(stop.afterStop)}`,
          ]
        : []),
    ];
  });
}

function countCalls(calls: readonly ApiCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const key = `${c.service}:${c.operation}${c.error ? ` (${c.error})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

/** The two renderings of a published message: Slack (Amazon Q Developer custom notification) and email. */
export function notificationViews(notification: PublishedNotification): { slack?: string; email: string } {
  try {
    const parsed = JSON.parse(notification.message) as { email?: string; default?: string };
    const chat = parsed.default
      ? (JSON.parse(parsed.default) as {
          content?: { title?: string; description?: string; nextSteps?: string[] };
        })
      : undefined;
    const slack = chat?.content
      ? [
          `*${chat.content.title ?? ''}*`,
          chat.content.description ?? '',
          ...(chat.content.nextSteps ?? []).map((step) => `• ${step}`),
        ].join('\n')
      : undefined;
    return { ...(slack ? { slack } : {}), email: parsed.email ?? parsed.default ?? notification.message };
  } catch {
    return { email: notification.message };
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line ? prefix + line : line))
    .join('\n');
}

const MUTATING =
  /^(Stop|Update|Put|Revoke|Authorize|Modify|BatchDelete|BatchUpdate|Tag|Untag|Delete|Create|Publish|TransactWrite)/;

/** Calls that change something in the account (reads, evidence and notifications aside). */
export function mutatingCalls(calls: readonly ApiCall[]): ApiCall[] {
  return calls.filter(
    (c) =>
      c.error === null &&
      MUTATING.test(c.operation) &&
      !(c.service === 's3' && c.operation === 'PutObject') &&
      !(c.service === 'sns' && c.operation === 'Publish') &&
      c.service !== 'dynamodb',
  );
}

export interface FormatOptions {
  readonly color?: boolean;
  /** `full`: the Slack and the email renderings; `summary`: the subject and the Slack text only. */
  readonly notifications?: 'full' | 'summary';
  /** The stops the event requested, read back from the sandbox (taskStops). */
  readonly stops?: readonly TaskStop[];
}

export function formatEventResult(result: EventResult, options: FormatOptions = {}): string {
  const bold = (s: string) => (options.color ? `\u001b[1m${s}\u001b[0m` : s);
  const dim = (s: string) => (options.color ? `\u001b[2m${s}\u001b[0m` : s);
  const lines: string[] = [bold(`▶ ${result.event}`) + dim(`  (event ${result.eventId || 'without id'})`)];
  if (result.matchedRules.length === 0) {
    lines.push('  No rule matched: shield-right does not act on this event.');
    return lines.join('\n');
  }
  for (const execution of result.executions) {
    const metrics = executionMetrics(execution, result.apiCalls);
    lines.push(
      `  ${execution.stateMachine}: ${bold(execution.status)} in ${execution.durationMs} ms, ${metrics.stateTransitions} state transitions, ` +
        `${metrics.apiCalls} AWS calls, ${metrics.lambdaInvocations} Lambda invocations`,
    );
    if (execution.error) lines.push(`  failed: ${execution.error}: ${execution.cause ?? ''}`);
    lines.push(dim(`  path: ${execution.states.join(' → ')}`));
    if (metrics.toStopTask) {
      const p = metrics.toStopTask;
      lines.push(
        `  to StopTask: ${p.transitions} state transitions, ${p.roundTrips} sequential AWS round trips, ${p.lambdaTasks} Lambda cold starts at most`,
      );
    }
  }
  for (const refused of result.refused ?? []) {
    // StartExecution refused the event (over 256 KiB): no execution, nothing changed; EventBridge would retry, then drop it.
    lines.push(`  ${refused.stateMachine}: ${bold('NOT STARTED')}: ${refused.error}: ${refused.message}`);
  }
  lines.push(dim(`  AWS calls: ${countCalls(result.apiCalls)}`));
  const changed = mutatingCalls(result.apiCalls);
  if (changed.length > 0) {
    lines.push(`  changed: ${changed.map((c) => `${c.service}:${c.operation}`).join(', ')}`);
  }
  lines.push(...stopLines(options.stops ?? []));
  for (const n of result.notifications) {
    const views = notificationViews(n);
    lines.push(`  ✉ ${bold(n.subject ?? '(no subject)')}`);
    if (views.slack) lines.push(dim('    Slack:'), indent(views.slack, '    │ '));
    if (options.notifications !== 'summary') lines.push(dim('    Email:'), indent(views.email, '    │ '));
  }
  return lines.join('\n');
}
