/**
 * What the reconciliation function is given: the scheduled event (only its `time` is read) and the state
 * machines it may start. Apart from lambdas/core/schemas.ts so that the workflow steps' bundles do not
 * build them.
 */
import * as v from 'valibot';
import { ConfigurationError } from '../errors';

const ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

export class InvalidSweepEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSweepEventError';
  }
}

/** A scheduled EventBridge rule event (`time`), or `{}`/`{ time }` from `shield-right reconcile`. */
const ReconcileEventSchema = v.nullish(
  v.looseObject({ time: v.optional(v.pipe(v.string(), v.isoTimestamp())) }),
);

const StateMachineArnsSchema = v.object({
  RuntimeThreatResponse: v.pipe(v.string(), v.regex(ARN)),
  VulnerableImageResponse: v.pipe(v.string(), v.regex(ARN)),
});

/** The sweep's clock: the schedule's `time` when given (the offline sandbox's clock), else now. */
export function sweepTime(event: unknown, fallback: number): number {
  const result = v.safeParse(ReconcileEventSchema, event);
  if (!result.success) {
    throw new InvalidSweepEventError(`not a scheduled event: ${result.issues[0].message}`);
  }
  const time = result.output?.time;
  // Never later than now: a caller's future `time` would move the watermark past findings not yet swept.
  return time === undefined ? fallback : Math.min(Date.parse(time), fallback);
}

export function parseStateMachineArns(raw: string): v.InferOutput<typeof StateMachineArnsSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError('STATE_MACHINE_ARNS is not JSON');
  }
  const result = v.safeParse(StateMachineArnsSchema, parsed);
  if (!result.success) {
    throw new ConfigurationError(`STATE_MACHINE_ARNS is invalid: ${result.issues[0].message}`);
  }
  return result.output;
}
