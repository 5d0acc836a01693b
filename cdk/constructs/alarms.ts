/**
 * Alarms on everything that means a finding was not fully handled: a dead letter, a failed or timed-out
 * execution, a throttled or failing function. Each notifies the same topic as the incidents.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';

export interface ResponseAlarmsProps {
  readonly topic: sns.ITopic;
  readonly deadLetterQueue: sqs.IQueue;
  readonly stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Log groups of the functions that publish notifications: a failed publish is logged, not thrown. */
  readonly notifierLogGroups: readonly logs.ILogGroup[];
}

const PERIOD = Duration.minutes(1);

export class ResponseAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ResponseAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.topic);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `shield-right: ${description}`,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data means nothing happened, which is the healthy state of a responder.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };

    alarm(
      'DeadLetters',
      'findings or failure events EventBridge could not deliver (see the dead-letter queue)',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
    );
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(`${name}Failed`, `${name} executions failed`, machine.metricFailed({ period: PERIOD }));
      alarm(`${name}TimedOut`, `${name} executions timed out`, machine.metricTimedOut({ period: PERIOD }));
    }
    // A notification that could not be published does not fail the containment it reports, so no Lambda
    // error shows it: the publisher logs it, and this alarm counts those lines.
    const notPublished = props.notifierLogGroups.map((group, i) =>
      new logs.MetricFilter(this, `NotPublishedFilter${i}`, {
        logGroup: group,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', NOT_PUBLISHED_MESSAGE),
        metricNamespace: 'shield-right',
        metricName: 'NotificationsNotPublished',
        metricValue: '1',
      }).metric({ period: PERIOD, statistic: 'Sum' }),
    );
    if (notPublished.length > 0) {
      alarm(
        'NotificationsNotPublished',
        'notifications that could not be published to the topic (see the notify logs)',
        new cloudwatch.MathExpression({
          expression: notPublished.map((_, i) => `m${i}`).join(' + '),
          usingMetrics: Object.fromEntries(notPublished.map((m, i) => [`m${i}`, m])),
          period: PERIOD,
        }),
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      const prefix = name.charAt(0).toUpperCase() + name.slice(1);
      alarm(`${prefix}Throttles`, `${name} function throttled`, fn.metricThrottles({ period: PERIOD }));
      alarm(`${prefix}Errors`, `${name} function errors`, fn.metricErrors({ period: PERIOD }));
    }
  }
}
