/**
 * The reconciliation schedule: an EventBridge rule that runs the reconcile function every
 * `reconcile.everyMinutes` (none when 0). EventBridge delivery of findings is best effort; the sweep
 * starts the response to what was missed. The function and its least-privilege role are in
 * ResponseFunctions with the others (definitions/functions.ts, PERMISSIONS.reconcile).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ReconcileConfig } from '../../definitions/config';

export interface ReconciliationProps {
  readonly config: ReconcileConfig;
  readonly reconcile: lambda.IFunction;
}

export class Reconciliation extends Construct {
  /** Undefined when the schedule is off (`reconcile.everyMinutes` 0). */
  readonly schedule?: events.Rule;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    const minutes = props.config.everyMinutes;
    if (minutes <= 0) return;
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `shield-right: reconciliation sweep every ${minutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(minutes)),
      targets: [
        new targets.LambdaFunction(props.reconcile, {
          // A missed sweep is made up by the next one, which starts from the last recorded watermark.
          retryAttempts: 2,
          maxEventAge: Duration.minutes(Math.max(1, Math.min(minutes, 60))),
        }),
      ],
    });
  }
}
