/**
 * Routes AWS SDK v3 clients to the sandbox account: a middleware placed after the SDK's retry middleware
 * answers each command from the sandbox, so the SDK's own retries (and their error classification) run
 * exactly as against AWS, and nothing is ever signed or sent. The account is chosen per async context,
 * so concurrent simulations never share state by accident.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ConfiguredRetryStrategy,
  isServerError,
  isThrottlingError,
  isTransientError,
} from '@smithy/core/retry';
import type { SandboxAccount } from './account';
import { answeringAccount, asPrincipal } from './organization';
import { AwsError, type ServiceName } from './types';

const activeAccount = new AsyncLocalStorage<SandboxAccount>();

export function runInSandbox<T>(account: SandboxAccount, fn: () => Promise<T>): Promise<T> {
  return activeAccount.run(account, fn);
}

export function currentSandbox(): SandboxAccount | undefined {
  return activeAccount.getStore();
}

interface MiddlewareClient {
  send(command: object, ...rest: unknown[]): Promise<unknown>;
  middlewareStack: {
    addRelativeTo(
      middleware: unknown,
      options: { relation: 'before' | 'after'; toMiddleware: string; name: string; override?: boolean },
    ): void;
  };
  config: { retryStrategy?: unknown; credentials?: unknown };
}

const attached = new WeakSet<object>();
const SANDBOX_CREDENTIALS = { accessKeyId: 'SANDBOX', secretAccessKey: 'SANDBOX' };
// Offline, a throttled call is retried after 1 ms instead of the SDK's 100 ms+ backoff: same attempts, less waiting.
const FAST_RETRY = new ConfiguredRetryStrategy(6, () => 1);

/**
 * Services whose SDK middleware stack hands the sandbox the caller's input unchanged, so the fast path may
 * answer them below the middleware (`answerBelowSdk`). Not S3: its flexible-checksum middleware adds
 * `ChecksumAlgorithm` (and `ChecksumMode`) to the input at the build step. Not EC2 CopySnapshot: its
 * middleware adds a pre-signed URL.
 */
const BELOW_SDK_SERVICES: ReadonlySet<ServiceName> = new Set(['ecs', 'ec2', 'ecr', 'dynamodb', 'sns']);
const STACK_CHANGES_INPUT: ReadonlySet<string> = new Set(['ec2:CopySnapshot']);

/** The SDK's error shape, as its retry classification reads it. */
type SdkError = Parameters<typeof isThrottlingError>[0];

/** The retry middleware's classification (`@smithy/core` retry `getRetryErrorType`). */
function retryErrorType(error: SdkError): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/**
 * The fast path's transport: the sandbox answers `client.send` itself, before the command resolves its
 * middleware stack (serialization, endpoint resolution, user agent, signing), with what the SDK's retry middleware does around a request
 * reproduced here step for step (`@smithy/core` retry `retryMiddleware` with the same strategy object, so the
 * same attempts, retry quota, delays and `$metadata`). The sandbox sees the same input and answers the same
 * output; the digest (bench/equivalence.ts) proves it on the mixed workload.
 */
async function answerBelowSdk(
  account: SandboxAccount,
  service: ServiceName,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let token = await FAST_RETRY.acquireInitialRetryToken('');
  let attempts = 0;
  let totalRetryDelay = 0;
  for (;;) {
    try {
      const output = (await account.call(service, operation, input)) as Record<string, unknown> | undefined;
      FAST_RETRY.recordSuccess(token);
      return {
        ...(output ?? {}),
        $metadata: { httpStatusCode: 200, attempts: attempts + 1, totalRetryDelay },
      };
    } catch (error) {
      const lastError = (error instanceof Error ? error : new Error(String(error))) as SdkError;
      try {
        token = await FAST_RETRY.refreshRetryTokenForRetry(token, {
          error: lastError,
          errorType: retryErrorType(lastError),
        });
      } catch {
        lastError.$metadata ??= {};
        const metadata: { attempts?: number; totalRetryDelay?: number } = lastError.$metadata;
        metadata.attempts = attempts + 1;
        metadata.totalRetryDelay = totalRetryDelay;
        throw lastError;
      }
      attempts = token.getRetryCount();
      const delay = token.getRetryDelay();
      const log = (token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog;
      totalRetryDelay += (log?.acquisitionDelay ?? 0) + delay;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Makes `client` answer from the sandbox account active in the caller's async context. Idempotent.
 * `keepCredentials`: a client built with explicit credentials (from the sandbox STS, for a member account)
 * keeps them, and the account they were issued for answers its calls. `belowSdk`: the client's middleware stack
 * is the SDK's own (the handlers' shared clients, nothing added at its initialize step such as backtest's
 * read-only guard), so on the fast path its ECS, EC2, ECR, DynamoDB and SNS calls are answered by `send`
 * without resolving the stack (`answerBelowSdk`); every other call, and every call on the reference path,
 * goes through the whole stack to the transport after the retry middleware.
 */
export function attachSandbox(
  client: MiddlewareClient,
  service: ServiceName,
  options: { keepCredentials?: boolean; belowSdk?: boolean } = {},
): void {
  if (attached.has(client)) return;
  attached.add(client);
  client.config.retryStrategy = async () => FAST_RETRY;
  // Static sandbox credentials: no credential chain (profiles, SSO, instance metadata) is consulted offline.
  if (!options.keepCredentials) client.config.credentials = async () => SANDBOX_CREDENTIALS;
  if (options.belowSdk && BELOW_SDK_SERVICES.has(service)) {
    const sendThroughStack = client.send.bind(client);
    client.send = (command: object, ...rest: unknown[]): Promise<unknown> => {
      const active = activeAccount.getStore();
      // The operation as the stack names it (`context.commandName` without `Command`).
      const name = command.constructor.name;
      const operation = name.endsWith('Command') ? name.slice(0, -'Command'.length) : '';
      const input = (command as { input?: Record<string, unknown> }).input;
      if (
        active?.engine !== 'fast' ||
        rest.length > 0 ||
        operation === '' ||
        input === undefined ||
        STACK_CHANGES_INPUT.has(`${service}:${operation}`)
      ) {
        return sendThroughStack(command, ...rest);
      }
      // As on the stack path: calls made with a role's issued credentials are that role's (organization.ts).
      return answeringAccount(active, client.config.credentials).then(({ account, roleArn }) => {
        const answer = () => answerBelowSdk(account, service, operation, input);
        return roleArn ? asPrincipal(roleArn, answer) : answer();
      });
    };
  }
  client.middlewareStack.addRelativeTo(
    (_next: unknown, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        const active = activeAccount.getStore();
        if (!active) {
          throw new AwsError('SandboxNotActive', `${service} call outside a sandbox: refusing to reach AWS`);
        }
        // The one multi-account hook: the account of the client's credentials answers (organization.ts).
        const { account, roleArn } = await answeringAccount(active, client.config.credentials);
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const call = () => account.call(service, operation, args.input);
        const output = (await (roleArn ? asPrincipal(roleArn, call) : call())) as
          | Record<string, unknown>
          | undefined;
        return {
          output: { ...(output ?? {}), $metadata: { httpStatusCode: 200, attempts: 1 } },
          response: {},
        };
      },
    {
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      name: 'shieldRightSandboxTransport',
      override: true,
    },
  );
}
