/**
 * Injected faults are the throttling answers AWS really gives (definitions/aws-errors.ts, the table the ASL
 * retry check uses), and the offline engine names them as Step Functions would.
 */
import { type AwsService, stepFunctionsErrorName, THROTTLING_ERROR } from '../../definitions/aws-errors';
import { SandboxAccount } from '../../local/sandbox/account';
import { failureOf } from '../helpers/faults';

const CALLS: Record<AwsService, [string, Record<string, unknown>]> = {
  dynamodb: ['GetItem', { TableName: 't', Key: { pk: { S: 'x' } } }],
  ec2: ['DescribeSecurityGroups', {}],
  ecr: ['DescribeRepositories', {}],
  ecs: ['DescribeClusters', {}],
  s3: ['GetObject', { Bucket: 'b', Key: 'k' }],
  sns: ['Publish', { TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', Message: 'm' }],
};

describe.each(Object.keys(CALLS) as AwsService[])('%s under injected throttling', (service) => {
  it('fails with the code and HTTP status the service uses for throttling', async () => {
    const account = new SandboxAccount({ faultRate: 1, seed: 1 });
    const [operation, input] = CALLS[service];

    const err = await failureOf(account.call(service, operation, input));

    expect({ name: err.name, status: err.$metadata.httpStatusCode }).toEqual({
      name: THROTTLING_ERROR[service].code,
      status: THROTTLING_ERROR[service].status,
    });
    expect(account.faultsInjected).toBe(1);
  });
});

it('throttling of S3, ECS and EC2 reaches Step Functions as the base exception; DynamoDB as its own name', () => {
  const names = (['s3', 'ecs', 'ec2', 'dynamodb'] as const).map((s) =>
    stepFunctionsErrorName('aws-sdk', s, THROTTLING_ERROR[s].code),
  );
  expect(names).toEqual([
    'S3.S3Exception',
    'Ecs.EcsException',
    'Ec2.Ec2Exception',
    'DynamoDb.ThrottlingException',
  ]);
});
