/**
 * The contract between the sandbox account and its per-service simulations. A service receives the
 * SDK v3 command input (the exact object a handler passes to `new XCommand(input)`) and returns the
 * SDK v3 output shape without `$metadata`. Failures are thrown as `AwsError` with AWS's error name.
 */

/** Lower-case IAM prefix of each simulated service. */
export type ServiceName =
  | 'ecs'
  | 'ec2'
  | 'ecr'
  | 's3'
  | 'sns'
  | 'dynamodb'
  | 'guardduty'
  | 'inspector2'
  | 'states'
  | 'signer'
  | 'sts'
  | 'securityhub'
  | 'organizations';

export type Operation = (input: Record<string, unknown>) => unknown;

export interface SandboxService {
  readonly name: ServiceName;
  /** API operation name (e.g. `StopTask`) to its implementation. */
  readonly operations: Readonly<Record<string, Operation>>;
  /** Plain-JSON snapshot of the service's state, restorable with `restore` (for `simulate --state DIR`). */
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** What every sandbox service may ask of the account it lives in. */
export interface AccountContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** The sandbox clock (ms since epoch); tests may pin it. */
  now(): number;
  /** Deterministic ids (hex) so replays are reproducible. */
  nextId(prefix: string, length?: number): string;
  /**
   * What a service keeps of write-only records (executions' histories, published messages): everything, or
   * the newest `RECENT_RECORDS` (the fast path of long replays; see SandboxOptions.engine).
   */
  readonly retention?: 'all' | 'recent';
}

/**
 * How many write-only records a service keeps under `retention: 'recent'` (between this and twice this).
 * Nothing on the event path reads an older one back: the failure reporter and redrive read unsuccessful
 * executions (always kept); quarantine records, which the image-push check and release read back later,
 * are never dropped (local/sandbox/s3.ts).
 * 100 keeps the last hundred or two for the operator commands while a long replay holds ~5 MB of them
 * (1,000 held ~35 MB, 200 ~10 MB: bench/README.md "Memory").
 */
export const RECENT_RECORDS = 100;

/** An error as AWS would return it: `name` is the error code handlers and ASL `Retry`/`Catch` match on. */
export class AwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };
  readonly $retryable?: { throttling: boolean };

  constructor(
    name: string,
    message: string,
    options: { statusCode?: number; fault?: 'client' | 'server' } = {},
  ) {
    super(message);
    this.name = name;
    const statusCode = options.statusCode ?? 400;
    this.$fault = options.fault ?? (statusCode >= 500 ? 'server' : 'client');
    this.$metadata = { httpStatusCode: statusCode };
    if (name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException') {
      this.$retryable = { throttling: true };
    }
  }
}

export function requireString(input: Record<string, unknown>, key: string, operation: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError('ValidationException', `${operation}: ${key} is required`);
  }
  return value;
}
