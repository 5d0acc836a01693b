/** Applies parsed update expressions (SET, REMOVE, ADD, DELETE) to a copy of an item. */
import type { DocPath, UpdateAction, UpdateValue } from './ast';
import { validation } from './errors';
import { resolvePath } from './evaluate';
import {
  type AttributeValue,
  addNumbers,
  cloneItem,
  cloneValue,
  type Item,
  makeSet,
  setMembers,
  typeOf,
  valuesEqual,
} from './values';

const INCORRECT_OPERAND = 'An operand in the update expression has an incorrect data type';
const INVALID_UPDATE_PATH = 'The document path provided in the update expression is invalid for update';

function updateValue(value: UpdateValue, base: Item): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const found = resolvePath(base, value.path);
      if (found === undefined) {
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      }
      return found;
    }
    case 'if_not_exists':
      return resolvePath(base, value.path) ?? updateValue(value.fallback, base);
    case 'list_append': {
      const first = updateValue(value.first, base);
      const second = updateValue(value.second, base);
      if (first.L === undefined || second.L === undefined) throw validation(INCORRECT_OPERAND);
      return { L: [...first.L, ...second.L] };
    }
    case 'arith': {
      const left = updateValue(value.left, base);
      const right = updateValue(value.right, base);
      if (left.N === undefined || right.N === undefined) throw validation(INCORRECT_OPERAND);
      return { N: addNumbers(left.N, right.N, value.op === '-') };
    }
  }
}

/** The container holding the last element of `path`, or an invalid-path error. */
function parentOf(item: Item, path: DocPath): AttributeValue {
  const parent = resolvePath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined || (typeof last === 'number' ? parent.L : parent.M) === undefined) {
    throw validation(INVALID_UPDATE_PATH);
  }
  return parent;
}

function setPath(item: Item, path: DocPath, value: AttributeValue): void {
  const last = path[path.length - 1];
  if (path.length === 1 && typeof last === 'string') {
    item[last] = value;
    return;
  }
  const parent = parentOf(item, path);
  if (typeof last === 'number') {
    const list = parent.L ?? [];
    // Past the end appends, as in DynamoDB.
    if (last >= list.length) list.push(value);
    else list[last] = value;
  } else if (last !== undefined && parent.M) {
    parent.M[last] = value;
  }
}

function removePath(item: Item, path: DocPath): void {
  const last = path[path.length - 1];
  if (path.length === 1 && typeof last === 'string') {
    delete item[last];
    return;
  }
  const parent = parentOf(item, path);
  if (typeof last === 'number') parent.L?.splice(last, 1);
  else if (last !== undefined && parent.M) delete parent.M[last];
}

function addToValue(existing: AttributeValue | undefined, operand: AttributeValue): AttributeValue {
  if (existing === undefined) return cloneValue(operand);
  const type = typeOf(operand);
  if (typeOf(existing) !== type) throw validation(INCORRECT_OPERAND);
  if (type === 'N') return { N: addNumbers(existing.N ?? '0', operand.N ?? '0') };
  const members = setMembers(existing);
  for (const member of setMembers(operand)) {
    if (!members.some((m) => valuesEqual(m, member))) members.push(member);
  }
  return makeSet(type as 'SS' | 'NS' | 'BS', members);
}

function deleteFromValue(existing: AttributeValue, operand: AttributeValue): AttributeValue | undefined {
  const type = typeOf(operand);
  if (typeOf(existing) !== type) throw validation(INCORRECT_OPERAND);
  const removed = setMembers(operand);
  const members = setMembers(existing).filter((m) => !removed.some((r) => valuesEqual(m, r)));
  return members.length === 0 ? undefined : makeSet(type as 'SS' | 'NS' | 'BS', members);
}

/** Applies update actions to a copy of the item; every right-hand side reads the item as it was before. */
export function applyUpdate(before: Item, actions: UpdateAction[]): Item {
  const after = cloneItem(before);
  const sets = actions.flatMap((a) =>
    a.kind === 'SET' ? [{ path: a.path, value: updateValue(a.value, before) }] : [],
  );
  for (const { path, value } of sets) setPath(after, path, cloneValue(value));
  // Remove higher list indexes first so earlier removals do not shift later ones.
  const removals = actions.filter((a) => a.kind === 'REMOVE');
  removals.sort((a, b) => {
    const x = a.path[a.path.length - 1];
    const y = b.path[b.path.length - 1];
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
  for (const action of removals) removePath(after, action.path);
  for (const action of actions) {
    if (action.kind === 'ADD') {
      const existing = resolvePath(after, action.path);
      setPath(after, action.path, addToValue(existing, action.value));
    } else if (action.kind === 'DELETE') {
      const existing = resolvePath(after, action.path);
      if (existing === undefined) continue;
      const remaining = deleteFromValue(existing, action.value);
      if (remaining === undefined) removePath(after, action.path);
      else setPath(after, action.path, remaining);
    }
  }
  return after;
}
