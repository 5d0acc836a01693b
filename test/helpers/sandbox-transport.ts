/**
 * Routes a real SDK v3 client to a sandbox service: a middleware placed right after retries answers every
 * command from the service, so serialisation-free inputs reach it exactly as the handler built them.
 */
import { modelViolation } from '../../local/sandbox/models/check';
import { type AccountContext, AwsError, type SandboxService } from '../../local/sandbox/types';

type Handler = (args: { input: object }) => Promise<{ output: object; response: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;

/** Any SDK v3 client: only its middleware stack is used. */
interface StackOwner {
  middlewareStack: { addRelativeTo(middleware: never, options: never): void };
}
type StackMiddleware<C extends StackOwner> = Parameters<C['middlewareStack']['addRelativeTo']>[0];
type StackOptions<C extends StackOwner> = Parameters<C['middlewareStack']['addRelativeTo']>[1];

export function attachService<C extends StackOwner>(client: C, service: SandboxService): void {
  const middleware: Middleware = (_next, context) => async (args) => {
    const operationName = (context.commandName ?? '').replace(/Command$/, '');
    const operation = service.operations[operationName];
    if (!operation) {
      throw new AwsError(
        'UnknownOperationException',
        `${service.name} sandbox does not implement ${operationName}`,
      );
    }
    // As SandboxAccount.call does: a request that breaks the service model is refused before it is answered.
    const invalid = modelViolation(service.name, operationName, args.input);
    if (invalid) throw invalid;
    const result = await operation(args.input as Record<string, unknown>);
    return { output: { ...(result as object), $metadata: { httpStatusCode: 200 } }, response: {} };
  };
  const options = { relation: 'after', toMiddleware: 'retryMiddleware', name: 'sandboxTransport' };
  // The stack is typed with the client's own input/output unions; the service answers each command with
  // that command's output shape, which the compiler cannot see, hence the casts.
  client.middlewareStack.addRelativeTo(
    middleware as unknown as StackMiddleware<C>,
    options as unknown as StackOptions<C>,
  );
}

/** A fixed account with a pinned clock and counter-based ids, so assertions can be exact. */
export function testContext(overrides: Partial<AccountContext> = {}): AccountContext {
  let counter = 0;
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    now: () => Date.UTC(2024, 0, 1),
    nextId: (prefix, length = 17) => {
      counter += 1;
      return `${prefix}${counter.toString(16).padStart(length, '0')}`;
    },
    ...overrides,
  };
}

/** Options for SDK clients in sandbox tests: never signs for real and never retries. */
export const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
} as const;
