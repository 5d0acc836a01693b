/** Evaluates parsed conditions (condition, filter and key-condition expressions) against an item. */
import type { Condition, ConditionFunction, DocPath, Operand } from './ast';
import {
  type AttributeValue,
  bytesContain,
  bytesStartWith,
  compareScalars,
  type Item,
  setMembers,
  typeOf,
  valuesEqual,
} from './values';

export function resolvePath(item: Item, path: DocPath): AttributeValue | undefined {
  const [head, ...rest] = path;
  if (typeof head !== 'string') return undefined;
  let current = item[head];
  for (const element of rest) {
    if (current === undefined) return undefined;
    current = typeof element === 'number' ? current.L?.[element] : current.M?.[element];
  }
  return current;
}

function operandValue(operand: Operand, item: Item): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  const value = resolvePath(item, operand.path);
  if (operand.kind === 'path' || value === undefined) return value;
  // size() of a string counts UTF-8 bytes, like DynamoDB's own size accounting.
  switch (typeOf(value)) {
    case 'S':
      return { N: String(Buffer.byteLength(value.S ?? '', 'utf8')) };
    case 'B':
      return { N: String(value.B?.length ?? 0) };
    case 'M':
      return { N: String(Object.keys(value.M ?? {}).length) };
    case 'L':
      return { N: String(value.L?.length ?? 0) };
    case 'SS':
    case 'NS':
    case 'BS':
      return { N: String(setMembers(value).length) };
    default:
      return undefined;
  }
}

export function evaluate(condition: Condition, item: Item): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case 'not':
      return !evaluate(condition.condition, item);
    case 'compare': {
      const left = operandValue(condition.left, item);
      const right = operandValue(condition.right, item);
      if (condition.op === '=') return left !== undefined && right !== undefined && valuesEqual(left, right);
      // A missing attribute is "not equal" to anything.
      if (condition.op === '<>')
        return left === undefined || right === undefined || !valuesEqual(left, right);
      if (left === undefined || right === undefined) return false;
      const order = compareScalars(left, right);
      if (order === undefined) return false;
      if (condition.op === '<') return order < 0;
      if (condition.op === '<=') return order <= 0;
      if (condition.op === '>') return order > 0;
      return order >= 0;
    }
    case 'between': {
      const value = operandValue(condition.operand, item);
      const low = operandValue(condition.low, item);
      const high = operandValue(condition.high, item);
      if (value === undefined || low === undefined || high === undefined) return false;
      const fromLow = compareScalars(value, low);
      const toHigh = compareScalars(value, high);
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case 'in': {
      const value = operandValue(condition.operand, item);
      if (value === undefined) return false;
      return condition.candidates.some((candidate) => {
        const other = operandValue(candidate, item);
        return other !== undefined && valuesEqual(value, other);
      });
    }
    case 'function':
      return evaluateFunction(condition.name, condition.args, item);
  }
}

export function evaluateFunction(name: ConditionFunction, args: Operand[], item: Item): boolean {
  const [firstOperand, secondOperand] = args;
  const first = firstOperand ? operandValue(firstOperand, item) : undefined;
  const second = secondOperand ? operandValue(secondOperand, item) : undefined;
  switch (name) {
    case 'attribute_exists':
      return first !== undefined;
    case 'attribute_not_exists':
      return first === undefined;
    case 'attribute_type':
      return first !== undefined && second?.S === typeOf(first);
    case 'begins_with':
      if (first?.S !== undefined && second?.S !== undefined) return first.S.startsWith(second.S);
      if (first?.B !== undefined && second?.B !== undefined) return bytesStartWith(first.B, second.B);
      return false;
    case 'contains': {
      if (first === undefined || second === undefined) return false;
      if (first.S !== undefined) return second.S !== undefined && first.S.includes(second.S);
      if (first.B !== undefined) return second.B !== undefined && bytesContain(first.B, second.B);
      if (first.L !== undefined) return first.L.some((element) => valuesEqual(element, second));
      return setMembers(first).some((member) => valuesEqual(member, second));
    }
  }
}
