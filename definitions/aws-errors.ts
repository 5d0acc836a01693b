/**
 * The names AWS errors carry inside Step Functions, from one table shared by the ASL retry test, the offline
 * engine (which names a sandbox error the way Step Functions would) and the sandbox's fault injection.
 * Sources are cited in docs/aws-behaviours.md (rows "error names").
 */
import modelled from './aws-modelled-errors.json';

/** Services that the workflows call through a Step Functions integration, or that the sandbox throttles. */
export type AwsService = 'dynamodb' | 'ec2' | 'ecr' | 'ecs' | 's3' | 'sns';

/** How a Task state reaches a service: `arn:<partition>:states:::aws-sdk:…` or an optimized integration. */
export type Integration = 'aws-sdk' | 'optimized';

/** The "exception prefix" column of the developer guide's AWS SDK integrations table. */
const SDK_PREFIX: Record<AwsService, string> = {
  dynamodb: 'DynamoDb',
  ec2: 'Ec2',
  ecr: 'Ecr',
  ecs: 'Ecs',
  s3: 'S3',
  sns: 'Sns',
};

/**
 * Optimized integrations name errors after the AWS SDK for Java v1 classes: modelled ones `DynamoDB.<Name>`,
 * the rest by the client's base exception (recorded on AWS as `DynamoDB.AmazonDynamoDBException`).
 */
const OPTIMIZED: Partial<Record<AwsService, { readonly prefix: string; readonly base: string }>> = {
  dynamodb: { prefix: 'DynamoDB', base: 'AmazonDynamoDBException' },
  sns: { prefix: 'SNS', base: 'AmazonSNSException' },
};

/**
 * The error code each service answers a throttled request with, and its HTTP status (each service's API
 * reference, "common errors"). The sandbox injects exactly these.
 */
export const THROTTLING_ERROR: Record<AwsService, { readonly code: string; readonly status: number }> = {
  dynamodb: { code: 'ThrottlingException', status: 400 },
  ec2: { code: 'RequestLimitExceeded', status: 503 },
  ecr: { code: 'ThrottlingException', status: 400 },
  ecs: { code: 'ThrottlingException', status: 400 },
  s3: { code: 'SlowDown', status: 503 },
  sns: { code: 'ThrottlingException', status: 400 },
};

/**
 * `TransactWriteItems` cancellation reasons (botocore dynamodb `TransactionCanceledException` documentation),
 * one per item in request order, `None` for an item that did not cause the cancellation. The transient ones
 * are worth claiming again: another transaction held an item, or the table throttled (`ThrottlingError` on
 * on-demand tables, `ProvisionedThroughputExceeded` on provisioned ones).
 */
export const CANCELLATION_REASONS = {
  none: 'None',
  conditionFailed: 'ConditionalCheckFailed',
  conflict: 'TransactionConflict',
  throttled: 'ThrottlingError',
  provisionedThroughput: 'ProvisionedThroughputExceeded',
  validation: 'ValidationError',
} as const;
export const TRANSIENT_CANCELLATION_REASONS: readonly string[] = [
  CANCELLATION_REASONS.conflict,
  CANCELLATION_REASONS.throttled,
  CANCELLATION_REASONS.provisionedThroughput,
];

/**
 * The message DynamoDB gives a cancelled transaction: the reason codes in item order between brackets,
 * as recorded from DynamoDB in public reports (docs/aws-behaviours.md, row E7). Step Functions passes only
 * this text (in `Cause`) to the state machine, so the workflows read the reasons from it.
 */
export function cancellationMessage(codes: readonly string[]): string {
  return `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;
}

/**
 * S3 answers a conditional write (`If-None-Match`/`If-Match`) that races another write to the same key with
 * 409 `ConditionalRequestConflict` ("retry the request"); the model declares neither it nor 412
 * `PreconditionFailed`, so Step Functions names both `S3.S3Exception`.
 */
export const CONDITIONAL_WRITE_CONFLICT = { code: 'ConditionalRequestConflict', status: 409 } as const;
export const CONDITIONAL_WRITE_FAILED = { code: 'PreconditionFailed', status: 412 } as const;

const MODELLED: Record<AwsService, ReadonlySet<string>> = {
  dynamodb: new Set(modelled.services.dynamodb.errors),
  ec2: new Set(modelled.services.ec2.errors),
  ecr: new Set(modelled.services.ecr.errors),
  ecs: new Set(modelled.services.ecs.errors),
  s3: new Set(modelled.services.s3.errors),
  sns: new Set(modelled.services.sns.errors),
};

export function isAwsService(value: string): value is AwsService {
  return Object.hasOwn(SDK_PREFIX, value);
}

/** Whether the service's published model declares this error (so the SDK has a class for it). */
export function isModelledError(service: AwsService, code: string): boolean {
  return MODELLED[service].has(code);
}

const withSuffix = (code: string): string => (code.endsWith('Exception') ? code : `${code}Exception`);

/**
 * The `Error` a Task state sees when the service answers with `code`: `<Prefix>.<Code>` with an `Exception`
 * suffix for errors the model declares, the service's base exception for any other (S3 SlowDown, ECS
 * throttling, every EC2 error).
 */
export function stepFunctionsErrorName(integration: Integration, service: AwsService, code: string): string {
  const optimized = integration === 'optimized' ? OPTIMIZED[service] : undefined;
  if (integration === 'optimized' && !optimized) {
    throw new Error(`Step Functions has no optimized integration for ${service} in this table`);
  }
  const prefix = optimized?.prefix ?? SDK_PREFIX[service];
  if (isModelledError(service, code)) return `${prefix}.${withSuffix(code)}`;
  return `${prefix}.${optimized?.base ?? `${SDK_PREFIX[service]}Exception`}`;
}
