/** The parsed form of condition, update and projection expressions. */
import type { AttributeValue } from './values';

export type PathElement = string | number;
export type DocPath = PathElement[];

export type Operand =
  | { kind: 'path'; path: DocPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'size'; path: DocPath };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ConditionFunction =
  | 'attribute_exists'
  | 'attribute_not_exists'
  | 'attribute_type'
  | 'begins_with'
  | 'contains';

export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; candidates: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] };

export type UpdateValue =
  | { kind: 'path'; path: DocPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'arith'; op: '+' | '-'; left: UpdateValue; right: UpdateValue }
  | { kind: 'if_not_exists'; path: DocPath; fallback: UpdateValue }
  | { kind: 'list_append'; first: UpdateValue; second: UpdateValue };

export type UpdateAction =
  | { kind: 'SET'; path: DocPath; value: UpdateValue }
  | { kind: 'REMOVE'; path: DocPath }
  | { kind: 'ADD' | 'DELETE'; path: DocPath; value: AttributeValue };
