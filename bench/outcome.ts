/** How one event ended, from its EventResult: the vocabulary the burst and replay tables use. */
import { DEFAULT_CONFIG, parseConfig, type ShieldRightConfig } from '../definitions/config';
import type { EventResult } from '../local/engine';
import { isLambdaState } from '../local/report';

/**
 * The configuration with other blast-radius caps, validated as the deployed functions validate it (an
 * out-of-range cap would fail every EnrichAndDecide).
 */
export function withCaps(perCluster: number, perAccount: number, base = DEFAULT_CONFIG): ShieldRightConfig {
  return parseConfig({
    ...base,
    blastRadius: { ...base.blastRadius, maxActionsPerCluster: perCluster, maxActionsPerAccount: perAccount },
  });
}

/** `<StateMachine>:<last state entered>` or `no-rule-matched`; a failed execution is `…:FAILED`. */
export function endings(result: EventResult): string[] {
  if (result.executions.length === 0) return ['no rule matched'];
  return result.executions.map((e) => {
    const last = e.states[e.states.length - 1] ?? 'none';
    return e.status === 'SUCCEEDED' ? last : `${e.status} at ${last}`;
  });
}

export interface Tally {
  events: number;
  executions: number;
  succeeded: number;
  notSucceeded: number;
  transitions: number;
  retries: number;
  apiCalls: number;
  lambdaInvocations: number;
  readonly endings: Record<string, number>;
}

export function emptyTally(): Tally {
  return {
    events: 0,
    executions: 0,
    succeeded: 0,
    notSucceeded: 0,
    transitions: 0,
    retries: 0,
    apiCalls: 0,
    lambdaInvocations: 0,
    endings: {},
  };
}

export function addResult(tally: Tally, result: EventResult): void {
  tally.events += 1;
  tally.apiCalls += result.apiCalls.length;
  for (const e of result.executions) {
    tally.executions += 1;
    if (e.status === 'SUCCEEDED') tally.succeeded += 1;
    else tally.notSucceeded += 1;
    tally.transitions += e.stateTransitions;
    tally.retries += e.retries;
    tally.lambdaInvocations += e.states.filter(isLambdaState).length;
  }
  for (const ending of endings(result)) tally.endings[ending] = (tally.endings[ending] ?? 0) + 1;
}
