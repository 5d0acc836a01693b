/** `shield-right simulate`: replay events through the real rules, workflows and handlers against a sandbox account. */
import { parseArgs } from 'node:util';
import type { ResponseMode } from '../../definitions/config';
import { type EventResult, Simulator } from '../../local/engine';
import { boundHeapGrowth, releaseKeptObjects } from '../../local/heap';
import type { Scenario } from '../../local/provision';
import { executionMetrics, formatEventResult, type TaskStop, taskStops } from '../../local/report';
import { hasSavedSandbox, saveSandbox } from '../../local/sandbox-store';
import {
  type LabeledEvent,
  loadConfig,
  parseNumber,
  readEvents,
  readJsonFile,
  shown,
  UsageError,
  useColor,
} from '../cli-support';
import { JsonDocumentWriter, streamSink } from '../json-writer';
import { openSavedSandbox } from '../saved-sandbox';

export const help = `Usage: shield-right simulate [options] EVENT_FILE...

Replays EventBridge events offline: the deployed rule patterns, the same state machine files and the
same Lambda handlers, against a sandbox AWS account. Each file holds one event or a JSON array of events;
all events run in order against one sandbox, so state carries over (incidents, stopped tasks, quarantines).

Options:
  --scenario FILE        resources to create or override (see examples/scenarios/)
  --config FILE          configuration (default: the "shield-right" context of ./cdk.json, else the defaults)
  --mode observe|contain override the configured mode
  --inject-faults RATE   share (0-1) of sandbox calls that fail with throttling errors
  --seed N               seed for fault injection and for the interleaving of --concurrency (default 1)
  --concurrency N        process N events at once: their executions interleave their AWS calls in an
                         order fixed by --seed, so races between executions happen (default 1: in order)
  --account ID           the account shield-right is deployed in (default: the first event's account);
                         findings about other accounts are member accounts' (see memberAccountRoleName)
  --state DIR            load the sandbox from DIR if saved there, and save it after the run
  --json                 print one JSON document: {"results":[…]} (stable contract), written
                         result by result as the replay goes

Examples:
  shield-right simulate examples/events/01-high-fargate-crypto-miner.json
  shield-right simulate --mode observe --json examples/events/*.json
  shield-right simulate --scenario examples/scenarios/shared-security-group.json examples/events/01-high-fargate-crypto-miner.json`;

const ACCOUNT = /^\d{12}$/;

/** From this many events on, simulate bounds the heap's growth (local/heap.ts). */
export const LONG_REPLAY_EVENTS = 1_000;

function firstEventAccount(events: readonly LabeledEvent[]): { accountId?: string; region?: string } {
  const first = events[0]?.event as { account?: unknown; region?: unknown } | undefined;
  return {
    ...(typeof first?.account === 'string' && ACCOUNT.test(first.account)
      ? { accountId: first.account }
      : {}),
    ...(typeof first?.region === 'string' ? { region: first.region } : {}),
  };
}

export function jsonResult(result: EventResult, stops: readonly TaskStop[] = []): Record<string, unknown> {
  return {
    event: result.event,
    eventId: result.eventId,
    matchedRules: result.matchedRules,
    executions: result.executions.map((e) => ({
      stateMachine: e.stateMachine,
      executionArn: e.executionArn,
      status: e.status,
      states: e.states,
      stateTransitions: e.stateTransitions,
      output: e.output ?? null,
      ...(e.error ? { error: e.error, cause: e.cause ?? null } : {}),
      metrics: executionMetrics(e, result.apiCalls),
    })),
    ...(result.refused ? { refused: result.refused } : {}),
    apiCalls: result.apiCalls.map((c) => ({
      account: c.account,
      service: c.service,
      operation: c.operation,
      input: c.input,
      error: c.error,
      ...(c.state ? { state: c.state } : {}),
    })),
    notifications: result.notifications,
    stops,
  };
}

export async function simulate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      config: { type: 'string' },
      mode: { type: 'string' },
      'inject-faults': { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      state: { type: 'string' },
      account: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('simulate needs at least one EVENT_FILE');
  if (values.mode !== undefined && values.mode !== 'observe' && values.mode !== 'contain') {
    throw new UsageError(`--mode must be observe or contain, got ${shown(values.mode)}`);
  }
  const faultRate = parseNumber(values['inject-faults'], '--inject-faults', 0, 1);
  const seed = parseNumber(values.seed, '--seed', 0, 2 ** 31);
  const concurrency = parseNumber(values.concurrency, '--concurrency', 1, 1000);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) {
    throw new UsageError(`--concurrency must be a whole number, got ${values.concurrency}`);
  }
  if (values.account !== undefined && !ACCOUNT.test(values.account)) {
    throw new UsageError(`--account must be a 12-digit account id, got ${shown(values.account)}`);
  }
  const events = readEvents(positionals);
  // Many events make a long replay: garbage bounded in proportion to the live state (local/heap.ts).
  if (events.length >= LONG_REPLAY_EVENTS) boundHeapGrowth();
  const scenario = values.scenario ? (readJsonFile(values.scenario) as Scenario) : undefined;
  const mode = values.mode as ResponseMode | undefined;
  const options = {
    ...(mode ? { mode } : {}),
    ...(faultRate !== undefined ? { faultRate } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
  const simulator =
    values.state && hasSavedSandbox(values.state)
      ? openSavedSandbox(values.state, options)
      : new Simulator({
          ...options,
          config: loadConfig(values.config),
          ...firstEventAccount(events),
          ...(values.account ? { accountId: values.account } : {}),
          ...(scenario ? { scenario } : {}),
        });
  // --json: one document written result by result as each is known (bin/json-writer.ts), so a long replay
  // holds no result it has printed; the text is what JSON.stringify({ results }, null, 2) would print.
  const out = streamSink(process.stdout);
  const json = values.json ? new JsonDocumentWriter(out.sink) : undefined;
  json?.beginArray('results');
  const report = async (result: EventResult): Promise<void> => {
    const stops = taskStops(result, simulator.account);
    if (json) {
      if (!json.item(jsonResult(result, stops))) await out.drained();
    } else {
      console.log(`${formatEventResult(result, { color: useColor(process.stdout), stops })}\n`);
    }
  };
  // Then what the sandbox emitted meanwhile (ECR pushes), as EventBridge delivers it after the event.
  const reportEmitted = async (): Promise<void> => {
    for (const emitted of await simulator.processEmittedEvents()) await report(emitted);
  };
  if (concurrency !== undefined && concurrency > 1) {
    for (const result of await simulator.processEvents(events, { concurrency, seed: seed ?? 1 }))
      await report(result);
    await reportEmitted();
  } else {
    for (const { label, event } of events) {
      await report(await simulator.processEvent(event, label));
      await reportEmitted();
      // Releases what WeakRefs kept alive during the event (local/heap.ts); events run one at a time.
      await releaseKeptObjects();
    }
  }
  if (json) {
    json.endArray();
    if (!json.end()) await out.drained();
  }
  if (values.state) saveSandbox(values.state, simulator);
  return 0;
}
