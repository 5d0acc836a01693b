/**
 * Routes AWS SDK v3 clients to the sandbox account: a middleware placed after the SDK's retry middleware
 * answers each command from the sandbox, so the SDK's own retries (and their error classification) run
 * exactly as against AWS, and nothing is ever signed or sent. The account is chosen per async context,
 * so concurrent simulations never share state by accident.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
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
 * Makes `client` answer from the sandbox account active in the caller's async context. Idempotent.
 * `keepCredentials`: a client built with explicit credentials (from the sandbox STS, for a member account)
 * keeps them, and the account they were issued for answers its calls.
 */
export function attachSandbox(
  client: MiddlewareClient,
  service: ServiceName,
  options: { keepCredentials?: boolean } = {},
): void {
  if (attached.has(client)) return;
  attached.add(client);
  client.config.retryStrategy = async () => FAST_RETRY;
  // Static sandbox credentials: no credential chain (profiles, SSO, instance metadata) is consulted offline.
  if (!options.keepCredentials) client.config.credentials = async () => SANDBOX_CREDENTIALS;
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
