/**
 * The notification topic: the notify and report-failure functions and the alarms publish to it; email
 * subscribers may filter by severity, and a Slack channel can follow it through Amazon Q Developer in
 * chat applications (AWS Chatbot).
 */
import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SlackConfig, SubscriptionConfig } from '../../definitions/config';

/** Message attribute the notify function sets to the GuardDuty severity (0-10), for filter policies. */
export const SEVERITY_ATTRIBUTE = 'severity';

export interface NotificationsProps {
  readonly key: kms.IKey;
  readonly emails: readonly SubscriptionConfig[];
  readonly slack?: SlackConfig;
  /** A topic of the app's own instead of a new one (see ShieldRightProps.topic). */
  readonly topic?: sns.ITopic;
}

export class Notifications extends Construct {
  readonly topic: sns.ITopic;
  readonly slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic =
      props.topic ??
      new sns.Topic(this, 'Topic', {
        displayName: 'shield-right',
        masterKey: props.key,
        enforceSSL: true,
      });
    // The topic policy replaces SNS's default one: CloudWatch alarms of this account must be allowed back in.
    // (A no-op on an imported topic, whose policy is its owner's.)
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );

    for (const subscription of props.emails) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(subscription.email, {
          ...(subscription.minimumSeverity === undefined
            ? {}
            : {
                filterPolicy: {
                  [SEVERITY_ATTRIBUTE]: sns.SubscriptionFilter.numericFilter({
                    greaterThanOrEqualTo: subscription.minimumSeverity,
                  }),
                },
              }),
        }),
      );
    }

    if (props.slack) {
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName: `${stack.stackName}-shield-right`.slice(0, 128),
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        // Channel members may look, never act, through the chat integration.
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      });
    }
  }
}
