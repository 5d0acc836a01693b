/** Faults injected around the real sandbox: one kind of call fails, everything else behaves as usual. */
import type { Simulator } from '../../local/engine';
import { AwsError, type ServiceName } from '../../local/sandbox/types';

type CallMatcher = (service: ServiceName, operation: string, input: Record<string, unknown>) => boolean;

/** The first `times` calls that `matches` selects fail with `error` before reaching the sandbox. */
export function failCalls(
  simulator: Simulator,
  matches: CallMatcher,
  error: Error,
  times = Number.POSITIVE_INFINITY,
) {
  const account = simulator.account;
  const realCall = account.call.bind(account);
  let failed = 0;
  const spy = jest.spyOn(account, 'call').mockImplementation(async (service, operation, input) => {
    if (failed < times && matches(service, operation, input as Record<string, unknown>)) {
      failed += 1;
      throw error;
    }
    return realCall(service, operation, input);
  });
  return { failed: () => failed, restore: () => spy.mockRestore() };
}

/** The first call that `matches` selects is applied, then answered with `error` ("may or may not have succeeded"). */
export function commitThenFail(simulator: Simulator, matches: CallMatcher, error: Error) {
  const account = simulator.account;
  const realCall = account.call.bind(account);
  let fired = false;
  jest.spyOn(account, 'call').mockImplementation(async (service, operation, input) => {
    const output = await realCall(service, operation, input);
    if (!fired && matches(service, operation, input as Record<string, unknown>)) {
      fired = true;
      throw error;
    }
    return output;
  });
  return { fired: () => fired };
}

/** The AwsError a sandbox call fails with; a call that succeeds fails the test. */
export async function failureOf<E extends AwsError = AwsError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AwsError) return err as E;
    throw err;
  }
  throw new Error('expected the call to fail');
}
