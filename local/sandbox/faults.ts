/**
 * The faults the sandbox injects (`simulate --inject-faults RATE --seed N`): the errors AWS answers a
 * healthy request with under load, from the shared table in definitions/aws-errors.ts. Every service
 * throttles; a transaction is also cancelled because another one held an item or the on-demand table
 * throttled it; a conditional S3 write also meets a concurrent write to its key (409).
 */
import {
  CANCELLATION_REASONS,
  CONDITIONAL_WRITE_CONFLICT,
  isAwsService,
  THROTTLING_ERROR,
} from '../../definitions/aws-errors';
import { CONFLICT_REASON, transactionCanceled } from './dynamodb/transactions';
import { AwsError, type ServiceName } from './types';

/** The throttling error each service really returns (one table with the ASL retry check), so SDK and ASL retries are exercised as on AWS. */
function throttled(service: ServiceName): AwsError {
  const { code, status } = isAwsService(service)
    ? THROTTLING_ERROR[service]
    : { code: 'ThrottlingException', status: 400 };
  return new AwsError(code, 'Rate exceeded (injected fault)', { statusCode: status });
}

/** One item of the transaction (drawn) carries the reason; the others `None`, as DynamoDB lists them. */
function cancelled(items: number, reason: 'conflict' | 'throttled', random: () => number): AwsError {
  const culprit = Math.floor(random() * items);
  return transactionCanceled(
    Array.from({ length: items }, (_, i) => {
      if (i !== culprit) return { Code: CANCELLATION_REASONS.none };
      return reason === 'conflict'
        ? CONFLICT_REASON
        : {
            Code: CANCELLATION_REASONS.throttled,
            Message: 'Throughput exceeds the current capacity of your table',
          };
    }),
  );
}

/** The error an injected fault answers this call with; `random` is the account's seeded generator. */
export function injectedFault(
  service: ServiceName,
  operation: string,
  input: Record<string, unknown>,
  random: () => number,
): AwsError {
  if (service === 'dynamodb' && operation === 'TransactWriteItems') {
    const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 0;
    const draw = random();
    if (items > 0 && draw < 2 / 3) return cancelled(items, draw < 1 / 3 ? 'conflict' : 'throttled', random);
  }
  const conditional = input.IfNoneMatch !== undefined || input.IfMatch !== undefined;
  if (service === 's3' && operation === 'PutObject' && conditional && random() < 0.5) {
    return new AwsError(
      CONDITIONAL_WRITE_CONFLICT.code,
      'A conflicting operation occurred. If using PutObject you can retry the request. (injected fault)',
      { statusCode: CONDITIONAL_WRITE_CONFLICT.status },
    );
  }
  return throttled(service);
}
