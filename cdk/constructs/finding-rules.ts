/**
 * EventBridge rules on the default bus: findings start the response workflows, and failed executions
 * start the report-failure function. The patterns come from definitions/patterns.ts, the single definition the
 * offline engine matches against too.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ShieldRightConfig } from '../../definitions/config';
import type { WorkflowName } from '../../definitions/functions';
import {
  type EventPattern,
  executionFailurePattern,
  type RuleName,
  ruleDefinitions,
} from '../../definitions/patterns';

/** EventBridge's maximum: a finding is retried for the whole day before it goes to the dead-letter queue. */
export const TARGET_RETRY_ATTEMPTS = 185;
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);

/** The patterns use the event's own field names; CDK's EventPattern spells `detail-type` as `detailType`. */
export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => [key === 'detail-type' ? 'detailType' : key, value]),
  ) as events.EventPattern;
}

export interface FindingRulesProps {
  readonly config: ShieldRightConfig;
  readonly stateMachines: Readonly<Record<WorkflowName, sfn.IStateMachine>>;
  readonly reportFailure: lambda.IFunction;
  readonly key: kms.IKey;
}

export class FindingRules extends Construct {
  readonly rules: Readonly<Record<RuleName, events.Rule>>;
  readonly executionFailureRule: events.Rule;
  /** Events EventBridge could not deliver after every retry. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FindingRulesProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // SQS's maximum: time to redrive the findings by hand after an outage.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the EventBridge rule targets; it needs no DLQ of its own.',
    });
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
    };
    const account = Stack.of(this).account;

    const rules = {} as Record<RuleName, events.Rule>;
    for (const definition of ruleDefinitions(props.config)) {
      // One role per rule: each may start its own workflow and nothing else.
      const role = new iam.Role(this, `${definition.name}Role`, {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
        description: `shield-right: ${definition.name} starts ${definition.target}`,
      });
      rules[definition.name] = new events.Rule(this, definition.name, {
        description: `shield-right: ${definition.description}`,
        eventPattern: toCdkPattern(definition.pattern),
        targets: [new targets.SfnStateMachine(props.stateMachines[definition.target], { role, ...delivery })],
      });
    }
    this.rules = rules;

    this.executionFailureRule = new events.Rule(this, 'ExecutionFailureRule', {
      description: 'shield-right: failed, timed out or aborted response executions',
      eventPattern: toCdkPattern(
        executionFailurePattern(Object.values(props.stateMachines).map((m) => m.stateMachineArn)),
      ),
      targets: [new targets.LambdaFunction(props.reportFailure, delivery)],
    });
  }
}
