/** Reads: GetItem, and Query and Scan with their ordering, pagination, 1 MB page cap, filter and projection. */
import type { Condition, DocPath } from './ast';
import { validation } from './errors';
import { evaluate } from './evaluate';
import { keyRange } from './key-condition';
import { projectItem } from './projection';
import { type Input, optionalString, parseExpressions, tableNameFrom } from './requests';
import {
  type IndexDefinition,
  isKeyScalar,
  type KeySchema,
  keyAttributes,
  partitionMembers,
  pickKey,
  primaryKeyString,
  readKey,
  type Table,
  tableNamed,
} from './table';
import { cloneItem, type Item, importItem, itemOrder, itemSize } from './values';

const MAX_PAGE_BYTES = 1024 * 1024;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function getItem(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  const table = tableNamed(tables, tableNameFrom(input));
  const { keyString } = readKey(table, input.Key);
  const expressions = parseExpressions(input);
  if (expressions.condition || expressions.filter || expressions.keyCondition || expressions.update) {
    throw validation('GetItem accepts only a ProjectionExpression');
  }
  const item = table.items.get(keyString);
  if (!item) return {};
  return { Item: expressions.projection ? projectItem(item, expressions.projection) : cloneItem(item) };
}

function output(item: Item, table: Table, index: IndexDefinition | undefined, projection?: DocPath[]): Item {
  let visible = item;
  const indexProjection = index?.projection ?? 'ALL';
  if (index && indexProjection !== 'ALL') {
    const names = [...keyAttributes(table.key), ...keyAttributes(index)];
    if (typeof indexProjection === 'object') names.push(...indexProjection.include);
    visible = pickKey(item, names);
  }
  return projection ? projectItem(visible, projection) : cloneItem(visible);
}

function readSearchOptions(input: Input, table: Table) {
  const indexName = optionalString(input, 'IndexName');
  const index = indexName === undefined ? undefined : table.indexes.get(indexName);
  if (indexName !== undefined && !index) {
    throw validation(`The table does not have the specified index: ${indexName}`);
  }
  if (index && input.ConsistentRead === true) {
    throw validation('Consistent reads are not supported on global secondary indexes');
  }
  const limit = input.Limit;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw validation(
      `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  const select = input.Select;
  const lastKeyNames = [...new Set([...keyAttributes(table.key), ...(index ? keyAttributes(index) : [])])];
  let start: Item | undefined;
  if (input.ExclusiveStartKey !== undefined) {
    start = importItem(input.ExclusiveStartKey, 'ExclusiveStartKey');
    const names = Object.keys(start);
    if (names.length !== lastKeyNames.length || lastKeyNames.some((n) => !isKeyScalar(start?.[n]))) {
      throw validation(
        'The provided starting key is invalid: The provided key element does not match the schema',
      );
    }
  }
  return { index, limit: limit as number | undefined, countOnly: select === 'COUNT', lastKeyNames, start };
}

/** Walks candidate items in order, applying Limit (items evaluated), the 1 MB page cap and the filter. */
function page(
  ordered: Item[],
  options: { limit: number | undefined; countOnly: boolean; lastKeyNames: string[] },
  filter: Condition | undefined,
  emit: (item: Item) => Item,
): Record<string, unknown> {
  const items: Item[] = [];
  let scanned = 0;
  let bytes = 0;
  let lastEvaluated: Item | undefined;
  for (const item of ordered) {
    scanned++;
    bytes += itemSize(item);
    if (!filter || evaluate(filter, item)) {
      if (!options.countOnly) items.push(emit(item));
    }
    const full = bytes >= MAX_PAGE_BYTES && scanned < ordered.length;
    // Like DynamoDB, reaching Limit yields a LastEvaluatedKey even when nothing follows.
    if (scanned === options.limit || full) {
      lastEvaluated = pickKey(item, options.lastKeyNames);
      break;
    }
  }
  const count = options.countOnly
    ? ordered.slice(0, scanned).filter((i) => !filter || evaluate(filter, i)).length
    : items.length;
  return {
    ...(options.countOnly ? {} : { Items: items }),
    Count: count,
    ScannedCount: scanned,
    ...(lastEvaluated ? { LastEvaluatedKey: lastEvaluated } : {}),
  };
}

export function query(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  const table = tableNamed(tables, tableNameFrom(input));
  const options = readSearchOptions(input, table);
  const expressions = parseExpressions(input);
  if (expressions.condition || expressions.update) {
    throw validation('Query accepts KeyConditionExpression, FilterExpression and ProjectionExpression only');
  }
  if (!expressions.keyCondition) {
    throw validation(
      'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
    );
  }
  const schema: KeySchema = options.index ?? table.key;
  const range = keyRange(expressions.keyCondition, schema);
  const members = partitionMembers(table, range.partition, options.index);
  const sortKey = schema.sortKey;
  const candidates: Item[] = [];
  for (const keyString of members) {
    const item = table.items.get(keyString);
    if (!item) continue;
    const sortValue = sortKey === undefined ? undefined : item[sortKey];
    if (range.sort && (!sortValue || !range.sort(sortValue))) continue;
    candidates.push(item);
  }
  const forward = input.ScanIndexForward !== false;
  const compare = itemOrder(
    sortKey,
    forward,
    options.index ? (item) => primaryKeyString(table.key, item) : undefined,
  );
  candidates.sort(compare);
  const start = options.start;
  const ordered = start ? candidates.filter((item) => compare(item, start) > 0) : candidates;
  return page(ordered, options, expressions.filter, (item) =>
    output(item, table, options.index, expressions.projection),
  );
}

export function scan(tables: ReadonlyMap<string, Table>, input: Input): unknown {
  const table = tableNamed(tables, tableNameFrom(input));
  const options = readSearchOptions(input, table);
  const expressions = parseExpressions(input);
  if (expressions.condition || expressions.update || expressions.keyCondition) {
    throw validation('Scan accepts FilterExpression and ProjectionExpression only');
  }
  const { Segment: segment, TotalSegments: totalSegments } = input;
  if ((segment === undefined) !== (totalSegments === undefined)) {
    throw validation('Segment and TotalSegments must be specified together');
  }
  if (
    typeof totalSegments === 'number' &&
    (typeof segment !== 'number' || segment < 0 || segment >= totalSegments || totalSegments < 1)
  ) {
    throw validation(
      `The Segment parameter is invalid: Segment: ${String(segment)}, TotalSegments: ${totalSegments}`,
    );
  }
  table.scanOrder ??= [...table.items.keys()].sort();
  const order = table.scanOrder;
  let from = 0;
  if (options.start) {
    const startKey = primaryKeyString(table.key, options.start);
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((order[mid] ?? '') <= startKey) low = mid + 1;
      else high = mid;
    }
    from = low;
  }
  const ordered: Item[] = [];
  for (let i = from; i < order.length; i++) {
    const keyString = order[i] ?? '';
    if (typeof totalSegments === 'number' && fnv1a(keyString) % totalSegments !== segment) continue;
    const item = table.items.get(keyString);
    if (!item) continue;
    if (options.index && !keyAttributes(options.index).every((n) => isKeyScalar(item[n]))) continue;
    ordered.push(item);
    // Only as many items as one page can hold are needed.
    if (options.limit !== undefined && ordered.length >= options.limit) break;
  }
  return page(ordered, options, expressions.filter, (item) =>
    output(item, table, options.index, expressions.projection),
  );
}
