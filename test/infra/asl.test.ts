/**
 * Every state machine definition is valid ASL once substituted, and its placeholders are exactly the
 * substitution keys the manifest gives it: none left over, none unused.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import aslValidator from 'asl-validator';
import { INCIDENT_TAG_KEY, placeholdersOf } from '../../cdk/constructs/response-workflows';
import { FUNCTIONS, substitutionKeys, WORKFLOWS, type WorkflowSpec } from '../../definitions/functions';
import { REPO_ROOT } from './helpers';

const STATEMACHINES = path.join(REPO_ROOT, 'statemachines');
const definitionFiles = readdirSync(STATEMACHINES)
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => `statemachines/${f}`);

/** Service integrations are partition-aware: `arn:${Partition}:states:::…`. */
const INTEGRATION_PREFIX = `arn:\${Partition}:states:::`;

/** Realistic values: ARN-shaped for functions (asl-validator checks Task resources), plain names otherwise. */
function sampleValue(key: string): string {
  const fn = Object.values(FUNCTIONS).find((f) => f.substitution === key);
  if (fn) return `arn:aws:lambda:eu-west-1:123456789012:function:shield-right-${fn.id}`;
  return key === 'Partition' ? 'aws' : `shield-right-${key}`;
}

function substitute(definition: string, keys: readonly string[]): { text: string; unused: string[] } {
  let text = definition;
  const unused: string[] = [];
  for (const key of keys) {
    const placeholder = `\${${key}}`;
    if (!text.includes(placeholder)) unused.push(key);
    text = text.split(placeholder).join(sampleValue(key));
  }
  return { text, unused };
}

type Json = Record<string, unknown>;

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
function allStates(definition: Json): Json[] {
  const states = (definition.States ?? {}) as Record<string, Json>;
  return Object.values(states).flatMap((state) => [
    state,
    ...((state.Branches as Json[] | undefined) ?? []).flatMap(allStates),
    ...[state.Iterator, state.ItemProcessor]
      .filter((x): x is Json => typeof x === 'object' && x !== null)
      .flatMap(allStates),
  ]);
}

describe('state machine definitions', () => {
  it('lists every definition file in WORKFLOWS', () => {
    const listed = Object.values(WORKFLOWS).map((w) => w.file);
    expect(definitionFiles.filter((f) => !listed.includes(f))).toEqual([]);
  });

  describe.each(Object.values(WORKFLOWS).map((w): [string, WorkflowSpec] => [w.name, w]))(
    '%s',
    (_name, workflow) => {
      const file = path.join(REPO_ROOT, workflow.file);
      const present = existsSync(file);
      const check = present ? it : it.skip;
      if (!present) {
        it.todo(`write ${workflow.file}: its ASL tests are skipped until it exists`);
      }
      const read = () => readFileSync(file, 'utf8');

      check('uses exactly the substitution keys of the manifest', () => {
        const keys = substitutionKeys(workflow);
        const { text, unused } = substitute(read(), keys);
        expect(unused).toEqual([]);
        expect(placeholdersOf(text)).toEqual([]);
        expect(placeholdersOf(read()).sort()).toEqual([...keys].sort());
      });

      check('is valid Amazon States Language after substitution', () => {
        const { text } = substitute(read(), substitutionKeys(workflow));
        const result = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
        expect(result.errorsText('\n')).toBe('');
        expect(result.isValid).toBe(true);
      });

      check('calls only the service integrations its role is granted', () => {
        const definition = JSON.parse(read()) as Json;
        const integrations = allStates(definition)
          .map((s) => s.Resource)
          .filter((r): r is string => typeof r === 'string' && r.startsWith(INTEGRATION_PREFIX));
        // …:states:::dynamodb:putItem and …:states:::aws-sdk:dynamodb:putItem name dynamodb:PutItem.
        const actions = integrations
          .map((r) => {
            const [service = '', call = ''] = r
              .replace(INTEGRATION_PREFIX, '')
              .replace('aws-sdk:', '')
              .split(':');
            const api = call.split('.')[0] ?? ''; // .sync, .waitForTaskToken
            return `${service}:${api.charAt(0).toUpperCase()}${api.slice(1)}`;
          })
          // Lambda invocations are granted per function (grantInvoke), not as service actions.
          .filter((a) => !a.startsWith('lambda:'));
        expect(integrations.length).toBeGreaterThan(0);
        const granted = new Set(workflow.serviceActions);
        // TransactWriteItems is authorized as the PutItem and UpdateItem of its items.
        const needed = actions.flatMap((a) =>
          a === 'dynamodb:TransactWriteItems' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : [a],
        );
        expect([...new Set(needed)].filter((a) => !granted.has(a))).toEqual([]);
      });

      check('names every ARN with the Partition substitution, never a literal partition', () => {
        expect(read().match(/"arn:aws[a-z-]*:[^"]*"/g) ?? []).toEqual([]);
      });

      check('tags services only with the tag key its role may write', () => {
        const definition = JSON.parse(read()) as Json;
        const tagKeys = allStates(definition)
          .filter((s) => s.Resource === `${INTEGRATION_PREFIX}aws-sdk:ecs:tagResource`)
          .flatMap((s) => ((s.Parameters as Json | undefined)?.Tags as Json[] | undefined) ?? [])
          .map((tag) => tag.Key);
        expect(tagKeys.filter((k) => k !== INCIDENT_TAG_KEY)).toEqual([]);
      });
    },
  );
});
