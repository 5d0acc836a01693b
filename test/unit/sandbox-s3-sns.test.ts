import {
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import {
  Inspector2Client,
  ListFindingsCommand as ListInspectorFindingsCommand,
} from '@aws-sdk/client-inspector2';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GuardDutyService } from '../../local/sandbox/guardduty';
import { Inspector2Service } from '../../local/sandbox/inspector2';
import { S3Service } from '../../local/sandbox/s3';
import { SnsService } from '../../local/sandbox/sns';
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

describe('S3 sandbox', () => {
  function setup() {
    const s3 = new S3Service(testContext());
    s3.createBucket('evidence');
    const client = new S3Client(clientConfig);
    attachService(client, s3);
    return { s3, client };
  }

  test('put then get returns the body, ETag, metadata and a version', async () => {
    const { client, s3 } = setup();
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'evidence',
        Key: 'incident/1/task.json',
        Body: '{"ok":true}',
        ContentType: 'application/json',
        Metadata: { FindingId: 'abc' },
        ServerSideEncryption: 'aws:kms',
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.VersionId).toBeDefined();
    expect(put.ServerSideEncryption).toBe('aws:kms');
    const got = await client.send(new GetObjectCommand({ Bucket: 'evidence', Key: 'incident/1/task.json' }));
    expect(await got.Body?.transformToString()).toBe('{"ok":true}');
    expect(got).toMatchObject({
      ContentType: 'application/json',
      Metadata: { findingid: 'abc' },
      ETag: put.ETag,
      VersionId: put.VersionId,
      ContentLength: 11,
    });
    expect(got.LastModified).toEqual(new Date(Date.UTC(2024, 0, 1)));
    expect(s3.objects('evidence')).toEqual({ 'incident/1/task.json': '{"ok":true}' });

    const bytes = await client.send(
      new PutObjectCommand({ Bucket: 'evidence', Key: 'bin', Body: new Uint8Array([0, 255]) }),
    );
    const binary = await client.send(new GetObjectCommand({ Bucket: 'evidence', Key: 'bin' }));
    expect(await binary.Body?.transformToByteArray()).toEqual(new Uint8Array([0, 255]));
    expect(binary.ETag).toBe(bytes.ETag);
  });

  test('the ETag is the quoted MD5 of the body', async () => {
    const { client } = setup();
    const put = await client.send(new PutObjectCommand({ Bucket: 'evidence', Key: 'k', Body: 'hello' }));
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });

  test('missing keys and buckets fail with S3 error names and statuses', async () => {
    const { client } = setup();
    const missing = await caught(client.send(new GetObjectCommand({ Bucket: 'evidence', Key: 'nope' })));
    expect(missing.name).toBe('NoSuchKey');
    expect(missing).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const head = await caught(client.send(new HeadObjectCommand({ Bucket: 'evidence', Key: 'nope' })));
    expect(head.name).toBe('NotFound');
    const bucket = await caught(client.send(new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: 'x' })));
    expect(bucket.name).toBe('NoSuchBucket');
  });

  test('conditional writes refuse to overwrite with IfNoneMatch: *', async () => {
    const { client } = setup();
    const write = () =>
      client.send(new PutObjectCommand({ Bucket: 'evidence', Key: 'once', Body: 'x', IfNoneMatch: '*' }));
    await write();
    const error = await caught(write());
    expect(error.name).toBe('PreconditionFailed');
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  test('deleting in a versioned bucket leaves a delete marker', async () => {
    const { client } = setup();
    await client.send(new PutObjectCommand({ Bucket: 'evidence', Key: 'gone', Body: 'x' }));
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: 'evidence', Key: 'gone' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect((await caught(client.send(new GetObjectCommand({ Bucket: 'evidence', Key: 'gone' })))).name).toBe(
      'NoSuchKey',
    );
  });

  test('ListObjectsV2 pages with MaxKeys and continuation tokens, and rolls up prefixes', async () => {
    const { client } = setup();
    for (const key of ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'b/1', 'a/sub/x', 'a/sub/y']) {
      await client.send(new PutObjectCommand({ Bucket: 'evidence', Key: key, Body: key }));
    }
    const keys: string[] = [];
    const counts: number[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: 'evidence', Prefix: 'a/', MaxKeys: 3, ContinuationToken: token }),
      );
      counts.push(page.KeyCount ?? -1);
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      for (const item of page.Contents ?? []) {
        expect(item.Size).toBe((item.Key ?? '').length);
        expect(item.LastModified).toBeInstanceOf(Date);
        expect(item.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      }
      expect(page.IsTruncated).toBe(page.NextContinuationToken !== undefined);
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'a/sub/x', 'a/sub/y']);
    expect(counts).toEqual([3, 3, 1]);

    const rolled = await client.send(
      new ListObjectsV2Command({ Bucket: 'evidence', Prefix: 'a/', Delimiter: '/' }),
    );
    expect(rolled.CommonPrefixes).toEqual([{ Prefix: 'a/sub/' }]);
    expect(rolled.KeyCount).toBe(6);
    const empty = await client.send(new ListObjectsV2Command({ Bucket: 'evidence', Prefix: 'zzz' }));
    expect(empty).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(empty.Contents).toBeUndefined();
  });

  test('a body can be read only once, like an SDK stream', async () => {
    const { client } = setup();
    await client.send(new PutObjectCommand({ Bucket: 'evidence', Key: 'k', Body: Buffer.from('data') }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'evidence', Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('data');
    await expect(got.Body?.transformToString()).rejects.toThrow('The stream has already been transformed.');
  });
});

describe('SNS sandbox', () => {
  function setup() {
    const sns = new SnsService(testContext());
    const topicArn = sns.createTopic('alerts');
    const client = new SNSClient(clientConfig);
    attachService(client, sns);
    return { sns, client, topicArn };
  }

  test('createTopic returns the ARN and Publish records the message with flattened attributes', async () => {
    const { sns, client, topicArn } = setup();
    expect(topicArn).toBe('arn:aws:sns:us-east-1:123456789012:alerts');
    const result = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Task stopped',
        Message: 'details',
        MessageAttributes: {
          severity: { DataType: 'Number', StringValue: '8.5' },
          kind: { DataType: 'String', StringValue: 'contained' },
          tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
        },
      }),
    );
    expect(result.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sns.published()).toEqual([
      {
        topicArn,
        subject: 'Task stopped',
        message: 'details',
        attributes: { severity: '8.5', kind: 'contained', tags: '["a","b"]' },
      },
    ]);
  });

  test.each([
    ['too long', 'x'.repeat(100), /Subject.*99/],
    ['with a line break', 'one\ntwo', /line breaks/],
    ['with non-ASCII', 'Alert 🔥', /printable ASCII/],
    ['empty', '', /empty/],
  ])('rejects a subject that is %s', async (_case, Subject, reason) => {
    const { client, topicArn, sns } = setup();
    const error = await caught(
      client.send(new PublishCommand({ TopicArn: topicArn, Message: 'm', Subject })),
    );
    expect(error.name).toBe('InvalidParameter');
    expect(error.message).toMatch(/^Invalid parameter: /);
    expect(error.message).toMatch(reason);
    expect(sns.published()).toEqual([]);
  });

  test('rejects messages over 256 KiB, counting UTF-8 bytes', async () => {
    const { client, topicArn } = setup();
    await client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(262144) }));
    const error = await caught(
      client.send(new PublishCommand({ TopicArn: topicArn, Message: 'é'.repeat(131073) })),
    );
    expect(error.name).toBe('InvalidParameter');
    expect(error.message).toBe('Invalid parameter: Message too long');
  });

  test('MessageStructure json needs a JSON object with a string default', async () => {
    const { client, topicArn, sns } = setup();
    const publish = (Message: string) =>
      client.send(new PublishCommand({ TopicArn: topicArn, Message, MessageStructure: 'json' }));
    expect((await caught(publish('not json'))).message).toBe(
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
    expect((await caught(publish('{"email":"x"}'))).message).toBe(
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    await publish('{"default":"short","email":"long"}');
    expect(sns.published()).toEqual([
      { topicArn, message: '{"default":"short","email":"long"}', messageStructure: 'json', attributes: {} },
    ]);
  });

  test('unknown topics and bad attributes are refused', async () => {
    const { client, topicArn } = setup();
    const unknown = await caught(
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'm' })),
    );
    expect(unknown.name).toBe('NotFound');
    expect(unknown).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const badType = await caught(
      client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: 'm',
          MessageAttributes: { a: { DataType: 'Integer', StringValue: '1' } },
        }),
      ),
    );
    expect(badType.name).toBe('InvalidParameter');
    const notNumber = await caught(
      client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: 'm',
          MessageAttributes: { a: { DataType: 'Number', StringValue: 'eight' } },
        }),
      ),
    );
    expect(notNumber.name).toBe('InvalidParameter');
  });
});

describe('GuardDuty and Inspector sandboxes', () => {
  const finding = {
    id: 'f1',
    arn: 'arn:aws:guardduty:us-east-1:123456789012:detector/d1/finding/f1',
    type: 'Execution:Runtime/NewBinaryExecuted',
    severity: 8,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    resource: {
      resourceType: 'ECSCluster',
      ecsClusterDetails: {
        name: 'prod',
        taskDetails: {
          arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc',
          containers: [{ image: 'app:1' }],
        },
      },
    },
    service: { archived: false, runtimeDetails: { process: { name: 'sh' } } },
  };

  test('GetFindings returns stored findings in the SDK shape and only those found', async () => {
    const guardDuty = new GuardDutyService(testContext());
    guardDuty.putDetector('d1');
    guardDuty.putFinding('d1', finding);
    const client = new GuardDutyClient(clientConfig);
    attachService(client, guardDuty);
    expect((await client.send(new ListDetectorsCommand({}))).DetectorIds).toEqual(['d1']);
    const result = await client.send(
      new GetFindingsCommand({ DetectorId: 'd1', FindingIds: ['f1', 'missing'] }),
    );
    expect(result.Findings).toHaveLength(1);
    expect(result.Findings?.[0]).toMatchObject({
      Id: 'f1',
      Type: 'Execution:Runtime/NewBinaryExecuted',
      Severity: 8,
      AccountId: '123456789012',
      Resource: {
        ResourceType: 'ECSCluster',
        EcsClusterDetails: { Name: 'prod', TaskDetails: { Containers: [{ Image: 'app:1' }] } },
      },
      Service: { Archived: false, RuntimeDetails: { Process: { Name: 'sh' } } },
    });
    const listed = await client.send(
      new ListFindingsCommand({
        DetectorId: 'd1',
        FindingCriteria: {
          Criterion: { severity: { GreaterThanOrEqual: 7 }, 'service.archived': { Eq: ['false'] } },
        },
      }),
    );
    expect(listed.FindingIds).toEqual(['f1']);
    const unknown = await caught(
      client.send(new GetFindingsCommand({ DetectorId: 'nope', FindingIds: ['f1'] })),
    );
    expect(unknown.name).toBe('BadRequestException');
  });

  test('Inspector ListFindings filters by ARN and status and paginates', async () => {
    const inspector = new Inspector2Service(testContext());
    for (let i = 1; i <= 3; i++) {
      inspector.putFinding({
        findingArn: `arn:aws:inspector2:us-east-1:123456789012:finding/${i}`,
        status: i === 3 ? 'CLOSED' : 'ACTIVE',
        severity: 'HIGH',
        firstObservedAt: '2024-01-01T00:00:00Z',
      });
    }
    const client = new Inspector2Client(clientConfig);
    attachService(client, inspector);
    const one = await client.send(
      new ListInspectorFindingsCommand({
        filterCriteria: {
          findingArn: [
            { comparison: 'EQUALS', value: 'arn:aws:inspector2:us-east-1:123456789012:finding/2' },
          ],
        },
      }),
    );
    expect(one.findings?.map((f) => f.findingArn)).toEqual([
      'arn:aws:inspector2:us-east-1:123456789012:finding/2',
    ]);
    expect(one.findings?.[0]?.firstObservedAt).toEqual(new Date('2024-01-01T00:00:00Z'));
    const first = await client.send(
      new ListInspectorFindingsCommand({
        filterCriteria: { findingStatus: [{ comparison: 'EQUALS', value: 'ACTIVE' }] },
        maxResults: 1,
      }),
    );
    expect(first.findings).toHaveLength(1);
    const second = await client.send(
      new ListInspectorFindingsCommand({
        filterCriteria: { findingStatus: [{ comparison: 'EQUALS', value: 'ACTIVE' }] },
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );
    expect(second.findings?.map((f) => f.status)).toEqual(['ACTIVE']);
    expect(second.nextToken).toBeUndefined();
  });
});
