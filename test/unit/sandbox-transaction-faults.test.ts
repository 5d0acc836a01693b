/**
 * The transaction and conditional-write faults AWS produces (issue 13 rows 7 and 8): injected faults cancel
 * a transaction for TransactionConflict or ThrottlingError on one item (the others None, in item order, the
 * message listing the codes), answer a conditional PutObject 409 ConditionalRequestConflict, and two
 * transactions in flight on one item conflict without any injection.
 */
import { stepFunctionsErrorName, TRANSIENT_CANCELLATION_REASONS } from '../../definitions/aws-errors';
import { SandboxAccount } from '../../local/sandbox/account';
import type { AwsError } from '../../local/sandbox/types';
import { failureOf } from '../helpers/faults';

type Cancelled = AwsError & { CancellationReasons?: { Code: string; Message?: string }[] };

function accountWithTable(options: ConstructorParameters<typeof SandboxAccount>[0] = {}): SandboxAccount {
  const account = new SandboxAccount(options);
  account.dynamodb.createTable({ TableName: 'incidents', partitionKey: 'pk' });
  return account;
}

const put = (pk: string) => ({ Put: { TableName: 'incidents', Item: { pk: { S: pk } } } });
const claim = { TransactItems: [put('CLAIM#a'), put('CAP#CLUSTER#prod'), put('CAP#ACCOUNT#1')] };

describe('injected faults on TransactWriteItems', () => {
  it('cancel the transaction for a transient reason on one item, None for the others, listed in the message', async () => {
    const reasons = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const account = accountWithTable({ faultRate: 1, seed });
      const err = await failureOf<Cancelled>(account.call('dynamodb', 'TransactWriteItems', claim));
      if (err.name !== 'TransactionCanceledException') {
        expect(err.name).toBe('ThrottlingException');
        continue;
      }
      const codes = (err.CancellationReasons ?? []).map((r) => r.Code);
      expect(codes).toHaveLength(3);
      expect(codes.filter((c) => c !== 'None')).toHaveLength(1);
      const [reason] = codes.filter((c) => c !== 'None');
      expect(TRANSIENT_CANCELLATION_REASONS).toContain(reason);
      reasons.add(reason ?? '');
      expect(err.message).toBe(
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
      );
      expect(account.dynamodb.items('incidents')).toEqual([]);
    }
    expect([...reasons].sort()).toEqual(['ThrottlingError', 'TransactionConflict']);
  });

  it('reach Step Functions as DynamoDb.TransactionCanceledException, which the claim states catch', () => {
    expect(stepFunctionsErrorName('aws-sdk', 'dynamodb', 'TransactionCanceledException')).toBe(
      'DynamoDb.TransactionCanceledException',
    );
  });
});

describe('transactions in flight', () => {
  it('a transaction touching an item another one holds is cancelled with TransactionConflict for that item', async () => {
    const account = accountWithTable();
    const other = { TransactItems: [put('CLAIM#b'), put('CAP#CLUSTER#prod')] };

    const [first, second] = await Promise.allSettled([
      account.call('dynamodb', 'TransactWriteItems', claim),
      account.call('dynamodb', 'TransactWriteItems', other),
    ]);

    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const err = (second as PromiseRejectedResult).reason as Cancelled;
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'TransactionConflict']);
    expect(
      account.dynamodb
        .items('incidents')
        .map((i) => i.pk?.S)
        .sort(),
    ).toEqual(['CAP#ACCOUNT#1', 'CAP#CLUSTER#prod', 'CLAIM#a']);
  });

  it('transactions on different items, or one after the other, do not conflict', async () => {
    const account = accountWithTable();
    await Promise.all([
      account.call('dynamodb', 'TransactWriteItems', { TransactItems: [put('a')] }),
      account.call('dynamodb', 'TransactWriteItems', { TransactItems: [put('b')] }),
    ]);
    await account.call('dynamodb', 'TransactWriteItems', { TransactItems: [put('a')] });
    expect(account.dynamodb.items('incidents')).toHaveLength(2);
  });
});

describe('injected faults on a conditional PutObject', () => {
  it('answer 409 ConditionalRequestConflict (or the S3 throttling answer), and S3.S3Exception in Step Functions', async () => {
    const names = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const account = new SandboxAccount({ faultRate: 1, seed });
      account.s3.createBucket('evidence');
      const input = { Bucket: 'evidence', Key: 'k', Body: '{}', IfNoneMatch: '*' };
      const err = await failureOf<Cancelled>(account.call('s3', 'PutObject', input));
      names.add(err.name);
      if (err.name === 'ConditionalRequestConflict') expect(err.$metadata.httpStatusCode).toBe(409);
    }
    expect([...names].sort()).toEqual(['ConditionalRequestConflict', 'SlowDown']);
    expect(stepFunctionsErrorName('aws-sdk', 's3', 'ConditionalRequestConflict')).toBe('S3.S3Exception');
  });

  it('never answer an unconditional PutObject 409', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const account = new SandboxAccount({ faultRate: 1, seed });
      account.s3.createBucket('evidence');
      const err = await failureOf<Cancelled>(
        account.call('s3', 'PutObject', { Bucket: 'evidence', Key: 'k', Body: '{}' }),
      );
      expect(err.name).toBe('SlowDown');
    }
  });
});
