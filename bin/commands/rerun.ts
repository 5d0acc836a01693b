/** `shield-right rerun`: start a finished execution over, with the same input, as a new execution. */
import { parseArgs } from 'node:util';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { loadIncident } from '../../lambdas/actions/incident-store';
import { awsErrorName } from '../../lambdas/core/errors';
import { CONTAINED_STATUSES } from '../../lambdas/core/incident';
import { executionUrl } from '../../lambdas/core/render';
import { shown, UsageError } from '../cli-support';
import {
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorContext,
  type OperatorDeps,
  OperatorError,
  processIo,
  rerunName,
  withOperator,
} from './operator-context';
import { repeatNote, validateEvent, withForce } from './respond';

export const help = `Usage: shield-right rerun EXECUTION_ARN [--force] [options]

Starts a new execution of the same state machine with the same input, named <name>-rerun-<timestamp>:
for a response that failed (a repeat of a FAILED incident is responded to again) or was refused by a
blast-radius limit whose window has passed. Refuses when the incident is already contained.

Options:
  --force                contain whatever the policy says (see respond --force), even when the incident is
                         already contained or the execution still runs
  --json                 print one JSON document
${OPERATOR_HELP}

Examples:
  shield-right rerun arn:aws:states:us-east-1:111122223333:execution:RuntimeThreatResponse:5ec2a7f4-0001
  shield-right rerun --sandbox ./sandbox arn:aws:states:us-east-1:111122223333:execution:RuntimeThreatResponse:5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7-0001`;

export const EXECUTION_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]+:[^:\s]+$/;
const CONTAINED = new Set<string>(CONTAINED_STATUSES);

export function executionArnArgument(positionals: string[], command: string): string {
  const [arn, ...rest] = positionals;
  if (!arn || rest.length > 0) throw new UsageError(`${command} takes exactly one EXECUTION_ARN`);
  if (!EXECUTION_ARN.test(arn)) throw new UsageError(`${shown(arn)} is not a Step Functions execution ARN`);
  return arn;
}

/** DescribeExecution of one of this deployment's executions; anything else is refused. */
export async function describeOwnExecution(
  ctx: OperatorContext,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  let described: DescribeExecutionCommandOutput;
  try {
    described = await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    if (awsErrorName(err) === 'ExecutionDoesNotExist')
      throw new OperatorError(`execution ${executionArn} does not exist (or is older than 90 days)`);
    throw err;
  }
  const machines = Object.values(ctx.deployment.stateMachines).filter((arn) => arn !== '');
  if (!described.stateMachineArn || !machines.includes(described.stateMachineArn)) {
    throw new OperatorError(
      `${executionArn} belongs to ${described.stateMachineArn ?? 'an unknown state machine'}, not to this shield-right deployment (${machines.join(', ')})`,
    );
  }
  return described;
}

export async function rerun(argv: string[], io: Io = processIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const executionArn = executionArnArgument(positionals, 'rerun');
  return withOperator(values, io, deps, true, async (ctx) => {
    ctx.progress.update('describing the execution…');
    const original = await describeOwnExecution(ctx, executionArn);
    if ((original.status === 'RUNNING' || original.status === 'PENDING_REDRIVE') && !values.force) {
      throw new OperatorError(`${executionArn} is still ${original.status}: wait for it, or pass --force`);
    }
    if (original.input === undefined) throw new OperatorError(`${executionArn} has no recorded input`);
    let event: unknown;
    try {
      event = JSON.parse(original.input);
    } catch {
      throw new OperatorError(`the input of ${executionArn} is not JSON`);
    }
    let note: string | undefined;
    try {
      const { finding } = validateEvent(event);
      ctx.progress.update(`reading incident ${finding.incidentId}…`);
      const incident = await loadIncident(ctx.clients.dynamodb, ctx.deployment.table, finding.incidentId);
      if (incident && CONTAINED.has(incident.status) && !values.force) {
        throw new OperatorError(
          `incident ${finding.incidentId} is already ${incident.status}: nothing started. Release it first ` +
            `(shield-right release ${finding.incidentId}), or pass --force to contain it again.`,
        );
      }
      note = incident ? repeatNote(finding, incident.status) : undefined;
    } catch (err) {
      // An input the workflow rejected is run again as it was: it is rejected (and kept as evidence) again.
      if (!(err instanceof OperatorError) || !err.message.startsWith('the workflow would reject')) throw err;
      note = err.message;
    }
    if (note) ctx.err(`note: ${note}`);
    const name = rerunName(original.name ?? 'execution', ctx.now());
    ctx.progress.update('starting the new execution…');
    const started = await ctx.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: original.stateMachineArn,
        name,
        input:
          values.force && typeof event === 'object' && event !== null && !Array.isArray(event)
            ? JSON.stringify(withForce(event as Record<string, unknown>, true))
            : original.input,
      }),
    );
    const newArn = started.executionArn ?? '';
    // The sandbox runs the execution to its end; on AWS it has only just started.
    const status = ctx.sandbox
      ? (await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn: newArn }))).status
      : 'RUNNING';
    const link = executionUrl(ctx.deployment.region, newArn);
    if (values.json) {
      ctx.out(JSON.stringify({ rerunOf: executionArn, executionArn: newArn, name, status, link }, null, 2));
    } else {
      ctx.out(`Re-ran ${original.name ?? executionArn}: ${status}\n  execution ${newArn}\n  ${link}`);
    }
    return 0;
  });
}
