/** What failed in a Step Functions execution, read from its history (the failure rule's event has no state name). */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../core/finding';
import type { StepFailure } from '../core/outcome';
import { isObject } from '../core/read';
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../core/vulnerability';

/**
 * The error of an execution that ended in FindingRejected: the event was not a finding, and the
 * workflow alerted it itself. Internal steps throw StepInputError instead, which is reported.
 */
export const REJECTED_FINDING_ERROR = 'InvalidFindingError';

/** The finding the failed execution was responding to, from its input; undefined when it is not one. */
export function findingOf(input: unknown): RuntimeFinding | VulnerabilityFinding | undefined {
  try {
    const event = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
    if (isObject(event) && event.source === 'aws.inspector2') return normalizeVulnerabilityFinding(event);
    return normalizeRuntimeFinding(event);
  } catch {
    return undefined;
  }
}

type Details = { error?: string; cause?: string };

function pick(details: Details | undefined): Details | undefined {
  return details
    ? {
        ...(details.error ? { error: details.error } : {}),
        ...(details.cause ? { cause: details.cause } : {}),
      }
    : undefined;
}

/** The error of a failed, timed-out Task or Lambda step. */
function stepFailure(event: HistoryEvent): Details | undefined {
  return pick(
    event.taskFailedEventDetails ??
      event.taskTimedOutEventDetails ??
      event.lambdaFunctionFailedEventDetails ??
      event.lambdaFunctionTimedOutEventDetails,
  );
}

/** The error of the execution as a whole (a Fail state, States.Runtime, a timeout, an abort). */
function executionFailure(event: HistoryEvent): Details | undefined {
  return pick(
    event.executionFailedEventDetails ??
      event.executionTimedOutEventDetails ??
      event.executionAbortedEventDetails,
  );
}

/** The state whose failure ended the execution, with its error and cause, from the execution history. */
export async function findFailedStep(
  sfn: SFNClient,
  executionArn: string,
  fallback: Details,
): Promise<StepFailure> {
  const out = await sfn.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 500 }),
  );
  const events = out.events ?? [];
  const byId = new Map(events.filter((e) => e.id !== undefined).map((e) => [e.id, e]));
  // A step event links back (previousEventId) to the StateEntered event that names its state; without
  // links, the nearest older StateEntered does.
  const stateOf = (index: number): string | undefined => {
    let current: HistoryEvent | undefined = events[index];
    for (let hops = 0; current?.previousEventId !== undefined && hops < 10; hops++) {
      current = byId.get(current.previousEventId);
      if (current?.stateEnteredEventDetails?.name) return current.stateEnteredEventDetails.name;
    }
    return events.slice(index + 1).find((e) => e.stateEnteredEventDetails?.name)?.stateEnteredEventDetails
      ?.name;
  };
  // Newest first: a step failure followed by its state's exit was retried (or caught) and recovered from.
  const exited = new Set<string>();
  for (const [index, event] of events.entries()) {
    const name = event.stateExitedEventDetails?.name;
    if (name) exited.add(name);
    const details = stepFailure(event);
    const state = details ? stateOf(index) : undefined;
    if (!details || !state || exited.has(state)) continue;
    return {
      state,
      error: details.error ?? fallback.error ?? 'States.Runtime',
      cause: details.cause ?? fallback.cause ?? 'no cause recorded',
    };
  }
  const execution = events.map(executionFailure).find((d) => d !== undefined);
  const lastEntered = events.find((e) => e.stateEnteredEventDetails?.name)?.stateEnteredEventDetails?.name;
  return {
    state: lastEntered ?? 'unknown step',
    error: execution?.error ?? fallback.error ?? 'States.Runtime',
    cause: execution?.cause ?? fallback.cause ?? 'no cause recorded',
  };
}
