/**
 * The state machines write and test incident statuses themselves (RecordIncident, ReopenIncident, the
 * Choice states after LoadIncident…). Every status they name must be one of core/incident.ts, and every
 * status they write must be an allowed transition from the statuses their condition admits.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WORKFLOWS } from '../../definitions/functions';
import {
  canTransition,
  INCIDENT_STATUSES,
  isIncidentStatus,
  RELEASABLE_STATUSES,
} from '../../lambdas/core/incident';
import { REPO_ROOT } from './helpers';

type Json = Record<string, unknown>;

const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asJson = (value: unknown): Json => (isJson(value) ? value : {});

/** Every state of a definition, including those inside Parallel branches and Map processors. */
function allStates(definition: Json): [string, Json][] {
  return Object.entries(asJson(definition.States)).flatMap(([name, raw]) => {
    const state = asJson(raw);
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.ItemProcessor,
      state.Iterator,
    ].filter(isJson);
    return [[name, state] as [string, Json], ...nested.flatMap(allStates)];
  });
}

/** One DynamoDB write: a putItem/updateItem task, or one Put/Update of a transaction. */
interface Write {
  readonly state: string;
  readonly put: boolean;
  readonly params: Json;
}

function writesOf(name: string, state: Json): Write[] {
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  const params = asJson(state.Parameters);
  if (resource.endsWith(':dynamodb:putItem')) return [{ state: name, put: true, params }];
  if (resource.endsWith(':dynamodb:updateItem')) return [{ state: name, put: false, params }];
  if (!resource.endsWith(':dynamodb:transactWriteItems')) return [];
  const items = Array.isArray(params.TransactItems) ? params.TransactItems.filter(isJson) : [];
  return items.flatMap((item): Write[] => [
    ...(isJson(item.Put) ? [{ state: name, put: true, params: item.Put }] : []),
    ...(isJson(item.Update) ? [{ state: name, put: false, params: item.Update }] : []),
  ]);
}

/** The literal string of an expression attribute value (`{ "S": "FAILED" }`); dynamic values are not statuses we can check. */
function literalOf(params: Json, placeholder: string): string {
  const value = asJson(asJson(params.ExpressionAttributeValues)[placeholder]);
  return typeof value.S === 'string' ? value.S : `<not a literal: ${placeholder}>`;
}

/** The placeholders `#x` that name the `status` attribute. */
function statusNames(params: Json): string[] {
  return Object.entries(asJson(params.ExpressionAttributeNames))
    .filter(([, attribute]) => attribute === 'status')
    .map(([placeholder]) => placeholder);
}

/** `#status = :v` comparisons (or assignments) in an expression: the values' literals. */
function statusValues(params: Json, expression: string): string[] {
  return statusNames(params).flatMap((name) =>
    [...expression.matchAll(new RegExp(`${name}\\s*=\\s*(:[A-Za-z0-9_]+)`, 'g'))].map((m) =>
      literalOf(params, m[1] ?? ''),
    ),
  );
}

/** Splits `a OR (b OR c) OR d` at its top level. */
function topLevelOr(expression: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && expression.startsWith(' OR ', i)) {
      branches.push(expression.slice(start, i));
      start = i + 4;
    }
  }
  return [...branches, expression.slice(start)];
}

/** What status a write leaves, and from which statuses (undefined: no item yet) its condition lets it. */
function transitionOf(write: Write): { to: string[]; from: (string | undefined)[] } | undefined {
  const { params } = write;
  const condition = typeof params.ConditionExpression === 'string' ? params.ConditionExpression : '';
  const all = [...INCIDENT_STATUSES];
  if (write.put) {
    const status = asJson(asJson(params.Item).status);
    if (Object.keys(status).length === 0) return undefined;
    const to = [typeof status.S === 'string' ? status.S : '<not a literal status>'];
    const from = condition.includes('attribute_not_exists(pk)') ? [undefined] : [undefined, ...all];
    return { to, from };
  }
  const update = typeof params.UpdateExpression === 'string' ? params.UpdateExpression : '';
  const to = statusValues(params, update.split(/\b(?:ADD|REMOVE|DELETE)\b/)[0] ?? '');
  if (to.length === 0) return undefined;
  // A branch of the condition that does not test the status lets the write through from any status.
  const from = topLevelOr(condition).flatMap((branch) => {
    const tested = statusValues(params, branch);
    return tested.length > 0 ? tested : all;
  });
  return { to, from };
}

/** Paths of the state that hold an incident's status read back from the table (`$.existing.status`…). */
function statusPaths(states: [string, Json][]): Set<string> {
  const paths = new Set<string>();
  for (const [, state] of states) {
    const selector = asJson(state.ResultSelector);
    const source = selector['status.$'];
    if (typeof source === 'string' && /\.status\.S$/.test(source) && typeof state.ResultPath === 'string') {
      paths.add(`${state.ResultPath}.status`);
    }
  }
  return paths;
}

function choiceRules(rule: Json): Json[] {
  const nested = [...(Array.isArray(rule.And) ? rule.And : []), ...(Array.isArray(rule.Or) ? rule.Or : [])];
  return [
    rule,
    ...nested.filter(isJson).flatMap(choiceRules),
    ...(isJson(rule.Not) ? choiceRules(rule.Not) : []),
  ];
}

/** Every way a definition departs from the incident lifecycle, in words; empty when it keeps to it. */
function incidentStatusViolations(definition: Json): string[] {
  const states = allStates(definition);
  const violations: string[] = [];
  const unknown = (state: string, status: string | undefined) => {
    if (status !== undefined && !isIncidentStatus(status))
      violations.push(`${state}: ${status} is not an incident status`);
  };
  for (const [name, state] of states) {
    for (const write of writesOf(name, state)) {
      const transition = transitionOf(write);
      if (!transition) continue;
      for (const status of [...transition.to, ...transition.from]) unknown(name, status);
      for (const to of transition.to.filter(isIncidentStatus)) {
        for (const from of transition.from) {
          if (from !== undefined && !isIncidentStatus(from)) continue;
          if (!canTransition(from, to))
            violations.push(`${name}: ${from ?? '(new incident)'} → ${to} is not an allowed transition`);
        }
      }
    }
  }
  const paths = statusPaths(states);
  for (const [name, state] of states) {
    if (state.Type !== 'Choice') continue;
    const rules = (Array.isArray(state.Choices) ? state.Choices : []).filter(isJson).flatMap(choiceRules);
    for (const rule of rules) {
      if (
        typeof rule.Variable === 'string' &&
        paths.has(rule.Variable) &&
        typeof rule.StringEquals === 'string'
      )
        unknown(name, rule.StringEquals);
    }
  }
  return violations;
}

const definitions = Object.values(WORKFLOWS).map(
  (wf) => [wf.file, JSON.parse(readFileSync(path.join(REPO_ROOT, wf.file), 'utf8')) as Json] as const,
);

describe.each(definitions)('%s', (file, definition) => {
  it('names only incident statuses and performs only allowed transitions', () => {
    expect(incidentStatusViolations(definition)).toEqual([]);
  });

  it('is actually checked: a response workflow opens incidents and tests their status; the push check writes none', () => {
    const states = allStates(definition);
    const writes = states.flatMap(([name, state]) => writesOf(name, state));
    const transitions = writes.map(transitionOf);
    if (file === WORKFLOWS.ImageTrustResponse.file) {
      // The task claim and cap counters (ClaimTask), the incident of a stop (RecordIncident, which NotifyTrust
      // then records the outcome on) and the cluster's "limit reached" notice item.
      expect([...new Set(writes.map((w) => w.state))]).toEqual([
        'ClaimTask',
        'RecordIncident',
        'CountCapRefusal',
        'ClaimCapNotice',
      ]);
      expect(transitions.filter((t) => t !== undefined)).toEqual([
        { to: ['IN_PROGRESS'], from: [undefined] },
      ]);
      return;
    }
    if (file === WORKFLOWS.ImagePushCheck.file) {
      // It only reads the image claim; the incident is read and recorded by its Lambdas (incident-store.ts).
      expect(transitions).toEqual([]);
      return;
    }
    expect(transitions).toContainEqual({ to: ['IN_PROGRESS'], from: [undefined] });
    expect(statusPaths(states).size).toBeGreaterThan(0);
  });
});

describe('the checker', () => {
  const runtime = definitions.find(([file]) => file.includes('runtime'))?.[1] ?? {};
  const mutated = (mutate: (states: Json) => void): Json => {
    const copy = JSON.parse(JSON.stringify(runtime)) as Json;
    mutate(asJson(copy.States));
    return copy;
  };
  const set = (states: Json, pathTo: string[], value: unknown) => {
    const last = pathTo.at(-1) ?? '';
    const parent = pathTo.slice(0, -1).reduce<Json>((node, key) => asJson(node[key]), states);
    parent[last] = value;
  };

  it('rejects a status that is not one of the lifecycle', () => {
    const definition = mutated((states) =>
      set(states, ['ReopenIncident', 'Parameters', 'ExpressionAttributeValues', ':capped'], { S: 'PAUSED' }),
    );

    expect(incidentStatusViolations(definition)).toContain(
      'ReopenIncident: PAUSED is not an incident status',
    );
  });

  it('rejects an unknown status tested by a Choice state', () => {
    const definition = mutated((states) => {
      const [rule] = asJson(states.IsEarlierResponseFailed).Choices as { Or: Json[] }[];
      const [failed] = rule?.Or ?? [];
      if (failed) failed.StringEquals = 'BROKEN';
    });

    expect(incidentStatusViolations(definition)).toEqual([
      'IsEarlierResponseFailed: BROKEN is not an incident status',
    ]);
  });

  it('rejects a new incident opened in another status than IN_PROGRESS', () => {
    const definition = mutated((states) =>
      set(states, ['RecordIncident', 'Parameters', 'Item', 'status'], { S: 'CONTAINED' }),
    );

    expect(incidentStatusViolations(definition)).toContain(
      'RecordIncident: (new incident) → CONTAINED is not an allowed transition',
    );
  });

  it('rejects a forbidden transition: a failed incident marked RELEASED', () => {
    const definition = mutated((states) => {
      set(states, ['ReopenIncident', 'Parameters', 'ExpressionAttributeValues', ':open'], { S: 'RELEASED' });
      set(states, ['ReopenIncident', 'Parameters', 'ConditionExpression'], '#status = :failed');
    });

    expect(incidentStatusViolations(definition)).toEqual([
      'ReopenIncident: FAILED → RELEASED is not an allowed transition',
    ]);
  });

  it('treats a write whose condition does not test the status as from any status', () => {
    const definition = mutated((states) => {
      set(states, ['ReopenIncident', 'Parameters', 'ExpressionAttributeValues', ':open'], { S: 'CONTAINED' });
    });

    expect(incidentStatusViolations(definition)).toEqual(
      expect.arrayContaining(['ReopenIncident: RELEASED → CONTAINED is not an allowed transition']),
    );
  });
});

describe('the lifecycle', () => {
  it('opens an incident IN_PROGRESS only', () => {
    expect(INCIDENT_STATUSES.filter((to) => canTransition(undefined, to))).toEqual(['IN_PROGRESS']);
  });

  it('releases only what left a containment in place', () => {
    const releasable = INCIDENT_STATUSES.filter(
      (from) => from !== 'RELEASED' && canTransition(from, 'RELEASED'),
    );
    expect(releasable.sort()).toEqual([...RELEASABLE_STATUSES].sort());
  });

  it('lets an operator re-open any incident (respond --force)', () => {
    expect(INCIDENT_STATUSES.every((from) => canTransition(from, 'IN_PROGRESS'))).toBe(true);
  });
});
