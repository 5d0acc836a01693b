/** What failed in a Step Functions execution, read from its history (the failure rule's event has no state name). */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import type { StepFailure } from '../core/outcome';

function failureDetails(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const details =
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskTimedOutEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  return details
    ? {
        ...(details.error ? { error: details.error } : {}),
        ...(details.cause ? { cause: details.cause } : {}),
      }
    : undefined;
}

/** The state that failed, with its error and cause, from the most recent history events. */
export async function findFailedStep(
  sfn: SFNClient,
  executionArn: string,
  fallback: { error?: string; cause?: string },
): Promise<StepFailure> {
  const out = await sfn.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 200 }),
  );
  const events = out.events ?? [];
  const failedIndex = events.findIndex(
    (e) => e.type !== 'ExecutionFailed' && e.type?.endsWith('Failed') && failureDetails(e),
  );
  const failure = failedIndex >= 0 ? events[failedIndex] : events.find((e) => failureDetails(e));
  const entered = events.slice(Math.max(failedIndex, 0)).find((e) => e.type?.endsWith('StateEntered'));
  const details = failure ? failureDetails(failure) : undefined;
  return {
    state: entered?.stateEnteredEventDetails?.name ?? 'unknown step',
    error: details?.error ?? fallback.error ?? 'States.Runtime',
    cause: details?.cause ?? fallback.cause ?? 'no cause recorded',
  };
}
