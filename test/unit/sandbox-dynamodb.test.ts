import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbService } from '../../local/sandbox/dynamodb';
import { attachService, clientConfig, testContext } from '../helpers/sandbox-transport';

type Caught = Error & Record<string, unknown>;

async function caught(promise: Promise<unknown>): Promise<Caught> {
  try {
    await promise;
  } catch (error) {
    return error as Caught;
  }
  throw new Error('expected the call to fail');
}

function setup() {
  const db = new DynamoDbService(testContext());
  db.createTable({
    TableName: 'incidents',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [{ IndexName: 'byState', partitionKey: 'state', sortKey: 'openedAt' }],
    attributeTypes: { pk: 'S', sk: 'S', state: 'S', openedAt: 'N' },
  });
  db.createTable({ TableName: 'counters', partitionKey: 'id' });
  const client = new DynamoDBClient(clientConfig);
  attachService(client, db);
  return { db, client };
}

describe('DynamoDB sandbox: writes and conditions', () => {
  test('a conditional put lets the first writer win and tells the second why it lost', async () => {
    const { client } = setup();
    const put = (owner: string) =>
      client.send(
        new PutItemCommand({
          TableName: 'incidents',
          Item: marshall({ pk: 'task#1', sk: 'lock', owner }),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    await put('first');
    const error = await caught(put('second'));
    expect(error.name).toBe('ConditionalCheckFailedException');
    expect(error.message).toBe('The conditional request failed');
    expect(unmarshall(error.Item as never)).toEqual({ pk: 'task#1', sk: 'lock', owner: 'first' });
    const stored = await client.send(
      new GetItemCommand({ TableName: 'incidents', Key: marshall({ pk: 'task#1', sk: 'lock' }) }),
    );
    expect(unmarshall(stored.Item ?? {})).toEqual({ pk: 'task#1', sk: 'lock', owner: 'first' });
  });

  test('an atomic counter with ADD stops at its cap under attribute_not_exists(n) OR n < :cap', async () => {
    const { client } = setup();
    const increment = () =>
      client.send(
        new UpdateItemCommand({
          TableName: 'counters',
          Key: marshall({ id: 'actions' }),
          UpdateExpression: 'ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :cap',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: marshall({ ':one': 1, ':cap': 3 }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
    const results = [await increment(), await increment(), await increment()];
    expect(results.map((r) => r.Attributes)).toEqual([
      { n: { N: '1' } },
      { n: { N: '2' } },
      { n: { N: '3' } },
    ]);
    expect((await caught(increment())).name).toBe('ConditionalCheckFailedException');
  });

  test('SET with if_not_exists and list_append keeps the first timestamp and appends events', async () => {
    const { client } = setup();
    const record = (at: number, event: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: 'incidents',
          Key: marshall({ pk: 'task#2', sk: 'timeline' }),
          UpdateExpression:
            'SET #first = if_not_exists(#first, :at), #last = :at, #events = list_append(if_not_exists(#events, :none), :event)',
          ExpressionAttributeNames: { '#first': 'firstSeen', '#last': 'lastSeen', '#events': 'events' },
          ExpressionAttributeValues: marshall({ ':at': at, ':none': [], ':event': [event] }),
          ReturnValues: 'ALL_NEW',
        }),
      );
    await record(100, 'stop');
    const second = await record(200, 'isolate');
    expect(unmarshall(second.Attributes ?? {})).toEqual({
      pk: 'task#2',
      sk: 'timeline',
      firstSeen: 100,
      lastSeen: 200,
      events: ['stop', 'isolate'],
    });
  });

  test('nested document paths, list indexes, sets and arithmetic', async () => {
    const { client } = setup();
    const key = marshall({ pk: 'task#3', sk: 'doc' });
    await client.send(
      new PutItemCommand({
        TableName: 'incidents',
        Item: {
          ...key,
          detail: { M: { container: { M: { image: { S: 'app:1' } } } } },
          steps: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] },
          tags: { SS: ['x', 'y'] },
          score: { N: '1.50' },
        },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: 'incidents',
        Key: key,
        UpdateExpression:
          'SET #d.#c.#img = :img, steps[1] = :b2, steps[9] = :tail, score = score + :delta REMOVE steps[0] ADD tags :more',
        ConditionExpression:
          '#d.#c.#img = :old AND size(steps) = :three AND contains(tags, :x) AND attribute_type(score, :n) AND score > :small',
        ExpressionAttributeNames: { '#d': 'detail', '#c': 'container', '#img': 'image' },
        ExpressionAttributeValues: {
          ':img': { S: 'app:2' },
          ':old': { S: 'app:1' },
          ':b2': { S: 'B' },
          ':tail': { S: 'z' },
          ':delta': { N: '0.25' },
          ':three': { N: '3' },
          ':x': { S: 'x' },
          ':n': { S: 'N' },
          ':small': { N: '1.4999' },
          ':more': { SS: ['z'] },
        },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: 'incidents',
        Key: key,
        UpdateExpression: 'DELETE tags :gone',
        ExpressionAttributeValues: { ':gone': { SS: ['x', 'absent'] } },
      }),
    );
    const { Item } = await client.send(new GetItemCommand({ TableName: 'incidents', Key: key }));
    expect(Item?.detail).toEqual({ M: { container: { M: { image: { S: 'app:2' } } } } });
    expect(Item?.steps).toEqual({ L: [{ S: 'B' }, { S: 'c' }, { S: 'z' }] });
    expect(Item?.tags).toEqual({ SS: ['y', 'z'] });
    // Numbers are normalised and added exactly.
    expect(Item?.score).toEqual({ N: '1.75' });
    const projected = await client.send(
      new GetItemCommand({
        TableName: 'incidents',
        Key: key,
        ProjectionExpression: 'detail.container, steps[2]',
      }),
    );
    expect(projected.Item).toEqual({
      detail: { M: { container: { M: { image: { S: 'app:2' } } } } },
      steps: { L: [{ S: 'z' }] },
    });
  });

  test('numbers compare numerically, not as strings', async () => {
    const { client } = setup();
    await client.send(new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'c', n: 10 }) }));
    const guarded = (limit: number) =>
      client.send(
        new DeleteItemCommand({
          TableName: 'counters',
          Key: marshall({ id: 'c' }),
          ConditionExpression: 'n > :limit',
          ExpressionAttributeValues: marshall({ ':limit': limit }),
          ReturnValues: 'ALL_OLD',
        }),
      );
    expect((await caught(guarded(10))).name).toBe('ConditionalCheckFailedException');
    const deleted = await guarded(9);
    expect(unmarshall(deleted.Attributes ?? {})).toEqual({ id: 'c', n: 10 });
  });

  test('callers cannot reach stored items through inputs or outputs', async () => {
    const { client } = setup();
    const item = marshall({ id: 'copy', list: ['a'] });
    await client.send(new PutItemCommand({ TableName: 'counters', Item: item }));
    item.list?.L?.push({ S: 'mutated' });
    const first = await client.send(
      new GetItemCommand({ TableName: 'counters', Key: marshall({ id: 'copy' }) }),
    );
    first.Item?.list?.L?.push({ S: 'mutated' });
    const second = await client.send(
      new GetItemCommand({ TableName: 'counters', Key: marshall({ id: 'copy' }) }),
    );
    expect(second.Item?.list).toEqual({ L: [{ S: 'a' }] });
  });
});

describe('DynamoDB sandbox: Query and Scan', () => {
  async function seed(client: DynamoDBClient) {
    for (let i = 1; i <= 7; i++) {
      await client.send(
        new PutItemCommand({
          TableName: 'incidents',
          Item: marshall({
            pk: 'cluster#a',
            sk: `finding#${String(i).padStart(3, '0')}`,
            severity: i,
            ...(i % 2 === 0 ? { state: 'OPEN', openedAt: 1000 - i } : {}),
          }),
        }),
      );
    }
    await client.send(
      new PutItemCommand({
        TableName: 'incidents',
        Item: marshall({ pk: 'cluster#b', sk: 'finding#001', severity: 9 }),
      }),
    );
  }

  async function queryAll(client: DynamoDBClient, input: QueryCommandInput) {
    const pages: Array<Record<string, unknown>[]> = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      pages.push((page.Items ?? []).map((i) => unmarshall(i)));
      start = page.LastEvaluatedKey;
    } while (start);
    return pages;
  }

  test('key conditions select one partition in sort key order, forwards or backwards', async () => {
    const { client } = setup();
    await seed(client);
    const between = await client.send(
      new QueryCommand({
        TableName: 'incidents',
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: marshall({
          ':pk': 'cluster#a',
          ':from': 'finding#002',
          ':to': 'finding#004',
        }),
        ScanIndexForward: false,
      }),
    );
    expect(between.Items?.map((i) => i.sk?.S)).toEqual(['finding#004', 'finding#003', 'finding#002']);
    const prefixed = await client.send(
      new QueryCommand({
        TableName: 'incidents',
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: 'severity >= :min',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: marshall({ ':pk': 'cluster#a', ':prefix': 'finding#00', ':min': 5 }),
      }),
    );
    expect(prefixed.Count).toBe(3);
    expect(prefixed.ScannedCount).toBe(7);
    for (const [op, count] of [
      ['<', 2],
      ['<=', 3],
      ['>', 4],
      ['>=', 5],
      ['=', 1],
    ] as const) {
      const result = await client.send(
        new QueryCommand({
          TableName: 'incidents',
          KeyConditionExpression: `pk = :pk AND sk ${op} :sk`,
          ExpressionAttributeValues: marshall({ ':pk': 'cluster#a', ':sk': 'finding#003' }),
          Select: 'COUNT',
        }),
      );
      expect([op, result.Count]).toEqual([op, count]);
    }
  });

  test('Limit pages through results with LastEvaluatedKey/ExclusiveStartKey', async () => {
    const { client } = setup();
    await seed(client);
    const pages = await queryAll(client, {
      TableName: 'incidents',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': 'cluster#a' }),
      Limit: 3,
    });
    expect(pages.map((p) => p.map((i) => i.severity))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  test('a global secondary index is sparse, ordered by its own sort key and paginates with index keys', async () => {
    const { client } = setup();
    await seed(client);
    const first = await client.send(
      new QueryCommand({
        TableName: 'incidents',
        IndexName: 'byState',
        KeyConditionExpression: '#state = :open',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: marshall({ ':open': 'OPEN' }),
        Limit: 2,
      }),
    );
    expect(first.Items?.map((i) => i.openedAt?.N)).toEqual(['994', '996']);
    expect(unmarshall(first.LastEvaluatedKey ?? {})).toEqual({
      pk: 'cluster#a',
      sk: 'finding#004',
      state: 'OPEN',
      openedAt: 996,
    });
    const pages = await queryAll(client, {
      TableName: 'incidents',
      IndexName: 'byState',
      KeyConditionExpression: '#state = :open AND openedAt > :after',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: marshall({ ':open': 'OPEN', ':after': 994 }),
      Limit: 1,
    });
    expect(pages.flat().map((i) => i.sk)).toEqual(['finding#004', 'finding#002']);
    const consistent = await caught(
      client.send(
        new QueryCommand({
          TableName: 'incidents',
          IndexName: 'byState',
          ConsistentRead: true,
          KeyConditionExpression: '#state = :open',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: marshall({ ':open': 'OPEN' }),
        }),
      ),
    );
    expect(consistent.message).toBe('Consistent reads are not supported on global secondary indexes');
  });

  test('a table without a sort key answers Query with the one item of that partition key', async () => {
    // Arrange: the sandbox keeps no partition map for such tables (a partition is one item).
    const { client } = setup();
    const query = async (id: string) =>
      (
        await client.send(
          new QueryCommand({
            TableName: 'counters',
            KeyConditionExpression: 'id = :id',
            ExpressionAttributeValues: marshall({ ':id': id }),
          }),
        )
      ).Items?.map((i) => unmarshall(i));
    await client.send(new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'a', n: 1 }) }));
    await client.send(new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'b', n: 2 }) }));
    await client.send(new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'a', n: 3 }) }));
    // Act
    const a = await query('a');
    const missing = await query('c');
    await client.send(new DeleteItemCommand({ TableName: 'counters', Key: marshall({ id: 'a' }) }));
    const deleted = await query('a');
    // Assert
    expect(a).toEqual([{ id: 'a', n: 3 }]);
    expect(missing).toEqual([]);
    expect(deleted).toEqual([]);
    expect(await query('b')).toEqual([{ id: 'b', n: 2 }]);
  });

  test('Scan filters and paginates over the whole table', async () => {
    const { client } = setup();
    await seed(client);
    const seen: unknown[] = [];
    let start: Record<string, never> | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: 'incidents',
          FilterExpression: 'severity IN (:a, :b, :c) OR NOT attribute_exists(#state)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: marshall({ ':a': 2, ':b': 4, ':c': 100 }),
          Limit: 3,
          ExclusiveStartKey: start,
        }),
      );
      pages++;
      seen.push(...(page.Items ?? []).map((i) => unmarshall(i).severity));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    expect(pages).toBe(3);
    expect((seen as number[]).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7, 9]);
  });

  test('key condition mistakes are reported like DynamoDB does', async () => {
    const { client } = setup();
    const query = (expression: string) =>
      caught(
        client.send(
          new QueryCommand({
            TableName: 'incidents',
            KeyConditionExpression: expression,
            ExpressionAttributeValues: marshall({ ':v': 'x' }),
          }),
        ),
      );
    expect((await query('sk = :v')).message).toBe('Query condition missed key schema element: pk');
    expect((await query('pk = :v AND severity = :v')).message).toBe('Query key condition not supported');
    expect((await query('pk = :v OR sk = :v')).message).toBe(
      'Invalid operator used in KeyConditionExpression: OR',
    );
  });
});

describe('DynamoDB sandbox: transactions and batches', () => {
  test('TransactWriteItems applies everything or nothing', async () => {
    const { client, db } = setup();
    await client.send(
      new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'budget', left: 1 }) }),
    );
    const spend = (task: string) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'incidents',
                Item: marshall({ pk: task, sk: 'action', kind: 'stop' }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: 'counters',
                Key: marshall({ id: 'budget' }),
                UpdateExpression: 'SET #left = #left - :one',
                ConditionExpression: '#left >= :one',
                ExpressionAttributeNames: { '#left': 'left' },
                ExpressionAttributeValues: marshall({ ':one': 1 }),
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
    await spend('task#1');
    const error = await caught(spend('task#2'));
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: marshall({ id: 'budget', left: 0 }),
      },
    ]);
    expect(db.items('incidents').map((i) => unmarshall(i).pk)).toEqual(['task#1']);
    expect(db.items('counters').map((i) => unmarshall(i))).toEqual([{ id: 'budget', left: 0 }]);

    const twice = await caught(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: 'counters',
                Key: marshall({ id: 'budget' }),
                ConditionExpression: 'attribute_exists(id)',
              },
            },
            { Delete: { TableName: 'counters', Key: marshall({ id: 'budget' }) } },
          ],
        }),
      ),
    );
    expect(twice.name).toBe('ValidationException');
    expect(twice.message).toBe('Transaction request cannot include multiple operations on one item');
  });

  test('BatchGetItem returns the items that exist', async () => {
    const { client } = setup();
    await client.send(new PutItemCommand({ TableName: 'counters', Item: marshall({ id: 'a', n: 1 }) }));
    const result = await client.send(
      new BatchGetItemCommand({
        RequestItems: { counters: { Keys: [marshall({ id: 'a' }), marshall({ id: 'missing' })] } },
      }),
    );
    expect(result.Responses?.counters?.map((i) => unmarshall(i))).toEqual([{ id: 'a', n: 1 }]);
  });
});

describe('DynamoDB sandbox: validation', () => {
  const update = (
    client: DynamoDBClient,
    input: Partial<ConstructorParameters<typeof UpdateItemCommand>[0]>,
  ) =>
    caught(
      client.send(
        new UpdateItemCommand({
          TableName: 'counters',
          Key: marshall({ id: 'v' }),
          UpdateExpression: 'SET a = :v',
          ...input,
        }),
      ),
    );

  test.each([
    [
      'an unused value',
      { ExpressionAttributeValues: marshall({ ':v': 1, ':extra': 2 }) },
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}',
    ],
    [
      'an unused name',
      { ExpressionAttributeNames: { '#unused': 'x' }, ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}',
    ],
    [
      'an undefined name',
      { UpdateExpression: 'SET #a = :v', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a',
    ],
    [
      'an undefined value',
      { UpdateExpression: 'SET a = :missing', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing',
    ],
    [
      'a syntax error',
      { UpdateExpression: 'SET a = = :v', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"',
    ],
    [
      'a reserved word',
      { UpdateExpression: 'SET status = :v', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status',
    ],
    [
      'an update of a key attribute',
      { UpdateExpression: 'SET id = :v', ExpressionAttributeValues: marshall({ ':v': 'other' }) },
      'One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key',
    ],
    [
      'overlapping paths',
      { UpdateExpression: 'SET a = :v, a.b = :v', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]',
    ],
    [
      'a condition syntax error',
      { ConditionExpression: 'a = :v AND', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
    ],
    [
      'arithmetic on a missing attribute',
      { UpdateExpression: 'SET a = b + :v', ExpressionAttributeValues: marshall({ ':v': 1 }) },
      'The provided expression refers to an attribute that does not exist in the item',
    ],
  ])('rejects %s', async (_case, input, message) => {
    const { client } = setup();
    const error = await update(client, input);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(message);
  });

  test('rejects missing key attributes and unknown tables', async () => {
    const { client } = setup();
    const missing = await caught(
      client.send(new PutItemCommand({ TableName: 'incidents', Item: marshall({ pk: 'only-partition' }) })),
    );
    expect(missing.message).toBe('One or more parameter values were invalid: Missing the key sk in the item');
    const mismatch = await caught(
      client.send(new GetItemCommand({ TableName: 'incidents', Key: marshall({ pk: 'only-partition' }) })),
    );
    expect(mismatch.message).toBe('The provided key element does not match the schema');
    const unknown = await caught(
      client.send(new GetItemCommand({ TableName: 'nope', Key: marshall({ id: 'x' }) })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    expect(unknown).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });
});

test('DynamoDB sandbox state survives snapshot and restore', async () => {
  const { client, db } = setup();
  await client.send(
    new PutItemCommand({
      TableName: 'counters',
      Item: {
        id: { S: 'bin' },
        data: { B: new Uint8Array([1, 2, 3]) },
        nested: { M: { set: { BS: [new Uint8Array([9])] } } },
      },
    }),
  );
  const copy = new DynamoDbService(testContext());
  copy.restore(JSON.parse(JSON.stringify(db.snapshot())));
  expect(copy.items('counters')).toEqual(db.items('counters'));
  expect(copy.items('counters')[0]?.data?.B).toBeInstanceOf(Uint8Array);
});
