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
import { seededRandom } from './random';
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

/** FNV-1a over a string, 32 bits: spreads a call's identity into a seed. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The seeded generator for one call, keyed by the call's identity instead of its arrival order: the run's
 * seed, the event it belongs to (the order the account first saw each recorded call log), the workflow state
 * that made it, the operation, its input, and how many identical calls that state of that event made before
 * it (the attempt). Two concurrent calls (Parallel branches) draw the same numbers whichever arrives first,
 * so a transport with another `await` structure (answering below the SDK middleware) meets the same faults.
 */
export function keyedRandom(seed: number, identity: string): () => number {
  return seededRandom(fnv1a(identity, fnv1a(String(seed))));
}

/** Counts identical calls per event and state, so each attempt of a call has its own identity. */
export class FaultKeys {
  private readonly ordinals = new WeakMap<object, { ordinal: number; attempts: Map<string, number> }>();
  private readonly unlogged = { ordinal: 0, attempts: new Map<string, number>() };
  private events = 0;

  /** The identity of this call; `log` is the call log of the event (undefined outside one). */
  identity(
    log: object | undefined,
    state: string | undefined,
    service: string,
    operation: string,
    input: unknown,
  ): string {
    let entry = log ? this.ordinals.get(log) : this.unlogged;
    if (!entry && log) {
      this.events += 1;
      entry = { ordinal: this.events, attempts: new Map() };
      this.ordinals.set(log, entry);
    }
    const scope = entry ?? this.unlogged;
    const call = `${state ?? ''}\u0000${service}\u0000${operation}\u0000${JSON.stringify(input) ?? ''}`;
    const attempt = (scope.attempts.get(call) ?? 0) + 1;
    scope.attempts.set(call, attempt);
    return `${scope.ordinal}\u0000${attempt}\u0000${call}`;
  }
}
