/**
 * A table in memory: its schema, items keyed by their encoded primary key, and the partition maps that let
 * Query touch one partition (of the table or of an index) only. Writes go through `storeItem` so the maps
 * stay in step; `checkItem` and `readKey` validate keys and items as DynamoDB does.
 */

import { indexAdd, indexRemove } from '../shared';
import { AwsError } from '../types';
import { validation } from './errors';
import {
  type AttributeValue,
  cloneValue,
  type Item,
  importItem,
  itemSize,
  type KeyType,
  typeOf,
} from './values';

const MAX_ITEM_BYTES = 400 * 1024;

export interface KeySchema {
  partitionKey: string;
  sortKey?: string;
}

export interface IndexDefinition extends KeySchema {
  IndexName: string;
  /** Attributes copied into the index; every attribute by default. */
  projection?: 'ALL' | 'KEYS_ONLY' | { include: string[] };
}

export interface TableDefinition extends KeySchema {
  TableName: string;
  globalSecondaryIndexes?: IndexDefinition[];
  /** Declared key attribute types; undeclared key attributes accept any of S, N and B. */
  attributeTypes?: Record<string, KeyType>;
}

export interface Table {
  definition: TableDefinition;
  arn: string;
  createdAt: number;
  key: KeySchema;
  indexes: Map<string, IndexDefinition>;
  items: Map<string, Item>;
  /**
   * Partition key encoding → primary key strings, so Query touches one partition only. Kept for tables with
   * a sort key only: without one a partition is one item, found by its primary key (`partitionMembers`).
   */
  partitions: Map<string, Set<string>>;
  indexPartitions: Map<string, Map<string, Set<string>>>;
  /** Sorted primary key strings for Scan; rebuilt lazily after inserts and deletes. */
  scanOrder: string[] | undefined;
}

export function encodeScalar(av: AttributeValue): string {
  if (av.S !== undefined) return `S${av.S}`;
  if (av.N !== undefined) return `N${av.N}`;
  return `B${Buffer.from(av.B ?? []).toString('base64')}`;
}

export function isKeyScalar(av: AttributeValue | undefined): av is AttributeValue {
  return av !== undefined && (av.S !== undefined || av.N !== undefined || av.B !== undefined);
}

export function primaryKeyString(schema: KeySchema, item: Item): string {
  const pk = item[schema.partitionKey];
  const sk = schema.sortKey === undefined ? undefined : item[schema.sortKey];
  return JSON.stringify(sk ? [encodeScalar(pk ?? {}), encodeScalar(sk)] : [encodeScalar(pk ?? {})]);
}

export function keyAttributes(schema: KeySchema): string[] {
  return schema.sortKey === undefined ? [schema.partitionKey] : [schema.partitionKey, schema.sortKey];
}

export function pickKey(item: Item, names: string[]): Item {
  const key: Item = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) key[name] = cloneValue(value);
  }
  return key;
}

export function tableNamed(tables: ReadonlyMap<string, Table>, name: string): Table {
  const table = tables.get(name);
  if (!table) throw new AwsError('ResourceNotFoundException', 'Requested resource not found');
  return table;
}

function indexEntries(table: Table, item: Item): Array<[Map<string, Set<string>>, string]> {
  const entries: Array<[Map<string, Set<string>>, string]> = [];
  for (const [name, index] of table.indexes) {
    const pk = item[index.partitionKey];
    const sk = index.sortKey === undefined ? undefined : item[index.sortKey];
    // Sparse index: items without the index keys are not in it.
    if (!isKeyScalar(pk) || (index.sortKey !== undefined && !isKeyScalar(sk))) continue;
    const partitions = table.indexPartitions.get(name);
    if (partitions) entries.push([partitions, encodeScalar(pk)]);
  }
  return entries;
}

/** Writes (or deletes) one item, keeping the partition and index maps in step. */
export function storeItem(table: Table, keyString: string, item: Item | undefined): void {
  const old = table.items.get(keyString);
  const partitioned = table.key.sortKey !== undefined;
  if (old) {
    if (partitioned)
      indexRemove(table.partitions, encodeScalar(old[table.key.partitionKey] ?? {}), keyString);
    for (const [map, key] of indexEntries(table, old)) indexRemove(map, key, keyString);
  }
  if (item) {
    table.items.set(keyString, item);
    if (partitioned) indexAdd(table.partitions, encodeScalar(item[table.key.partitionKey] ?? {}), keyString);
    for (const [map, key] of indexEntries(table, item)) indexAdd(map, key, keyString);
    if (!old) table.scanOrder = undefined;
  } else if (old) {
    table.items.delete(keyString);
    table.scanOrder = undefined;
  }
}

/** The primary key strings of one partition of the table or of one of its indexes. */
export function partitionMembers(
  table: Table,
  partition: AttributeValue,
  index: IndexDefinition | undefined,
): ReadonlySet<string> {
  if (index) return table.indexPartitions.get(index.IndexName)?.get(encodeScalar(partition)) ?? new Set();
  if (table.key.sortKey !== undefined) return table.partitions.get(encodeScalar(partition)) ?? new Set();
  // No sort key: the partition is at most the one item of that key (storeItem keeps no partition map).
  const keyString = JSON.stringify([encodeScalar(partition)]);
  return new Set(table.items.has(keyString) ? [keyString] : []);
}

function checkKeyValue(table: Table, name: string, value: AttributeValue, index?: string): void {
  const declared = table.definition.attributeTypes?.[name];
  const actual = typeOf(value);
  if (declared ? actual !== declared : !isKeyScalar(value)) {
    const expected = declared ?? 'S';
    throw validation(
      index
        ? `One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${actual} IndexName: ${index}`
        : `One or more parameter values were invalid: Type mismatch for key ${name} expected: ${expected} actual: ${actual}`,
    );
  }
  if (value.S === '' || value.B?.length === 0) {
    throw validation(
      index
        ? `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${value.S === '' ? 'string' : 'binary'} value. IndexName: ${index}, IndexKey: ${name}`
        : `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${value.S === '' ? 'string' : 'binary'} value. Key: ${name}`,
    );
  }
}

/** Validates a whole item about to be stored: primary key, index keys and size. */
export function checkItem(table: Table, item: Item, tooLarge: string): void {
  for (const name of keyAttributes(table.key)) {
    const value = item[name];
    if (value === undefined)
      throw validation(`One or more parameter values were invalid: Missing the key ${name} in the item`);
    checkKeyValue(table, name, value);
  }
  for (const [indexName, index] of table.indexes) {
    for (const name of keyAttributes(index)) {
      const value = item[name];
      if (value !== undefined) checkKeyValue(table, name, value, indexName);
    }
  }
  if (itemSize(item) > MAX_ITEM_BYTES) throw validation(tooLarge);
}

/** Validates a `Key` parameter: exactly the table's key attributes, of key types. */
export function readKey(table: Table, raw: unknown): { key: Item; keyString: string } {
  const key = importItem(raw, 'Key');
  const names = keyAttributes(table.key);
  if (Object.keys(key).length !== names.length || names.some((n) => key[n] === undefined)) {
    throw validation('The provided key element does not match the schema');
  }
  for (const name of names) checkKeyValue(table, name, key[name] ?? {});
  return { key, keyString: primaryKeyString(table.key, key) };
}
