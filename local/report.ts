/**
 * What `simulate` tells a person: per event, the rule matched, the path through the workflow with its
 * cost, the AWS calls, what was contained or skipped and why, and the notification as it would be read.
 */
import type { EventResult, ExecutionSummary, PublishedNotification } from './engine';
import { type ApiCall, sequentialRoundTrips } from './sandbox/account';

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
  /^(Stop|Update|Put|Revoke|Authorize|Modify|BatchDelete|Tag|Untag|Delete|Create|Publish|TransactWrite)/;

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
  lines.push(dim(`  AWS calls: ${countCalls(result.apiCalls)}`));
  const changed = mutatingCalls(result.apiCalls);
  if (changed.length > 0) {
    lines.push(`  changed: ${changed.map((c) => `${c.service}:${c.operation}`).join(', ')}`);
  }
  for (const n of result.notifications) {
    const views = notificationViews(n);
    lines.push(`  ✉ ${bold(n.subject ?? '(no subject)')}`);
    if (views.slack) lines.push(dim('    Slack:'), indent(views.slack, '    │ '));
    if (options.notifications !== 'summary') lines.push(dim('    Email:'), indent(views.email, '    │ '));
  }
  return lines.join('\n');
}
