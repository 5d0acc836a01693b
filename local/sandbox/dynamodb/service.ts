/**
 * Sandbox DynamoDB: tables held in memory, reached through the real SDK v3 client. Items keep the
 * AttributeValue wire shape; numbers stay strings on the wire but are normalised, compared and added as
 * exact decimals. Condition, filter, key-condition, projection and update expressions go through a real
 * tokenizer and recursive-descent parser so the errors a handler would meet in AWS (reserved words,
 * unused placeholders, syntax errors, key updates) surface here too.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { type AccountContext, AwsError, type Operation, type SandboxService } from '../types';
import { validation } from './errors';
import { projectItem } from './projection';
import { getItem, query, scan } from './reads';
import { type Input, parseExpressions, tableNameFrom } from './requests';
import {
  type KeySchema,
  keyAttributes,
  primaryKeyString,
  readKey,
  storeItem,
  type Table,
  type TableDefinition,
  tableNamed,
} from './table';
import { TransactionWriter } from './transactions';
import { cloneItem, fromJsonItem, type Item, importItem, isMapLike, toJsonItem } from './values';
import {
  commit,
  deleteItem,
  evaluatePlan,
  planDelete,
  planPut,
  putItem,
  updateItem,
  type WritePlan,
} from './writes';

export class DynamoDbService implements SandboxService {
  readonly name = 'dynamodb' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly tables = new Map<string, Table>();
  private readonly transactions: TransactionWriter;

  constructor(private readonly ctx: AccountContext) {
    this.transactions = new TransactionWriter(this.tables, ctx);
    this.operations = {
      PutItem: (input) => putItem(this.tables, input),
      GetItem: (input) => getItem(this.tables, input),
      UpdateItem: (input) => updateItem(this.tables, input),
      DeleteItem: (input) => deleteItem(this.tables, input),
      Query: (input) => query(this.tables, input),
      Scan: (input) => scan(this.tables, input),
      TransactWriteItems: (input) => this.transactions.write(input),
      TransactGetItems: (input) => this.transactGetItems(input),
      BatchGetItem: (input) => this.batchGetItem(input),
      BatchWriteItem: (input) => this.batchWriteItem(input),
      DescribeTable: (input) => this.describeTable(input),
      ListTables: () => ({ TableNames: [...this.tables.keys()].sort() }),
    };
  }

  // --- provisioning ------------------------------------------------------------------------------------

  createTable(definition: TableDefinition): void {
    if (this.tables.has(definition.TableName)) {
      throw new AwsError('ResourceInUseException', `Table already exists: ${definition.TableName}`);
    }
    const { partitionKey, sortKey } = definition;
    const indexes = new Map(
      (definition.globalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]),
    );
    const table: Table = {
      definition: structuredClone(definition),
      arn: `arn:${this.ctx.partition}:dynamodb:${this.ctx.region}:${this.ctx.accountId}:table/${definition.TableName}`,
      createdAt: this.ctx.now(),
      key: sortKey === undefined ? { partitionKey } : { partitionKey, sortKey },
      indexes,
      items: new Map(),
      partitions: new Map(),
      indexPartitions: new Map([...indexes.keys()].map((name) => [name, new Map()])),
      scanOrder: undefined,
    };
    this.tables.set(definition.TableName, table);
  }

  /** Copies of a table's items in the SDK's AttributeValue type (ready for `unmarshall`), for tests and the CLI. */
  items(tableName: string): Array<Record<string, SdkAttributeValue>> {
    // Stored values carry exactly one type tag, which is what the SDK's union type describes.
    return [...tableNamed(this.tables, tableName).items.values()].map(cloneItem) as Array<
      Record<string, SdkAttributeValue>
    >;
  }

  snapshot(): unknown {
    return {
      tables: [...this.tables.values()].map((table) => ({
        definition: table.definition,
        createdAt: table.createdAt,
        items: [...table.items.values()].map(toJsonItem),
      })),
    };
  }

  restore(state: unknown): void {
    this.tables.clear();
    const tables = isMapLike(state) && Array.isArray(state.tables) ? state.tables : [];
    for (const entry of tables) {
      if (!isMapLike(entry) || !isMapLike(entry.definition)) continue;
      const definition = entry.definition as unknown as TableDefinition;
      this.createTable(definition);
      const table = tableNamed(this.tables, definition.TableName);
      if (typeof entry.createdAt === 'number') table.createdAt = entry.createdAt;
      for (const raw of Array.isArray(entry.items) ? entry.items : []) {
        const item = importItem(isMapLike(raw) ? fromJsonItem(raw) : raw, 'Item');
        storeItem(table, primaryKeyString(table.key, item), item);
      }
    }
  }

  // --- batches and transactions ------------------------------------------------------------------------

  private batchGetItem(input: Input): unknown {
    const requests = isMapLike(input.RequestItems) ? input.RequestItems : {};
    const responses: Record<string, Item[]> = {};
    let total = 0;
    for (const [tableName, rawRequest] of Object.entries(requests)) {
      const request = isMapLike(rawRequest) ? rawRequest : {};
      const table = tableNamed(this.tables, tableName);
      const keys = Array.isArray(request.Keys) ? request.Keys : [];
      total += keys.length;
      const { Keys: _keys, ...expressionInput } = request;
      const expressions = parseExpressions(expressionInput);
      const seen = new Set<string>();
      const found: Item[] = [];
      for (const rawKey of keys) {
        const { keyString } = readKey(table, rawKey);
        if (seen.has(keyString)) throw validation('Provided list of item keys contains duplicates');
        seen.add(keyString);
        const item = table.items.get(keyString);
        if (item)
          found.push(expressions.projection ? projectItem(item, expressions.projection) : cloneItem(item));
      }
      responses[tableName] = found;
    }
    if (total === 0 || total > 100) {
      throw validation('Too many items requested for the BatchGetItem call');
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private batchWriteItem(input: Input): unknown {
    const requests = isMapLike(input.RequestItems) ? input.RequestItems : {};
    const plans: WritePlan[] = [];
    for (const [tableName, rawList] of Object.entries(requests)) {
      for (const raw of Array.isArray(rawList) ? rawList : []) {
        const request = isMapLike(raw) ? raw : {};
        if (isMapLike(request.PutRequest))
          plans.push(planPut(this.tables, { TableName: tableName, Item: request.PutRequest.Item }));
        else if (isMapLike(request.DeleteRequest)) {
          plans.push(planDelete(this.tables, { TableName: tableName, Key: request.DeleteRequest.Key }));
        } else
          throw validation(
            'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
          );
      }
    }
    if (plans.length === 0 || plans.length > 25) {
      throw validation(
        `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]`,
      );
    }
    this.checkDistinct(plans, 'Provided list of item keys contains duplicates');
    for (const plan of plans) commit(plan, evaluatePlan(plan).next);
    return { UnprocessedItems: {} };
  }

  private checkDistinct(plans: WritePlan[], message: string): void {
    const seen = new Set<string>();
    for (const plan of plans) {
      const id = `${plan.table.definition.TableName}\u0000${plan.keyString}`;
      if (seen.has(id)) throw validation(message);
      seen.add(id);
    }
  }

  private transactGetItems(input: Input): unknown {
    const entries = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    if (entries.length === 0 || entries.length > 100) {
      throw validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint");
    }
    const responses = entries.map((raw: unknown) => {
      const get = isMapLike(raw) && isMapLike(raw.Get) ? raw.Get : undefined;
      if (!get) throw validation('TransactItems can only contain Get');
      const result = getItem(this.tables, get) as { Item?: Item };
      return result.Item ? { Item: result.Item } : {};
    });
    return { Responses: responses };
  }

  private describeTable(input: Input): unknown {
    const table = tableNamed(this.tables, tableNameFrom(input));
    const keySchema = (schema: KeySchema) => [
      { AttributeName: schema.partitionKey, KeyType: 'HASH' },
      ...(schema.sortKey === undefined ? [] : [{ AttributeName: schema.sortKey, KeyType: 'RANGE' }]),
    ];
    const names = new Set([
      ...keyAttributes(table.key),
      ...[...table.indexes.values()].flatMap(keyAttributes),
    ]);
    return {
      Table: {
        TableName: table.definition.TableName,
        TableArn: table.arn,
        TableStatus: 'ACTIVE',
        CreationDateTime: new Date(table.createdAt),
        KeySchema: keySchema(table.key),
        AttributeDefinitions: [...names].map((name) => ({
          AttributeName: name,
          AttributeType: table.definition.attributeTypes?.[name] ?? 'S',
        })),
        ItemCount: table.items.size,
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        ...(table.indexes.size > 0
          ? {
              GlobalSecondaryIndexes: [...table.indexes.values()].map((index) => ({
                IndexName: index.IndexName,
                KeySchema: keySchema(index),
                IndexStatus: 'ACTIVE',
                Projection: {
                  ProjectionType:
                    typeof index.projection === 'object' ? 'INCLUDE' : (index.projection ?? 'ALL'),
                },
                ItemCount: [...(table.indexPartitions.get(index.IndexName)?.values() ?? [])].reduce(
                  (sum, members) => sum + members.size,
                  0,
                ),
              })),
            }
          : {}),
      },
    };
  }
}
