/** Reading the common request parameters: table name, return values and every expression at once. */
import type { Condition, DocPath, UpdateAction } from './ast';
import { validation } from './errors';
import { Parser } from './parser';
import { Placeholders } from './placeholders';
import type { ExpressionKind } from './tokens';

export type ReturnValues = 'NONE' | 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW';

export interface ExpressionSet {
  condition?: Condition;
  filter?: Condition;
  keyCondition?: Condition;
  projection?: DocPath[];
  update?: UpdateAction[];
}

export type Input = Record<string, unknown>;

export function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validation(`${key} must be a string`);
  return value;
}

const LEGACY_PARAMETERS = [
  'Expected',
  'AttributesToGet',
  'KeyConditions',
  'QueryFilter',
  'ScanFilter',
  'AttributeUpdates',
  'ConditionalOperator',
];

/** Parses every expression of a request against one set of placeholders, then insists all were used. */
export function parseExpressions(input: Input): ExpressionSet {
  for (const legacy of LEGACY_PARAMETERS) {
    if (input[legacy] !== undefined) {
      throw validation(`The sandbox supports expressions only; legacy parameter ${legacy} is not supported`);
    }
  }
  const placeholders = new Placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const sources: Array<[ExpressionKind, string | undefined]> = [
    ['ConditionExpression', optionalString(input, 'ConditionExpression')],
    ['FilterExpression', optionalString(input, 'FilterExpression')],
    ['KeyConditionExpression', optionalString(input, 'KeyConditionExpression')],
    ['ProjectionExpression', optionalString(input, 'ProjectionExpression')],
    ['UpdateExpression', optionalString(input, 'UpdateExpression')],
  ];
  if (sources.every(([, source]) => source === undefined)) {
    if (input.ExpressionAttributeNames !== undefined) {
      throw validation('ExpressionAttributeNames can only be specified when using expressions');
    }
    if (input.ExpressionAttributeValues !== undefined) {
      throw validation('ExpressionAttributeValues can only be specified when using expressions');
    }
  }
  const result: ExpressionSet = {};
  for (const [kind, source] of sources) {
    if (source === undefined) continue;
    const parser = new Parser(kind, source, placeholders);
    if (kind === 'ConditionExpression') result.condition = parser.parseCondition();
    else if (kind === 'FilterExpression') result.filter = parser.parseCondition();
    else if (kind === 'KeyConditionExpression') result.keyCondition = parser.parseCondition();
    else if (kind === 'ProjectionExpression') result.projection = parser.parseProjection();
    else result.update = parser.parseUpdate();
  }
  placeholders.checkAllUsed();
  return result;
}

export function tableNameFrom(input: Input): string {
  const raw = input.TableName;
  if (typeof raw !== 'string' || raw.length === 0) {
    throw validation(
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    );
  }
  // The SDK accepts table ARNs in TableName.
  const arn = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/(.+)$/.exec(raw);
  return arn?.[1] ?? raw;
}

export function returnValuesOf(input: Input, allowed: ReturnValues[]): ReturnValues {
  const value = input.ReturnValues ?? 'NONE';
  if (typeof value !== 'string' || !(allowed as string[]).includes(value)) {
    throw validation('Return values set to invalid value');
  }
  return value as ReturnValues;
}

export function returnOldOnFailure(input: Input): boolean {
  const value = input.ReturnValuesOnConditionCheckFailure ?? 'NONE';
  if (value !== 'NONE' && value !== 'ALL_OLD')
    throw validation('Return values on condition check failure set to invalid value');
  return value === 'ALL_OLD';
}
