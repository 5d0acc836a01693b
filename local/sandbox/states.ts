/**
 * Step Functions executions in the sandbox: the history the failure reporter reads, and what the operator
 * CLI lists, re-runs and redrives offline. Executions are run by the engine; this service records them.
 */
import type { ExecutionResult } from '../asl-runner';
import { type AccountContext, AwsError, requireString, type SandboxService } from './types';

export interface ExecutionStarter {
  start(stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionResult>;
  /** Runs a failed execution again under the same ARN (offline redrive re-runs it from the start: every step is idempotent). */
  redrive(record: ExecutionResult): Promise<ExecutionResult>;
}

interface StoredExecution {
  result: ExecutionResult;
  stateMachineArn: string;
  redriveCount: number;
}

const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;

function historyOf(record: StoredExecution): Record<string, unknown>[] {
  const { result } = record;
  const events: Record<string, unknown>[] = [
    {
      type: 'ExecutionStarted',
      timestamp: new Date(result.startedAt),
      executionStartedEventDetails: { input: JSON.stringify(result.input), roleArn: 'sandbox' },
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
  return events.map((e, i) => ({ ...e, id: i + 1, previousEventId: i }));
}

/** The fields DescribeExecution and ListExecutions both start an execution with. */
function summaryOf(e: StoredExecution) {
  return {
    executionArn: e.result.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.result.name,
    status: e.result.status,
    startDate: new Date(e.result.startedAt),
    stopDate: new Date(e.result.startedAt + e.result.durationMs),
  };
}

export class StatesService implements SandboxService {
  readonly name = 'states' as const;
  readonly operations;
  private readonly executions = new Map<string, StoredExecution>();

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

  record(stateMachineArn: string, result: ExecutionResult): void {
    const existing = this.executions.get(result.executionArn);
    this.executions.set(result.executionArn, {
      result,
      stateMachineArn,
      redriveCount: existing ? existing.redriveCount : 0,
    });
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

  private redriveStatus(e: StoredExecution): { status: string; reason?: string } {
    if (e.result.status === 'SUCCEEDED')
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven' };
    if (this.ctx.now() - (e.result.startedAt + e.result.durationMs) > REDRIVE_WINDOW_MS) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution ended more than 14 days ago' };
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
      .sort((a, b) => b.result.startedAt - a.result.startedAt);
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
    if (
      name &&
      ![...this.executions.values()].every(
        (e) => e.result.name !== name || e.stateMachineArn !== stateMachineArn,
      )
    ) {
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
    const result = await this.starter.redrive(e.result);
    this.executions.set(result.executionArn, {
      result,
      stateMachineArn: e.stateMachineArn,
      redriveCount: e.redriveCount + 1,
    });
    return { redriveDate: new Date(this.ctx.now()) };
  }

  snapshot(): unknown {
    return [...this.executions.values()];
  }

  restore(state: unknown): void {
    this.executions.clear();
    for (const e of (state as StoredExecution[]) ?? []) this.executions.set(e.result.executionArn, e);
  }
}
