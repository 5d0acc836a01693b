/**
 * Least privilege, checked from the other side: the IAM actions each workflow's role is granted
 * (`WORKFLOWS[…].serviceActions`, which the ResponseWorkflows construct grants) are exactly the ones its
 * ASL file calls through direct service integrations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOWS, type WorkflowName } from '../../definitions/functions';
import { allStates } from '../../local/asl-runner';

type State = { Type?: string; Resource?: string; Parameters?: { TransactItems?: Record<string, unknown>[] } };

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** The IAM actions a Task's Resource needs (Lambda invocations aside). */
function actionsOf(state: State): string[] {
  const resource = state.Resource ?? '';
  const optimized = /^arn:\$\{Partition\}:states:::(dynamodb|sns):([A-Za-z]+)$/.exec(resource);
  if (optimized) return [`${optimized[1]}:${(optimized[2] ?? '').replace(/^./, (c) => c.toUpperCase())}`];
  const sdk = /^arn:\$\{Partition\}:states:::aws-sdk:([a-z0-9]+):([A-Za-z]+)$/.exec(resource);
  if (!sdk) return [];
  if (sdk[1] === 'dynamodb' && sdk[2] === 'transactWriteItems') {
    return (state.Parameters?.TransactItems ?? []).flatMap((item) =>
      Object.keys(item).map((kind) => TRANSACT_ACTIONS[kind] ?? `dynamodb:unknown-${kind}`),
    );
  }
  return [`${sdk[1]}:${(sdk[2] ?? '').replace(/^./, (c) => c.toUpperCase())}`];
}

describe.each(Object.keys(WORKFLOWS) as WorkflowName[])('%s', (name) => {
  it('is granted exactly the service actions its definition calls', () => {
    const definition = JSON.parse(
      readFileSync(join(__dirname, '..', '..', WORKFLOWS[name].file), 'utf8'),
    ) as {
      States: Record<string, State>;
    };
    const called = new Set(
      allStates(definition.States)
        .filter(([, s]) => s.Type === 'Task')
        .flatMap(([, s]) => actionsOf(s as State)),
    );
    expect([...called].sort()).toEqual([...WORKFLOWS[name].serviceActions].sort());
  });
});
