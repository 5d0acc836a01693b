/**
 * The customer-managed key of shield-right: incident records, evidence, notifications, dead letters and
 * logs all hold finding data (attacker-controlled command lines, image names), so all are encrypted
 * under one key the account controls and can audit in CloudTrail.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionProps {
  /** Alias of the key, e.g. `alias/shield-right`. */
  readonly alias?: string;
  /**
   * A key of the app's own instead of a new one. The statements below are added to its policy when it is
   * a `kms.Key` of this app; an imported key's policy must already allow them.
   */
  readonly key?: kms.IKey;
}

export class Encryption extends Construct {
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EncryptionProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key =
      props.key ??
      new kms.Key(this, 'Key', {
        description: 'shield-right: incidents, evidence, notifications, dead letters and logs',
        enableKeyRotation: true,
        // Deleting the key would make retained evidence and incident records unreadable.
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
        ...(props.alias ? { alias: props.alias } : {}),
      });

    // CloudWatch Logs encrypts the function and state machine log groups of this account and region only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // EventBridge writes undeliverable findings to the encrypted dead-letter queue. The rule ARNs cannot be
    // named here (the rules depend on the queue, which depends on this key), so the account's rules are.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeWritesDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*`,
          },
        },
      }),
    );
  }
}
