/**
 * shield-right wired together: the constructs own their concerns, this only connects them and names
 * the outputs the operator CLI discovers the deployment by.
 */
import { CfnOutput, CfnResource, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../definitions/config';
import type { WorkflowName } from '../definitions/functions';
import { ResponseAlarms } from './constructs/alarms';
import { Encryption } from './constructs/encryption';
import { EvidenceBucket } from './constructs/evidence-bucket';
import { FindingRules } from './constructs/finding-rules';
import { IncidentStore } from './constructs/incident-store';
import { Notifications } from './constructs/notifications';
import { OperatorRole } from './constructs/operator-role';
import { QuarantineNetwork } from './constructs/quarantine-network';
import { Reconciliation } from './constructs/reconciliation';
import { ResponseFunctions } from './constructs/response-functions';
import { ResponseWorkflows, stateMachineNames } from './constructs/response-workflows';

/** Output ids the operator CLI reads (`aws cloudformation describe-stacks`); renaming one breaks it. */
export const OUTPUT_IDS = {
  RuntimeThreatResponse: 'RuntimeThreatResponseArn',
  VulnerableImageResponse: 'VulnerableImageResponseArn',
  ImagePushCheck: 'ImagePushCheckArn',
  ImageTrustResponse: 'ImageTrustResponseArn',
  IncidentTable: 'IncidentTableName',
  EvidenceBucket: 'EvidenceBucketName',
  Topic: 'TopicArn',
} as const;

export interface ShieldRightProps {
  /**
   * Validated configuration (`parseConfig`, the same object as the `shield-right` context of cdk.json);
   * the defaults when omitted. `reservedConcurrency` sizes the functions' reserved concurrency (0: none).
   */
  readonly config?: ShieldRightConfig;
  /**
   * An existing topic to notify instead of a new one. The functions are granted `sns:Publish` on it and
   * KMS use through SNS of `key`: if the topic is encrypted with another key, grant that yourself. An
   * imported topic's policy is not changed: allow `cloudwatch.amazonaws.com` to publish for the alarms.
   * @default a new topic encrypted with `key`
   */
  readonly topic?: sns.ITopic;
  /**
   * An existing customer-managed KMS key for the table, evidence bucket, topic, queues and log groups.
   * A `kms.Key` of this app gets the statements CloudWatch Logs, CloudWatch alarms and EventBridge need;
   * an imported key's policy must already allow them (see cdk/constructs/encryption.ts).
   * @default a new key with rotation, retained on stack deletion
   */
  readonly key?: kms.IKey;
  /**
   * VPCs that get a quarantine security group (EC2 container-instance isolation), added to the
   * configuration's `quarantineVpcIds`. Ids, not lookups: synth needs no credentials.
   * @default the configuration's `quarantineVpcIds`
   */
  readonly quarantineVpcIds?: readonly string[];
  /**
   * What happens to the stateful resources (key, incident table, evidence and access-log buckets, log
   * groups) when they leave the stack. `DESTROY` also lifts the table's deletion protection; a bucket
   * that still holds evidence fails to delete and must be emptied first.
   * @default RemovalPolicy.RETAIN: the evidence and incident history outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class ShieldRight extends Construct {
  readonly config: ShieldRightConfig;
  readonly key: kms.IKey;
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly topic: sns.ITopic;
  readonly functions: ResponseFunctions;
  readonly workflows: ResponseWorkflows;
  readonly stateMachines: Readonly<Record<WorkflowName, sfn.StateMachine>>;
  readonly findingRules: FindingRules;
  readonly rules: readonly events.Rule[];
  readonly quarantineNetwork: QuarantineNetwork;
  readonly alarms: ResponseAlarms;
  readonly reconciliation: Reconciliation;

  constructor(scope: Construct, id: string, props: ShieldRightProps = {}) {
    super(scope, id);
    const config = props.config ?? DEFAULT_CONFIG;
    this.config = config;
    const key = new Encryption(this, 'Encryption', {
      alias: `alias/${Stack.of(this).stackName}`,
      ...(props.key ? { key: props.key } : {}),
    }).key;
    this.key = key;
    this.table = new IncidentStore(this, 'IncidentStore', { key }).table;
    this.bucket = new EvidenceBucket(this, 'Evidence', {
      key,
      transitionDays: config.evidenceTransitionDays,
    }).bucket;
    this.topic = new Notifications(this, 'Notifications', {
      key,
      emails: config.notificationEmails,
      ...(config.slack ? { slack: config.slack } : {}),
      ...(props.topic ? { topic: props.topic } : {}),
    }).topic;
    this.quarantineNetwork = new QuarantineNetwork(this, 'QuarantineNetwork', {
      vpcIds: [...config.quarantineVpcIds, ...(props.quarantineVpcIds ?? [])],
    });

    const names = stateMachineNames(Stack.of(this).stackName);
    this.functions = new ResponseFunctions(this, 'Functions', {
      config,
      table: this.table,
      bucket: this.bucket,
      topic: this.topic,
      key,
      quarantineGroups: this.quarantineNetwork.groupIds,
      stateMachineNames: names,
    });
    this.workflows = new ResponseWorkflows(this, 'Workflows', {
      names,
      functions: this.functions.functions,
      functionArns: this.functions.arnSubstitutions(),
      table: this.table,
      bucket: this.bucket,
      key,
      config,
    });
    this.stateMachines = this.workflows.stateMachines;
    this.findingRules = new FindingRules(this, 'Rules', {
      config,
      stateMachines: this.stateMachines,
      reportFailure: this.functions.functions.reportFailure,
      key,
    });
    this.rules = [...Object.values(this.findingRules.rules), this.findingRules.executionFailureRule];
    this.alarms = new ResponseAlarms(this, 'Alarms', {
      topic: this.topic,
      deadLetterQueue: this.findingRules.deadLetterQueue,
      stateMachines: this.stateMachines,
      functions: this.functions.functions,
      notifierLogGroups: [this.functions.logGroups.notify, this.functions.logGroups.reportFailure],
    });

    this.reconciliation = new Reconciliation(this, 'Reconciliation', {
      config: config.reconcile,
      reconcile: this.functions.functions.reconcile,
    });

    this.output(OUTPUT_IDS.RuntimeThreatResponse, this.stateMachines.RuntimeThreatResponse.stateMachineArn);
    this.output(
      OUTPUT_IDS.VulnerableImageResponse,
      this.stateMachines.VulnerableImageResponse.stateMachineArn,
    );
    this.output(OUTPUT_IDS.ImagePushCheck, this.stateMachines.ImagePushCheck.stateMachineArn);
    this.output(OUTPUT_IDS.ImageTrustResponse, this.stateMachines.ImageTrustResponse.stateMachineArn);
    this.output(OUTPUT_IDS.IncidentTable, this.table.tableName);
    this.output(OUTPUT_IDS.EvidenceBucket, this.bucket.bucketName);
    this.output(OUTPUT_IDS.Topic, this.topic.topicArn);
    // Organization mode: the role `shield-right release` assumes to undo a containment in a member account.
    if (config.memberAccountRoleName) {
      const operator = new OperatorRole(this, 'Operator', {
        config,
        memberRoleName: config.memberAccountRoleName,
      });
      this.output('OperatorRoleArn', operator.role.roleArn);
    }
    if (props.removalPolicy !== undefined) this.applyRemovalPolicy(props.removalPolicy);
  }

  /** Every resource of this construct that CloudFormation would retain gets the policy asked for. */
  private applyRemovalPolicy(policy: RemovalPolicy): void {
    for (const child of this.node.findAll()) {
      if (!(child instanceof CfnResource) || child.cfnOptions.deletionPolicy === undefined) continue;
      child.applyRemovalPolicy(policy);
      if (child instanceof dynamodb.CfnTable && policy === RemovalPolicy.DESTROY) {
        child.deletionProtectionEnabled = false;
      }
    }
  }

  /** An output whose logical id is exactly `id`, wherever this construct sits in the tree. */
  private output(id: string, value: string): void {
    new CfnOutput(this, id, { value }).overrideLogicalId(id);
  }
}

export interface ShieldRightStackProps extends StackProps, ShieldRightProps {}

export class ShieldRightStack extends Stack {
  readonly shieldRight: ShieldRight;

  constructor(scope: Construct, id: string, props: ShieldRightStackProps = {}) {
    super(scope, id, {
      description: 'shield-right: automatic response to container threats on Amazon ECS',
      ...props,
    });
    this.shieldRight = new ShieldRight(this, 'ShieldRight', props);
  }
}
