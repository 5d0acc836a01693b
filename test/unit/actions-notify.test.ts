import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { incidentStatusFor, recordIncidentOutcome } from '../../lambdas/actions/incident-store';
import { publishNotification } from '../../lambdas/actions/notify';
import type { NotificationKind, RenderedNotification } from '../../lambdas/core/render';

const snsMock = mockClient(SNSClient);
const ddbMock = mockClient(DynamoDBClient);
const sns = new SNSClient({ region: 'us-east-1' });
const ddb = new DynamoDBClient({ region: 'us-east-1' });

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:shield-right';

const rendered: RenderedNotification = {
  subject: 'HIGH finding contained',
  message: '{"default":"{}","email":"text"}',
  chat: {
    version: '1.0',
    source: 'custom',
    content: { textType: 'client-markdown', title: 't', description: 'd', nextSteps: [], keywords: [] },
    metadata: {
      threadId: 'x',
      summary: 's',
      eventType: 'contained',
      relatedResources: [],
      additionalContext: {},
    },
  },
  email: 'text',
  attributes: { severity: { DataType: 'Number', StringValue: '8' } },
};

beforeEach(() => {
  snsMock.reset();
  ddbMock.reset();
});

describe('publishNotification', () => {
  it('publishes subject, JSON message and attributes to the topic', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const outcome = await publishNotification(sns, TOPIC, rendered);

    expect(outcome).toEqual({ published: true, messageId: 'm-1' });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'HIGH finding contained',
      Message: rendered.message,
      MessageStructure: 'json',
      MessageAttributes: { severity: { DataType: 'Number', StringValue: '8' } },
    });
  });

  it('returns published: false with the error instead of throwing', async () => {
    snsMock.on(PublishCommand).rejects(
      Object.assign(new Error('User is not authorized to perform SNS:Publish'), {
        name: 'AuthorizationErrorException',
      }),
    );

    const outcome = await publishNotification(sns, TOPIC, rendered);

    expect(outcome).toEqual({
      published: false,
      error: 'AuthorizationErrorException: User is not authorized to perform SNS:Publish',
    });
  });

  it('does not throw even for a non-Error rejection', async () => {
    snsMock.on(PublishCommand).callsFake(() => Promise.reject('socket hang up'));

    const outcome = await publishNotification(sns, TOPIC, rendered);

    expect(outcome).toEqual({ published: false, error: 'Error: socket hang up' });
  });
});

describe('recordIncidentOutcome', () => {
  it('sets status, disposition, outcome, execution and TTL on the incident item', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});

    await recordIncidentOutcome(ddb, 'incidents', {
      incidentId: 'abc',
      status: 'CONTAINED',
      disposition: 'contain',
      outcome: { stop: { status: 'done' } },
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:sm:abc-1',
      ttl: 1_800_000_000,
      notification: { published: true, messageId: 'm-1' },
      now: '2026-11-28T10:02:00.000Z',
    });

    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'incidents',
      Key: { pk: { S: 'INCIDENT#abc' } },
      UpdateExpression:
        'SET updatedAt = :now, lastNotification = :notification, #status = :status, disposition = :disposition, outcome = :outcome, executionArn = :exec, #ttl = :ttl',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':now': { S: '2026-11-28T10:02:00.000Z' },
        ':notification': { S: '{"published":true,"messageId":"m-1"}' },
        ':status': { S: 'CONTAINED' },
        ':disposition': { S: 'contain' },
        ':outcome': { S: '{"stop":{"status":"done"}}' },
        ':exec': { S: 'arn:aws:states:us-east-1:111122223333:execution:sm:abc-1' },
        ':ttl': { N: '1800000000' },
      },
    });
  });

  it('sets only the time and notification when nothing else is known, without attribute names', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});

    await recordIncidentOutcome(ddb, 'incidents', {
      incidentId: 'abc',
      notification: { published: false, error: 'boom' },
      now: '2026-11-28T10:02:00.000Z',
    });

    const input = ddbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toBe('SET updatedAt = :now, lastNotification = :notification');
    expect(input?.ExpressionAttributeNames).toBeUndefined();
    expect(input?.ExpressionAttributeValues).toEqual({
      ':now': { S: '2026-11-28T10:02:00.000Z' },
      ':notification': { S: '{"published":false,"error":"boom"}' },
    });
  });

  it('propagates a DynamoDB failure', async () => {
    ddbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('table missing'), { name: 'ResourceNotFoundException' }));

    await expect(
      recordIncidentOutcome(ddb, 'incidents', {
        incidentId: 'a',
        notification: { published: true },
        now: 'x',
      }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('incidentStatusFor', () => {
  it.each<[NotificationKind, string | undefined]>([
    ['contained', 'CONTAINED'],
    ['isolated', 'ISOLATED'],
    ['image-quarantined', 'QUARANTINED'],
    ['cap-reached', 'CAP_REACHED'],
    ['vulnerability-finding-closed', undefined],
    ['step-failed', 'FAILED'],
    ['repeat', undefined],
    ['invalid-input', undefined],
    ['notify-only', 'NOTIFIED'],
    ['exempt', 'NOTIFIED'],
    ['sample', 'NOTIFIED'],
    ['observe', 'NOTIFIED'],
    ['vulnerability', 'NOTIFIED'],
  ])('%s → %s', (kind, status) => {
    expect(incidentStatusFor(kind)).toBe(status);
  });
});
