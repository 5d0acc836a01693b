/**
 * IAM allows item writes only under the key prefixes of definitions/table-keys.ts (`dynamodb:LeadingKeys`):
 * every key the code builds must start with one of them, and each workflow's grant must cover the keys
 * its ASL writes, or the write is refused in AWS while the offline sandbox (which does not evaluate IAM)
 * accepts it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_ITEM_KEYS } from '../../cdk/constructs/response-workflows';
import { WORKFLOWS, type WorkflowName } from '../../definitions/functions';
import { TABLE_KEY_PREFIXES, type TableKeyPrefix } from '../../definitions/table-keys';
import * as incident from '../../lambdas/core/incident';
import { allStates } from '../../local/asl-runner';
import { REPO_ROOT } from './helpers';

const prefixOf = (key: string): TableKeyPrefix | undefined =>
  (Object.keys(TABLE_KEY_PREFIXES) as TableKeyPrefix[]).find((p) => key.startsWith(TABLE_KEY_PREFIXES[p]));

describe('table key prefixes', () => {
  it('every key builder of lambdas/core/incident.ts and the sweep key start with a granted prefix', () => {
    const exported: Record<string, unknown> = { ...incident };
    const builders = Object.entries(exported).filter(
      ([name, value]) => typeof value === 'function' && /Key$/.test(name),
    );
    expect(builders.length).toBeGreaterThanOrEqual(5);
    for (const [name, build] of builders) {
      const key = String(
        Reflect.apply(build as (...args: unknown[]) => unknown, undefined, [
          'arn:aws:ecs:eu-west-1:1:task/c/t',
          true,
          0,
        ]),
      );
      expect({ name, prefix: prefixOf(key) }).toEqual({ name, prefix: expect.any(String) });
    }
    expect(prefixOf(incident.SWEEP_KEY)).toBe('sweep');
  });

  type Task = { Type?: string; Resource?: string; Parameters?: Record<string, unknown> };

  /** [operation, literal key prefix or undefined] of each table write in a workflow's ASL. */
  function writesOf(name: WorkflowName): [string, string | undefined][] {
    const definition = JSON.parse(readFileSync(join(REPO_ROOT, WORKFLOWS[name].file), 'utf8')) as {
      States: Record<string, Task>;
    };
    const literal = (key: unknown) => /States\.Format\('([A-Z#]+#)/.exec(JSON.stringify(key))?.[1];
    return allStates(definition.States).flatMap(([, state]) => {
      const s = state as Task;
      const op = /:dynamodb:(\w+)$/.exec(s.Resource ?? '')?.[1];
      if (s.Type !== 'Task' || !op) return [];
      const items = s.Parameters?.TransactItems as Record<string, { Key?: unknown }>[] | undefined;
      if (items)
        return items.flatMap((item) =>
          Object.entries(item).map(([k, v]) => [k, literal(v.Key)] as [string, string | undefined]),
        );
      return [[op, literal(s.Parameters?.Key)]];
    });
  }

  it.each(Object.keys(WORKFLOWS) as WorkflowName[])(
    '%s deletes and writes only under its granted prefixes',
    (name) => {
      for (const [op, literal] of writesOf(name)) {
        if (/^get/i.test(op) || literal === undefined) continue;
        const prefix = prefixOf(literal);
        const granted = /delete/i.test(op) ? WORKFLOW_ITEM_KEYS[name].delete : WORKFLOW_ITEM_KEYS[name].write;
        expect({ op, literal, granted: prefix !== undefined && granted.includes(prefix) }).toEqual({
          op,
          literal,
          granted: true,
        });
      }
    },
  );
});
