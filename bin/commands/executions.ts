/** `shield-right executions`: recent executions of both response workflows, newest first. */
import { parseArgs } from 'node:util';
import { type ExecutionListItem, type ExecutionStatus, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../../definitions/functions';
import { executionUrl } from '../../lambdas/core/render';
import { shown, UsageError } from '../cli-support';
import {
  allPages,
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorDeps,
  parseSince,
  processIo,
  withOperator,
} from './operator-context';

const STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];

export const help = `Usage: shield-right executions [--since 24h] [--status FAILED] [--json] [options]

Lists the executions of both response workflows started since a time, newest first. A FAILED one can be
redriven (shield-right redrive ARN) or started over (shield-right rerun ARN).

Options:
  --since WHEN           30m, 24h, 7d, 2w or an ISO date (default 24h)
  --status STATUS        ${STATUSES.join(', ')}
  --json                 print one JSON document
${OPERATOR_HELP}

Examples:
  shield-right executions --status FAILED
  shield-right executions --since 7d --json`;

const PAGE_SIZE = 100;

export async function executions(
  argv: string[],
  io: Io = processIo,
  deps: OperatorDeps = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      since: { type: 'string', default: '24h' },
      status: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${shown(positionals[0] ?? '')}`);
  const status = values.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status as ExecutionStatus)) {
    throw new UsageError(`--status takes ${STATUSES.join(', ')}, got ${shown(values.status ?? '')}`);
  }
  const sinceText = values.since;
  return withOperator(values, io, deps, false, async (ctx) => {
    const since = parseSince(sinceText, ctx.now());
    const recent = (e: ExecutionListItem) => (e.startDate ? new Date(e.startDate).getTime() >= since : false);
    const found: { workflow: WorkflowName; execution: ExecutionListItem }[] = [];
    for (const [workflow, stateMachineArn] of Object.entries(ctx.deployment.stateMachines) as [
      WorkflowName,
      string,
    ][]) {
      // A stack deployed before a workflow existed has no output for it.
      if (!stateMachineArn) continue;
      const listed = await allPages(
        (nextToken) =>
          ctx.clients.sfn.send(
            new ListExecutionsCommand({
              stateMachineArn,
              maxResults: PAGE_SIZE,
              ...(status ? { statusFilter: status as ExecutionStatus } : {}),
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        (page) => ({ items: page.executions ?? [], next: page.nextToken }),
        (count) => ctx.progress.update(`listing ${workflow} executions… ${count}`),
        // Listed newest first: once a page reaches past the window, later pages are older still.
        (page) => page.some((e) => !recent(e)),
      );
      for (const execution of listed.filter(recent)) found.push({ workflow, execution });
    }
    found.sort(
      (a, b) =>
        new Date(b.execution.startDate ?? 0).getTime() - new Date(a.execution.startDate ?? 0).getTime(),
    );
    const counts: Record<string, number> = {};
    for (const { execution } of found)
      counts[execution.status ?? 'UNKNOWN'] = (counts[execution.status ?? 'UNKNOWN'] ?? 0) + 1;
    const region = ctx.deployment.region;
    if (values.json) {
      ctx.out(
        JSON.stringify(
          {
            since: new Date(since).toISOString(),
            status: status ?? null,
            count: found.length,
            counts,
            executions: found.map(({ workflow, execution: e }) => ({
              workflow,
              executionArn: e.executionArn,
              name: e.name,
              status: e.status,
              startDate: e.startDate ? new Date(e.startDate).toISOString() : null,
              stopDate: e.stopDate ? new Date(e.stopDate).toISOString() : null,
              redriveCount: e.redriveCount ?? 0,
              link: e.executionArn ? executionUrl(region, e.executionArn) : null,
            })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const summary = Object.entries(counts)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    ctx.out(
      [
        ...found.map(({ workflow, execution: e }) =>
          [
            e.startDate ? new Date(e.startDate).toISOString().replace(/\.\d+Z$/, 'Z') : '-',
            (e.status ?? 'UNKNOWN').padEnd(15),
            workflow.padEnd(23),
            e.executionArn ?? '',
            ...(e.redriveCount ? [`(redriven ${e.redriveCount}×)`] : []),
          ].join(' '),
        ),
        `${found.length} execution(s) since ${new Date(since).toISOString()}${summary ? `: ${summary}` : ''}`,
      ].join('\n'),
    );
    return 0;
  });
}
