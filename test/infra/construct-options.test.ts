/**
 * The construct's options as a CDK user passes them (an existing topic and key, VPCs, removal policy,
 * reserved concurrency). Fresh App per test, bundling skipped.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ShieldRight, type ShieldRightProps } from '../../cdk/index';
import { reservedConcurrencyShares } from '../../definitions/concurrency';
import { parseConfig } from '../../definitions/config';
import { FUNCTIONS } from '../../definitions/functions';
import { cdkJsonContext, logicalId, missingSources } from './helpers';

const suite = missingSources().length === 0 ? describe : describe.skip;

function synth(props: (stack: Stack) => ShieldRightProps) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Consumer');
  const shieldRight = new ShieldRight(stack, 'ShieldRight', props(stack));
  return { stack, shieldRight, template: Template.fromStack(stack) };
}

suite('construct options', () => {
  it('reserves no concurrency by default', () => {
    const { template } = synth(() => ({}));

    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const fn of functions) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves the configured total, split among the functions', () => {
    const { template, shieldRight } = synth(() => ({ config: parseConfig({ reservedConcurrency: 60 }) }));

    const shares = reservedConcurrencyShares(60);
    for (const spec of Object.values(FUNCTIONS)) {
      const fn = template.toJSON().Resources[logicalId(shieldRight.functions.functions[spec.id])];
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(shares[spec.id]);
    }
  });

  it('notifies an existing topic and creates none', () => {
    const { template, shieldRight, stack } = synth((s) => ({
      topic: sns.Topic.fromTopicArn(s, 'Existing', 'arn:aws:sns:us-east-1:111122223333:secops'),
    }));

    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(stack.resolve(shieldRight.topic.topicArn)).toBe('arn:aws:sns:us-east-1:111122223333:secops');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:111122223333:secops' }),
        ]),
      },
    });
  });

  it('encrypts with an existing key, adding the statements the services need to its policy', () => {
    const { template, shieldRight, stack } = synth((s) => ({ key: new kms.Key(s, 'TeamKey') }));

    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(stack.resolve(shieldRight.key.keyArn)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^TeamKey/), 'Arn'],
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchLogsEncryptsLogGroups' })]),
      },
    });
  });

  it('creates a quarantine group for the VPCs of the option and of the configuration, once each', () => {
    const { template } = synth(() => ({
      config: parseConfig({ quarantineVpcIds: ['vpc-0aaaaaaaaaaaaaaaa'] }),
      quarantineVpcIds: ['vpc-0bbbbbbbbbbbbbbbb', 'vpc-0aaaaaaaaaaaaaaaa'],
    }));

    template.resourceCountIs('AWS::EC2::SecurityGroup', 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0bbbbbbbbbbbbbbbb' });
  });

  it('retains the stateful resources by default and deletes them when asked', () => {
    const kept = synth(() => ({})).template;
    const destroyed = synth(() => ({ removalPolicy: RemovalPolicy.DESTROY })).template;

    for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      const before = Object.values(kept.findResources(type));
      const after = Object.values(destroyed.findResources(type));
      expect(before.length).toBeGreaterThan(0);
      expect(before.map((r) => r.DeletionPolicy)).toEqual(before.map(() => 'Retain'));
      expect(after.map((r) => r.DeletionPolicy)).toEqual(after.map(() => 'Delete'));
    }
    destroyed.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});
