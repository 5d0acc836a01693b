/**
 * Step Functions executions in the sandbox: the history the failure reporter reads, and what the operator
 * CLI lists, re-runs and redrives offline. Executions are run by the engine; this service records them.
 * A redrive keeps the execution's ARN and name and continues its history (an `ExecutionRedriven` event,
 * then the states that ran again), as Step Functions does.
 */
import type { ExecutionResult } from '../asl-runner';
import { type AccountContext, AwsError, RECENT_RECORDS, requireString, type SandboxService } from './types';

export interface ExecutionStarter {
  start(stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionResult>;
  /** Resumes an unsuccessful execution where it stopped (`record.resume`); the engine records it with `redriven`. */
  redrive(record: ExecutionResult): Promise<ExecutionResult>;
}

interface StoredExecution {
  /** The latest attempt (the original run, or the latest redrive). */
  result: ExecutionResult;
  stateMachineArn: string;
  redriveCount: number;
  /** Earlier attempts, oldest first (absent in sandboxes saved before redrive kept them). */
  earlier?: ExecutionResult[];
}

// RedriveExecution (BOTOCORE stepfunctions): within 14 days of the end, and the history must have room for
// the ExecutionRedriven event and at least one more (fewer than 24,999 events).
const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;
const REDRIVE_HISTORY_LIMIT = 24_999;

function attemptEvents(result: ExecutionResult, redriveCount: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [
    redriveCount === 0
      ? {
          type: 'ExecutionStarted',
          timestamp: new Date(result.startedAt),
          executionStartedEventDetails: { input: JSON.stringify(result.input), roleArn: 'sandbox' },
        }
      : {
          type: 'ExecutionRedriven',
          timestamp: new Date(result.startedAt),
          executionRedrivenEventDetails: { redriveCount },
        },
  ];
  for (const e of result.events) {
    const timestamp = new Date(e.at);
    if (e.type === 'entered')
      events.push({
        type: `${e.stateType}StateEntered`,
        timestamp,
        stateEnteredEventDetails: { name: e.state },
      });
    else if (e.type === 'exited')
      events.push({
        type: `${e.stateType}StateExited`,
        timestamp,
        stateExitedEventDetails: { name: e.state },
      });
    else if (e.type === 'failed' && e.stateType === 'Task') {
      events.push({
        type: 'TaskFailed',
        timestamp,
        taskFailedEventDetails: { error: e.error, cause: e.cause },
      });
    }
  }
  const end = new Date(result.startedAt + result.durationMs);
  if (result.status === 'SUCCEEDED') {
    events.push({
      type: 'ExecutionSucceeded',
      timestamp: end,
      executionSucceededEventDetails: { output: JSON.stringify(result.output ?? null) },
    });
  } else {
    events.push({
      type: 'ExecutionFailed',
      timestamp: end,
      executionFailedEventDetails: { error: result.error, cause: result.cause },
    });
  }
  return events;
}

/** The whole history: every attempt in order, each redrive opened by its ExecutionRedriven event. */
function historyOf(record: StoredExecution): Record<string, unknown>[] {
  const attempts = [...(record.earlier ?? []), record.result];
  return attempts
    .flatMap((attempt, i) => attemptEvents(attempt, i))
    .map((e, i) => ({ ...e, id: i + 1, previousEventId: i }));
}

function historySize(record: StoredExecution): number {
  return [...(record.earlier ?? []), record.result].reduce((n, a) => n + a.events.length + 2, 0);
}

function startOf(e: StoredExecution): number {
  return (e.earlier?.[0] ?? e.result).startedAt;
}

/** The fields DescribeExecution and ListExecutions both start an execution with. */
function summaryOf(e: StoredExecution) {
  return {
    executionArn: e.result.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.result.name,
    status: e.result.status,
    startDate: new Date(startOf(e)),
    stopDate: new Date(e.result.startedAt + e.result.durationMs),
    ...(e.redriveCount > 0 ? { redriveDate: new Date(e.result.startedAt) } : {}),
  };
}

export class StatesService implements SandboxService {
  readonly name = 'states' as const;
  readonly operations;
  private readonly executions = new Map<string, StoredExecution>();
  /** `<stateMachineArn> <name>` of every execution ever recorded: names stay unique when histories are dropped. */
  private readonly names = new Set<string>();
  /** Successful executions in the order recorded, for `retention: 'recent'`. */
  private succeeded: string[] = [];

  constructor(
    private readonly ctx: AccountContext,
    private readonly starter: ExecutionStarter,
  ) {
    this.operations = {
      DescribeExecution: (input: Record<string, unknown>) => this.describe(input),
      GetExecutionHistory: (input: Record<string, unknown>) => this.history(input),
      ListExecutions: (input: Record<string, unknown>) => this.list(input),
      StartExecution: (input: Record<string, unknown>) => this.startExecution(input),
      RedriveExecution: (input: Record<string, unknown>) => this.redriveExecution(input),
    };
  }

  /** Records a new execution. */
  record(stateMachineArn: string, result: ExecutionResult): void {
    this.executions.set(result.executionArn, { result, stateMachineArn, redriveCount: 0 });
    this.names.add(`${stateMachineArn} ${result.name}`);
    // A long fast replay keeps every unsuccessful execution (the failure reporter and redrive read them)
    // and the newest successful ones; the histories of older successes are dropped (bounded memory).
    if (this.ctx.retention === 'recent' && result.status === 'SUCCEEDED') {
      this.succeeded.push(result.executionArn);
      if (this.succeeded.length > 2 * RECENT_RECORDS) {
        const dropped = this.succeeded.slice(0, -RECENT_RECORDS);
        this.succeeded = this.succeeded.slice(-RECENT_RECORDS);
        for (const arn of dropped) {
          if (this.executions.get(arn)?.result.status === 'SUCCEEDED') this.executions.delete(arn);
        }
      }
    }
  }

  /** Records a redrive of a recorded execution: same ARN, history continued; returns its redriveCount. */
  redriven(result: ExecutionResult): number {
    const existing = this.executions.get(result.executionArn);
    if (!existing) throw new Error(`no execution ${result.executionArn} to redrive`);
    const redriveCount = existing.redriveCount + 1;
    this.executions.set(result.executionArn, {
      result,
      stateMachineArn: existing.stateMachineArn,
      redriveCount,
      earlier: [...(existing.earlier ?? []), existing.result],
    });
    return redriveCount;
  }

  all(): ExecutionResult[] {
    return [...this.executions.values()].map((e) => e.result);
  }

  private get(input: Record<string, unknown>, operation: string): StoredExecution {
    const arn = requireString(input, 'executionArn', operation);
    const found = this.executions.get(arn);
    if (!found) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return found;
  }

  // The reasons are those DescribeExecution documents for redriveStatusReason (BOTOCORE stepfunctions).
  private redriveStatus(e: StoredExecution): { status: string; reason?: string } {
    if (e.result.status === 'SUCCEEDED')
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven.' };
    if (this.ctx.now() - (e.result.startedAt + e.result.durationMs) > REDRIVE_WINDOW_MS) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution redrivable period exceeded.' };
    }
    if (historySize(e) >= REDRIVE_HISTORY_LIMIT) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution history event limit exceeded.' };
    }
    return { status: 'REDRIVABLE' };
  }

  private describe(input: Record<string, unknown>) {
    const e = this.get(input, 'DescribeExecution');
    const redrive = this.redriveStatus(e);
    return {
      ...summaryOf(e),
      input: JSON.stringify(e.result.input),
      ...(e.result.output !== undefined ? { output: JSON.stringify(e.result.output) } : {}),
      ...(e.result.error ? { error: e.result.error, cause: e.result.cause } : {}),
      redriveCount: e.redriveCount,
      redriveStatus: redrive.status,
      ...(redrive.reason ? { redriveStatusReason: redrive.reason } : {}),
    };
  }

  private history(input: Record<string, unknown>) {
    const e = this.get(input, 'GetExecutionHistory');
    const events = historyOf(e);
    return { events: input.reverseOrder === true ? events.reverse() : events };
  }

  private list(input: Record<string, unknown>) {
    const arn = input.stateMachineArn;
    const status = input.statusFilter;
    const all = [...this.executions.values()]
      .filter(
        (e) =>
          (arn === undefined || e.stateMachineArn === arn) &&
          (status === undefined || e.result.status === status),
      )
      .sort((a, b) => startOf(b) - startOf(a));
    const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
    const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
    const page = all.slice(start, start + max);
    return {
      executions: page.map((e) => ({ ...summaryOf(e), redriveCount: e.redriveCount })),
      ...(start + max < all.length ? { nextToken: String(start + max) } : {}),
    };
  }

  private async startExecution(input: Record<string, unknown>) {
    const stateMachineArn = requireString(input, 'stateMachineArn', 'StartExecution');
    const name = typeof input.name === 'string' ? input.name : undefined;
    if (name && this.names.has(`${stateMachineArn} ${name}`)) {
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${name}'`);
    }
    const parsed: unknown = typeof input.input === 'string' ? JSON.parse(input.input) : {};
    const result = await this.starter.start(stateMachineArn, parsed, name);
    return { executionArn: result.executionArn, startDate: new Date(result.startedAt) };
  }

  private async redriveExecution(input: Record<string, unknown>) {
    const e = this.get(input, 'RedriveExecution');
    const redrive = this.redriveStatus(e);
    if (redrive.status !== 'REDRIVABLE')
      throw new AwsError('ExecutionNotRedrivable', redrive.reason ?? 'not redrivable');
    const redriveDate = new Date(this.ctx.now());
    await this.starter.redrive(e.result);
    return { redriveDate };
  }

  snapshot(): unknown {
    return [...this.executions.values()];
  }

  restore(state: unknown): void {
    this.executions.clear();
    this.names.clear();
    this.succeeded = [];
    for (const e of (state as StoredExecution[]) ?? []) {
      this.executions.set(e.result.executionArn, e);
      this.names.add(`${e.stateMachineArn} ${e.result.name}`);
    }
  }
}
