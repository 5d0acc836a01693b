/**
 * How configuration shapes the stack. Each test synthesizes a fresh App and stack with CDK bundling
 * skipped (the bundled, nag-checked stack is covered by shield-right.test.ts).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, policyEnvironment, type ShieldRightConfig } from '../../definitions/config';
import { FUNCTIONS, WORKFLOWS } from '../../definitions/functions';
import { ruleDefinitions } from '../../definitions/patterns';
import { logicalId, missingSources, ref, synthesize } from './helpers';

const missing = missingSources();
const suite = missing.length === 0 ? describe : describe.skip;

const withConfig = (overrides: Partial<ShieldRightConfig>) =>
  synthesize({ config: { ...DEFAULT_CONFIG, ...overrides } });

suite('configuration', () => {
  it('puts the configured severity floors into the rule patterns', () => {
    const config: ShieldRightConfig = {
      ...DEFAULT_CONFIG,
      minimumSeverity: 4,
      inspector: { ...DEFAULT_CONFIG.inspector, minimumSeverity: 'CRITICAL' },
    };
    const { template } = synthesize({ config });
    for (const definition of ruleDefinitions(config)) {
      // Compared as JSON: Match cannot describe the `null` a pattern may hold.
      const patterns = Object.values(template.findResources('AWS::Events::Rule')).map(
        (rule) => rule.Properties.EventPattern,
      );
      expect(patterns).toContainEqual(definition.pattern);
    }
    const runtime = Object.values(template.findResources('AWS::Events::Rule')).find(
      (rule) => rule.Properties.EventPattern.source?.[0] === 'aws.guardduty',
    );
    expect(runtime?.Properties.EventPattern.detail.$or[0].severity).toEqual([{ numeric: ['>=', 4] }]);
  });

  it('passes the response policy to the functions that read it', () => {
    const config: ShieldRightConfig = { ...DEFAULT_CONFIG, mode: 'observe', protectedClusters: ['prod'] };
    const { template, shieldRight } = synthesize({ config });
    for (const spec of Object.values(FUNCTIONS)) {
      const variables =
        template.toJSON().Resources[logicalId(shieldRight.functions.functions[spec.id])].Properties
          .Environment.Variables;
      if (spec.env.includes('SHIELD_RIGHT_POLICY')) {
        expect(variables.SHIELD_RIGHT_POLICY).toBe(policyEnvironment(config).SHIELD_RIGHT_POLICY);
      } else {
        expect(variables.SHIELD_RIGHT_POLICY).toBeUndefined();
      }
    }
    const validate = template.toJSON().Resources[logicalId(shieldRight.functions.functions.validate)];
    expect(validate.Properties.Environment.Variables.ALLOWED_ACCOUNTS).toBe('');
  });

  it('subscribes each email, filtering by severity where a minimum is set', () => {
    const { template } = withConfig({
      notificationEmails: [{ email: 'soc@example.com', minimumSeverity: 7 }, { email: 'audit@example.com' }],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'soc@example.com',
      FilterPolicy: { severity: [{ numeric: ['>=', 7] }] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'audit@example.com',
      FilterPolicy: Match.absent(),
    });
  });

  it('has no Slack channel unless configured, and a read-only one when it is', () => {
    withConfig({}).template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    const { template, shieldRight } = withConfig({
      slack: { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' },
    });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [ref(shieldRight.topic)],
      GuardrailPolicies: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/ReadOnlyAccess'])] }),
      ],
    });
  });

  it('creates a closed quarantine group per VPC and tells isolate about them', () => {
    const { template, shieldRight } = withConfig({
      quarantineVpcIds: ['vpc-0123456789abcdef0', 'vpc-0fedcba9876543210'],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 2);
    for (const vpcId of ['vpc-0123456789abcdef0', 'vpc-0fedcba9876543210']) {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        VpcId: vpcId,
        SecurityGroupIngress: Match.absent(),
        // The only egress rule matches nothing (it replaces CloudFormation's default allow-all rule).
        SecurityGroupEgress: [
          {
            IpProtocol: 'icmp',
            CidrIp: '255.255.255.255/32',
            FromPort: 252,
            ToPort: 86,
            Description: 'Disallow all traffic',
          },
        ],
      });
    }
    const isolate = template.toJSON().Resources[logicalId(shieldRight.functions.functions.isolate)];
    const groups = JSON.stringify(isolate.Properties.Environment.Variables.QUARANTINE_SECURITY_GROUPS);
    expect(groups).toContain('vpc-0123456789abcdef0');
    expect(groups).toContain('vpc-0fedcba9876543210');
    expect(groups).toContain('GroupId');
  });

  it('archives evidence after the configured days and expires old versions after a year', () => {
    const { template, shieldRight } = withConfig({ evidenceTransitionDays: 45 });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 45 }],
              NoncurrentVersionExpiration: { NoncurrentDays: 365 },
            }),
          ],
        },
      }),
    });
    expect(logicalId(shieldRight.bucket)).toMatch(/Evidence/);
  });

  it('keeps incidents in an on-demand, recoverable table with TTL and a by-time index', () => {
    const { template } = withConfig({});
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byEntity',
            KeySchema: [
              { AttributeName: 'entity', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
          }),
        ],
      }),
    });
  });

  it('alarms on dead letters, failed and timed-out executions, throttles, errors and unpublished notifications', () => {
    const { template, shieldRight } = withConfig({});
    const functionCount = Object.keys(FUNCTIONS).length;
    const workflowCount = Object.keys(WORKFLOWS).length;
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1 + 2 * workflowCount + 2 * functionCount + 1);
    // The notify and reportFailure logs feed the unpublished-notification alarm.
    template.resourceCountIs('AWS::Logs::MetricFilter', 2);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "notification not published" }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'NotificationsNotPublished', MetricValue: '1' }),
      ],
    });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [ref(shieldRight.topic)],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(shieldRight.findingRules.deadLetterQueue), 'QueueName'] },
        },
      ],
    });
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: [
          { Name: 'StateMachineArn', Value: ref(shieldRight.stateMachines.RuntimeThreatResponse) },
        ],
      });
    }
    for (const metric of ['Throttles', 'Errors']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: ref(shieldRight.functions.functions.isolate) }],
      });
    }
  });

  it('lets CloudWatch alarms publish to the encrypted topic', () => {
    const { template } = withConfig({});
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          // arrayWith matches in order: the key policy's statement order.
          Match.objectLike({ Sid: 'CloudWatchLogsEncryptsLogGroups' }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsPublishToTopic',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
          Match.objectLike({
            Sid: 'EventBridgeWritesDeadLetters',
            Principal: { Service: 'events.amazonaws.com' },
          }),
        ]),
      },
    });
  });
});
