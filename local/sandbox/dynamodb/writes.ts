/**
 * Single-item writes as plans: each PutItem, UpdateItem, DeleteItem (and each batch or transaction entry) is
 * validated into a plan first, then its condition is checked and its new item computed, then committed.
 */
import { AwsError } from '../types';
import type { Condition, DocPath } from './ast';
import { validation } from './errors';
import { evaluate } from './evaluate';
import { projectItem } from './projection';
import { type Input, parseExpressions, returnOldOnFailure, returnValuesOf, tableNameFrom } from './requests';
import {
  checkItem,
  keyAttributes,
  pickKey,
  primaryKeyString,
  readKey,
  storeItem,
  type Table,
  tableNamed,
} from './table';
import { applyUpdate } from './update';
import { cloneItem, type Item, importItem } from './values';

/** A validated single-item write, ready to check and apply; shared by the item APIs and transactions. */
export interface WritePlan {
  table: Table;
  keyString: string;
  key: Item;
  condition: Condition | undefined;
  returnOldOnFailure: boolean;
  /** The new state of the item from its current one; `undefined` deletes, `null` leaves it untouched. */
  apply: (current: Item | undefined) => Item | undefined | null;
  updatedPaths: DocPath[];
}

function conditionalCheckFailed(item: Item | undefined): AwsError {
  const error = new AwsError('ConditionalCheckFailedException', 'The conditional request failed');
  return item ? Object.assign(error, { Item: cloneItem(item) }) : error;
}

export function planPut(tables: ReadonlyMap<string, Table>, input: Input): WritePlan {
  const table = tableNamed(tables, tableNameFrom(input));
  const item = importItem(input.Item, 'Item');
  checkItem(table, item, 'Item size has exceeded the maximum allowed size');
  const expressions = parseExpressions(input);
  if (expressions.update || expressions.filter || expressions.keyCondition || expressions.projection) {
    throw validation('PutItem accepts only a ConditionExpression');
  }
  return {
    table,
    keyString: primaryKeyString(table.key, item),
    key: pickKey(item, keyAttributes(table.key)),
    condition: expressions.condition,
    returnOldOnFailure: returnOldOnFailure(input),
    apply: () => cloneItem(item),
    updatedPaths: [],
  };
}

export function planDelete(
  tables: ReadonlyMap<string, Table>,
  input: Input,
  conditionCheck = false,
): WritePlan {
  const table = tableNamed(tables, tableNameFrom(input));
  const { key, keyString } = readKey(table, input.Key);
  const expressions = parseExpressions(input);
  if (expressions.update || expressions.filter || expressions.keyCondition || expressions.projection) {
    throw validation(
      `${conditionCheck ? 'ConditionCheck' : 'DeleteItem'} accepts only a ConditionExpression`,
    );
  }
  if (conditionCheck && !expressions.condition) {
    throw validation('The ConditionExpression parameter is required for a ConditionCheck');
  }
  return {
    table,
    keyString,
    key,
    condition: expressions.condition,
    returnOldOnFailure: returnOldOnFailure(input),
    apply: () => (conditionCheck ? null : undefined),
    updatedPaths: [],
  };
}

export function planUpdate(tables: ReadonlyMap<string, Table>, input: Input): WritePlan {
  const table = tableNamed(tables, tableNameFrom(input));
  const { key, keyString } = readKey(table, input.Key);
  const expressions = parseExpressions(input);
  if (expressions.filter || expressions.keyCondition || expressions.projection) {
    throw validation('UpdateItem accepts only an UpdateExpression and a ConditionExpression');
  }
  const actions = expressions.update ?? [];
  const keyNames = keyAttributes(table.key);
  for (const action of actions) {
    const [attribute] = action.path;
    if (typeof attribute === 'string' && keyNames.includes(attribute)) {
      throw validation(
        `One or more parameter values were invalid: Cannot update attribute ${attribute}. This attribute is part of the key`,
      );
    }
  }
  return {
    table,
    keyString,
    key,
    condition: expressions.condition,
    returnOldOnFailure: returnOldOnFailure(input),
    apply: (current) => {
      const next = applyUpdate(current ?? key, actions);
      checkItem(table, next, 'Item size to update has exceeded the maximum allowed size');
      return next;
    },
    updatedPaths: actions.map((a) => a.path),
  };
}

/** Checks the condition and computes the new state without storing it. */
export function evaluatePlan(plan: WritePlan): { current: Item | undefined; next: Item | undefined | null } {
  const current = plan.table.items.get(plan.keyString);
  if (plan.condition && !evaluate(plan.condition, current ?? {})) {
    throw conditionalCheckFailed(plan.returnOldOnFailure ? current : undefined);
  }
  return { current, next: plan.apply(current) };
}

export function commit(plan: WritePlan, next: Item | undefined | null): void {
  if (next !== null) storeItem(plan.table, plan.keyString, next);
}

export function putItem(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  return writeReturningOld(tables, input, planPut);
}

export function deleteItem(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  return writeReturningOld(tables, input, planDelete);
}

/** PutItem and DeleteItem: one planned write, answered with the item it replaced when ALL_OLD asks for it. */
function writeReturningOld(
  tables: ReadonlyMap<string, Table>,
  input: Input,
  plan: (tables: ReadonlyMap<string, Table>, input: Input) => WritePlan,
): unknown {
  const returnValues = returnValuesOf(input, ['NONE', 'ALL_OLD']);
  const write = plan(tables, input);
  const { current, next } = evaluatePlan(write);
  commit(write, next);
  return returnValues === 'ALL_OLD' && current ? { Attributes: cloneItem(current) } : {};
}

export function updateItem(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  const returnValues = returnValuesOf(input, ['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']);
  const plan = planUpdate(tables, input);
  const { current, next } = evaluatePlan(plan);
  commit(plan, next);
  const after = next ?? undefined;
  let attributes: Item | undefined;
  if (returnValues === 'ALL_OLD') attributes = current && cloneItem(current);
  else if (returnValues === 'ALL_NEW') attributes = after && cloneItem(after);
  else if (returnValues === 'UPDATED_OLD') attributes = current && projectItem(current, plan.updatedPaths);
  else if (returnValues === 'UPDATED_NEW') attributes = after && projectItem(after, plan.updatedPaths);
  return attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
}
