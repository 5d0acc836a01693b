/** `shield-right redrive`: resume a failed execution from the step that failed (Step Functions redrive). */
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { awsErrorName, errorMessage } from '../../lambdas/core/errors';
import { executionUrl } from '../../lambdas/core/render';
import {
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorDeps,
  OperatorError,
  processIo,
  withOperator,
} from './operator-context';
import { describeOwnExecution, executionArnArgument } from './rerun';

export const help = `Usage: shield-right redrive EXECUTION_ARN [options]

Resumes a FAILED, ABORTED or TIMED_OUT execution from the step that failed, keeping what the steps before
it did (Step Functions redrive, possible within 14 days of the end of the execution). To start over
instead, use shield-right rerun.

Options:
  --json                 print one JSON document
${OPERATOR_HELP}

Example:
  shield-right redrive arn:aws:states:us-east-1:111122223333:execution:RuntimeThreatResponse:5ec2a7f4-0001`;

const RERUN_HINT = 'to start the response over instead: shield-right rerun';

export async function redrive(argv: string[], io: Io = processIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...OPERATOR_OPTIONS, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const executionArn = executionArnArgument(positionals, 'redrive');
  return withOperator(values, io, deps, true, async (ctx) => {
    ctx.progress.update('describing the execution…');
    const before = await describeOwnExecution(ctx, executionArn);
    const status = before.status ?? 'UNKNOWN';
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
      throw new OperatorError(`${executionArn} is ${status}: there is nothing to redrive yet`);
    }
    if (status === 'SUCCEEDED') {
      throw new OperatorError(
        `${executionArn} SUCCEEDED: there is nothing to redrive (${RERUN_HINT} ${executionArn})`,
      );
    }
    if (before.redriveStatus === 'NOT_REDRIVABLE') {
      throw new OperatorError(
        `${executionArn} (${status}) cannot be redriven: ${before.redriveStatusReason ?? 'Step Functions says it is not redrivable'} (${RERUN_HINT} ${executionArn})`,
      );
    }
    ctx.progress.update('redriving…');
    try {
      await ctx.clients.sfn.send(new RedriveExecutionCommand({ executionArn }));
    } catch (err) {
      if (awsErrorName(err) === 'ExecutionNotRedrivable') {
        throw new OperatorError(
          `${executionArn} cannot be redriven: ${errorMessage(err)} (${RERUN_HINT} ${executionArn})`,
        );
      }
      throw err;
    }
    // Offline the redrive has run to its end; on AWS it is running again.
    const after = await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const link = executionUrl(ctx.deployment.region, executionArn);
    if (values.json) {
      ctx.out(
        JSON.stringify(
          {
            executionArn,
            previousStatus: status,
            status: after.status,
            redriveCount: after.redriveCount ?? null,
            link,
          },
          null,
          2,
        ),
      );
    } else {
      ctx.out(
        `Redrove ${executionArn} (was ${status}): now ${after.status ?? 'UNKNOWN'}, redrive #${after.redriveCount ?? '?'}\n  ${link}`,
      );
    }
    return 0;
  });
}
