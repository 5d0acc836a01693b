/** Query's key condition: `pk = :v [AND <sort key predicate>]`, turned into a partition and a sort test. */
import type { AwsError } from '../types';
import type { Comparator, Condition, DocPath } from './ast';
import { validation } from './errors';
import { evaluate, evaluateFunction } from './evaluate';
import type { KeySchema } from './table';
import type { AttributeValue } from './values';

interface KeyRange {
  partition: AttributeValue;
  sort?: (value: AttributeValue) => boolean;
}

/** Checks a key condition is `pk = :v [AND <sort key predicate>]` on the queried schema. */
export function keyRange(condition: Condition, schema: KeySchema): KeyRange {
  const terms: Condition[] = [];
  const flatten = (c: Condition): void => {
    if (c.kind === 'and') {
      flatten(c.left);
      flatten(c.right);
    } else terms.push(c);
  };
  flatten(condition);
  let partition: AttributeValue | undefined;
  let sort: ((value: AttributeValue) => boolean) | undefined;
  const unsupported = (): AwsError => validation('Query key condition not supported');
  const twice = (): AwsError => validation('KeyConditionExpressions must only contain one condition per key');
  for (const term of terms) {
    let attribute: DocPath;
    let predicate: (value: AttributeValue) => boolean;
    let equality: AttributeValue | undefined;
    if (term.kind === 'compare') {
      if (term.op === '<>') throw validation('Unsupported operator on KeyConditionExpression: operator: <>');
      const flipped = term.left.kind === 'value';
      const pathSide = flipped ? term.right : term.left;
      const valueSide = flipped ? term.left : term.right;
      if (pathSide.kind !== 'path' || valueSide.kind !== 'value') throw unsupported();
      attribute = pathSide.path;
      const bound = valueSide.value;
      const flip: Record<Comparator, Comparator> = {
        '=': '=',
        '<>': '<>',
        '<': '>',
        '<=': '>=',
        '>': '<',
        '>=': '<=',
      };
      const op = flipped ? flip[term.op] : term.op;
      const probe = (v: AttributeValue): Condition => ({
        kind: 'compare',
        op,
        left: { kind: 'value', value: v },
        right: { kind: 'value', value: bound },
      });
      predicate = (v) => evaluate(probe(v), {});
      if (op === '=') equality = bound;
    } else if (term.kind === 'between') {
      const { operand, low, high } = term;
      if (operand.kind !== 'path' || low.kind !== 'value' || high.kind !== 'value') throw unsupported();
      attribute = operand.path;
      predicate = (v) => evaluate({ ...term, operand: { kind: 'value', value: v } }, {});
    } else if (term.kind === 'function' && term.name === 'begins_with') {
      const [first, second] = term.args;
      if (first?.kind !== 'path' || second?.kind !== 'value') throw unsupported();
      attribute = first.path;
      predicate = (v) => evaluateFunction('begins_with', [{ kind: 'value', value: v }, second], {});
    } else {
      const operator = term.kind === 'function' ? term.name : term.kind.toUpperCase();
      throw validation(`Invalid operator used in KeyConditionExpression: ${operator}`);
    }
    const [name, ...nested] = attribute;
    if (nested.length > 0) throw unsupported();
    if (name === schema.partitionKey) {
      if (partition !== undefined) throw twice();
      if (equality === undefined) throw unsupported();
      partition = equality;
    } else if (name === schema.sortKey) {
      if (sort !== undefined) throw twice();
      sort = predicate;
    } else {
      throw partition === undefined
        ? validation(`Query condition missed key schema element: ${schema.partitionKey}`)
        : unsupported();
    }
  }
  if (partition === undefined)
    throw validation(`Query condition missed key schema element: ${schema.partitionKey}`);
  return sort ? { partition, sort } : { partition };
}
