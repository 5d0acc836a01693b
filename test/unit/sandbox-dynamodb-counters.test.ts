/**
 * The DynamoDB expressions of the sliding-window blast-radius counters and the "limit reached" notice
 * (statemachines/*: ClaimContainment, ClaimQuarantine, ClaimExposedTask, Trim…Counter, CountCapRefusal,
 * ClaimCapNotice), exactly as the ASL writes them, against the sandbox: docs/aws-behaviours.md D1–D5.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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

const TABLE = 'incidents';
const KEY = { pk: { S: 'CAP#CLUSTER#arn:aws:ecs:eu-west-1:111122223333:cluster/prod#high' } };

function setup() {
  const db = new DynamoDbService(testContext());
  db.createTable({ TableName: TABLE, partitionKey: 'pk' });
  const client = new DynamoDBClient(clientConfig);
  attachService(client, db);
  return client;
}

/** ClaimContainment's counter update, for a cap of `cap` and a window of `window` seconds, at `at`. */
const charge = (client: DynamoDBClient, cap: number, at: number, window = 3600) =>
  client.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression:
        'SET #stamps = list_append(:at, if_not_exists(#stamps, :none)), #ttl = :ttl ADD actions :one',
      ConditionExpression: `attribute_not_exists(#stamps[${cap - 1}]) OR #stamps[${cap - 1}] <= :since`,
      ExpressionAttributeNames: { '#stamps': 'stamps', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':at': { L: [{ N: String(at) }] },
        ':none': { L: [] },
        ':since': { N: String(at - window) },
        ':ttl': { N: '1900000000' },
      },
    }),
  );

/** Trim…Counter: drop the stamp past the cap, only when there is one. */
const trim = (client: DynamoDBClient, cap: number) =>
  client.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: `REMOVE #stamps[${cap}]`,
      ConditionExpression: 'size(#stamps) > :cap',
      ExpressionAttributeNames: { '#stamps': 'stamps' },
      ExpressionAttributeValues: { ':cap': { N: String(cap) } },
    }),
  );

async function stamps(client: DynamoDBClient): Promise<number[]> {
  const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
  return (out.Item?.stamps?.L ?? []).map((v) => Number(v.N));
}

describe('DynamoDB sandbox: sliding-window counters', () => {
  test('D1: list_append(:at, if_not_exists(list, :none)) creates the list, then prepends: newest first', async () => {
    const client = setup();

    await charge(client, 3, 1000);
    await charge(client, 3, 1010);

    expect(await stamps(client)).toEqual([1010, 1000]);
  });

  test('D2: the cap-th newest stamp decides: absent or a window old allows, recent refuses', async () => {
    const client = setup();
    await charge(client, 2, 1000);
    await charge(client, 2, 2000);

    const refused = await caught(charge(client, 2, 3000));
    await charge(client, 2, 4600);

    expect(refused.name).toBe('ConditionalCheckFailedException');
    expect(await stamps(client)).toEqual([4600, 2000, 1000]);
  });

  test('D3: REMOVE list[n] drops that element and shifts the rest; size(list) counts the elements', async () => {
    const client = setup();
    for (const at of [1000, 2000, 3000]) await charge(client, 5, at);

    await trim(client, 2);
    const notLonger = await caught(trim(client, 2));

    expect(await stamps(client)).toEqual([3000, 2000]);
    expect(notLonger.name).toBe('ConditionalCheckFailedException');
  });

  test('D4: one update cannot prepend to the list and remove an element of it (overlapping paths)', async () => {
    const client = setup();

    const error = await caught(
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: KEY,
          UpdateExpression: 'SET #stamps = list_append(:at, #stamps) REMOVE #stamps[2]',
          ExpressionAttributeNames: { '#stamps': 'stamps' },
          ExpressionAttributeValues: { ':at': { L: [{ N: '1' }] } },
        }),
      ),
    );

    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Two document paths overlap');
  });

  test('D5: a conditional update with ReturnValues ALL_OLD returns the item before it; SET a = b reads the old b', async () => {
    const client = setup();
    const count = () =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: KEY,
          UpdateExpression: 'ADD refused :one SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':ttl': { N: '1900000000' } },
        }),
      );
    const claimNotice = (at: number) =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: KEY,
          UpdateExpression: 'SET notifiedAt = :at, noticed = refused, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(notifiedAt) OR notifiedAt <= :since',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':at': { N: String(at) },
            ':since': { N: String(at - 3600) },
            ':ttl': { N: '1900000000' },
          },
          ReturnValues: 'ALL_OLD',
        }),
      );

    await count();
    const first = await claimNotice(1000);
    await count();
    await count();
    const tooSoon = await caught(claimNotice(2000));
    await count();
    const next = await claimNotice(4700);

    expect(first.Attributes?.refused).toEqual({ N: '1' });
    expect(first.Attributes?.noticed).toBeUndefined();
    expect(tooSoon.name).toBe('ConditionalCheckFailedException');
    expect(next.Attributes?.refused).toEqual({ N: '4' });
    expect(next.Attributes?.noticed).toEqual({ N: '1' });
    expect(next.Attributes?.notifiedAt).toEqual({ N: '1000' });
  });
});
