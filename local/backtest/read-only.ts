/**
 * Read-only AWS clients for `shield-right backtest`: a middleware at the very first step of the SDK's stack
 * (initialize, before serialization, signing and the transport) refuses any operation whose name does not
 * start with Describe, List, Get or BatchGet, so a mutating request never leaves the process, whatever the
 * caller's credentials allow.
 */

/** Operation names a back-test may send: reads only. */
const READ_OPERATION = /^(Describe|List|Get|BatchGet)[A-Z]/;

export function isReadOperation(operation: string): boolean {
  return READ_OPERATION.test(operation);
}

/** A client asked to send an operation that is not a read: refused before it is serialized. */
export class ReadOnlyViolationError extends Error {
  readonly operation: string;
  constructor(operation: string) {
    super(`backtest is read-only: refusing to send ${operation || 'an unnamed operation'}`);
    this.name = 'ReadOnlyViolationError';
    this.operation = operation;
  }
}

interface StackClient {
  middlewareStack: {
    add(
      middleware: unknown,
      options: { step: 'initialize'; name: string; priority: 'high'; override?: boolean },
    ): void;
  };
}

const guarded = new WeakSet<object>();

/** Makes `client` refuse every operation that is not a read. Idempotent; returns the client. */
export function readOnly<C extends StackClient>(client: C): C {
  if (guarded.has(client)) return client;
  guarded.add(client);
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (!isReadOperation(operation)) throw new ReadOnlyViolationError(operation);
        return next(args);
      },
    { step: 'initialize', name: 'shieldRightReadOnly', priority: 'high', override: true },
  );
  return client;
}
