/**
 * The releaseImage handler (ReleaseQuarantine in the vulnerable-image workflow): input validation, the
 * inspector.releaseOnClose switch, and the outcomes of releaseImages it reports to the notification.
 */
import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_CONFIG, parseConfig, policyEnvironment } from '../../definitions/config';
import type { QuarantineRecord } from '../../lambdas/actions/image-quarantine';
import { StepInputError } from '../../lambdas/core/errors';
import { renderNotification } from '../../lambdas/core/render';
import { normalizeVulnerabilityFinding } from '../../lambdas/core/vulnerability';
import { notificationInput, parseNotifyRequest } from '../../lambdas/core/workflow-state';
import { inspectorEvent, REGION } from '../../local/fixtures/events';
import { jsonBody } from '../helpers/s3';

// Handlers read their environment when loaded: set it before importing the handler (see beforeAll).
const BUCKET = 'shield-right-evidence';
const TABLE = 'shield-right-incidents';
const POLICY_OFF = policyEnvironment(DEFAULT_CONFIG).SHIELD_RIGHT_POLICY ?? '';
const POLICY_ON =
  policyEnvironment(parseConfig({ inspector: { releaseOnClose: true } })).SHIELD_RIGHT_POLICY ?? '';
process.env.EVIDENCE_BUCKET = BUCKET;
process.env.INCIDENT_TABLE = TABLE;
process.env.SHIELD_RIGHT_POLICY = POLICY_OFF;

let handler: typeof import('../../lambdas/release-image/handler').handler;

beforeAll(async () => {
  handler = (await import('../../lambdas/release-image/handler')).handler;
});

const ecrMock = mockClient(ECRClient);
const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBClient);

beforeEach(() => {
  for (const mock of [ecrMock, s3Mock, ddbMock]) mock.reset();
  process.env.SHIELD_RIGHT_POLICY = POLICY_OFF;
});

const INCIDENT = `img-${'ab'.repeat(16)}`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const QTAG = `quarantine-${INCIDENT.slice(0, 12)}-${'ab'.repeat(6)}`;
const MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';
const RECORD_KEY = `incidents/${INCIDENT}/quarantine/payments-api/${DIGEST}.json`;
const RECORD: QuarantineRecord = {
  repository: 'payments-api',
  registryId: '111122223333',
  digest: DIGEST,
  originalTags: ['v1.4.2', 'latest'],
  quarantineTag: QTAG,
  imageStatusBefore: 'ACTIVE',
  tagMutability: 'MUTABLE',
};

function givenQuarantineRecord(): void {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: RECORD_KEY }], IsTruncated: false });
  s3Mock.on(GetObjectCommand, { Key: RECORD_KEY }).resolves({ Body: jsonBody(RECORD) });
}

const awsCalls = (): number => ecrMock.calls().length + s3Mock.calls().length + ddbMock.calls().length;

async function rejected(promise: Promise<unknown>): Promise<StepInputError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StepInputError) return err;
    throw err;
  }
  throw new Error('expected a StepInputError');
}

describe('releaseImage handler: input', () => {
  it.each([
    ['no input', undefined],
    ['a string', INCIDENT],
    ['no incidentId', {}],
    ['a numeric incidentId', { incidentId: 42 }],
    ['an empty incidentId', { incidentId: '' }],
    ['a path in the incidentId', { incidentId: `../${INCIDENT}` }],
    ['an incidentId of 129 characters', { incidentId: 'a'.repeat(129) }],
  ])('refuses %s before any AWS call, whatever the setting', async (_name, input) => {
    process.env.SHIELD_RIGHT_POLICY = POLICY_ON;

    const err = await rejected(handler(input));

    // A malformed step input is the workflow's own mistake: reported and marked FAILED like any failure.
    expect(err.name).toBe('StepInputError');
    expect(err.step).toBe('ReleaseQuarantine');
    expect(err.field).toMatch(/^input/);
    expect(awsCalls()).toBe(0);
  });
});

describe('releaseImage handler: inspector.releaseOnClose off (the default)', () => {
  it('skips with the reason and makes no AWS call', async () => {
    givenQuarantineRecord();

    const result = await handler({ incidentId: INCIDENT });

    expect(result).toEqual({ status: 'skipped', reason: 'inspector.releaseOnClose is off' });
    expect(awsCalls()).toBe(0);
  });
});

describe('releaseImage handler: inspector.releaseOnClose on', () => {
  beforeEach(() => {
    process.env.SHIELD_RIGHT_POLICY = POLICY_ON;
  });

  it('restores the archived image from its record and marks the incident RELEASED from QUARANTINED', async () => {
    givenQuarantineRecord();
    const notFound = Object.assign(new Error('none'), { name: 'ImageNotFoundException', $metadata: {} });
    ecrMock.on(DescribeImagesCommand, { imageIds: [{ imageDigest: DIGEST }] }).resolves({
      imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ARCHIVED', imageTags: [QTAG] }],
    });
    ecrMock.on(DescribeImagesCommand, { imageIds: [{ imageTag: 'v1.4.2' }] }).rejects(notFound);
    ecrMock.on(DescribeImagesCommand, { imageIds: [{ imageTag: 'latest' }] }).rejects(notFound);
    ecrMock.on(UpdateImageStorageClassCommand).resolves({ imageStatus: 'ACTIVE' });
    ecrMock.on(BatchGetImageCommand).resolves({
      images: [
        { imageManifest: MANIFEST, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
      ],
    });
    ecrMock.on(PutImageCommand).resolves({});
    ecrMock.on(BatchDeleteImageCommand).resolves({ imageIds: [{ imageTag: QTAG }], failures: [] });
    ddbMock.on(UpdateItemCommand).resolves({});

    const result = await handler({ incidentId: INCIDENT });

    expect(result).toMatchObject({ status: 'done', incidentId: INCIDENT, released: true });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: `incidents/${INCIDENT}/quarantine/`,
    });
    expect(ecrMock).toHaveReceivedCommandWith(UpdateImageStorageClassCommand, {
      repositoryName: 'payments-api',
      imageId: { imageDigest: DIGEST },
      targetStorageClass: 'STANDARD',
    });
    const putTags = ecrMock.commandCalls(PutImageCommand).map((call) => call.args[0].input.imageTag);
    expect(putTags.sort()).toEqual(['latest', 'v1.4.2']);
    expect(ecrMock).toHaveReceivedCommandWith(BatchDeleteImageCommand, { imageIds: [{ imageTag: QTAG }] });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { pk: { S: `INCIDENT#${INCIDENT}` } },
      ConditionExpression: '#status = :previous',
    });
    const values = ddbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':previous']).toEqual({ S: 'QUARANTINED' });
    expect(values?.[':released']).toEqual({ S: 'RELEASED' });
    expect(values?.[':actor']).toEqual({ S: 'shield-right (inspector.releaseOnClose)' });
  });

  it('skips without touching ECR or the incident when no quarantine is recorded', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });

    const result = await handler({ incidentId: INCIDENT });

    expect(result).toMatchObject({ status: 'skipped', released: false, steps: [] });
    expect('reason' in result ? result.reason : '').toContain(`incidents/${INCIDENT}/quarantine/`);
    expect(ecrMock.calls()).toHaveLength(0);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('reports pending, and leaves the incident as it is, while the image is still activating', async () => {
    givenQuarantineRecord();
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ARCHIVED', imageTags: [QTAG] }] })
      .on(UpdateImageStorageClassCommand)
      .resolves({ imageStatus: 'ACTIVATING' });

    const result = await handler({ incidentId: INCIDENT });

    expect(result).toMatchObject({ status: 'pending', released: false });
    expect('reason' in result ? result.reason : '').toContain('ACTIVATING');
    expect(ecrMock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('reports failed when the incident is no longer QUARANTINED, after restoring the image', async () => {
    givenQuarantineRecord();
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE', imageTags: ['v1.4.2', 'latest'] }],
    });
    ddbMock.on(UpdateItemCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
        $metadata: {},
      }),
    );

    const result = await handler({ incidentId: INCIDENT });

    expect(result).toMatchObject({ status: 'failed', released: false });
    expect('reason' in result ? result.reason : '').toContain('no longer be QUARANTINED');
    expect('reason' in result ? result.reason : '').toContain('ConditionalCheckFailedException');
    expect('steps' in result ? result.steps.map((s) => [s.action, s.status]) : []).toEqual([
      ['restore-image', 'already-done'],
      ['mark-released', 'failed'],
    ]);
  });
});

describe('the resolved notification says whether the quarantine was released', () => {
  const HOSTILE = '<!channel> <https://evil.example|click> *bold*';
  const finding = normalizeVulnerabilityFinding(inspectorEvent({ digest: DIGEST, status: 'CLOSED' }));

  function resolved(release: unknown) {
    const request = parseNotifyRequest({
      kind: 'vulnerability-resolved',
      state: { finding, closure: { status: 'QUARANTINED', closed: 1, total: 1 }, results: { release } },
    });
    return renderNotification(notificationInput(request, { region: REGION }));
  }

  it('released: says so in the subject, title and body, and offers no release command', () => {
    const rendered = resolved({
      status: 'done',
      incidentId: finding.incidentId,
      released: true,
      steps: [
        {
          action: 'restore-image',
          target: `payments-api@${DIGEST}`,
          status: 'done',
          detail: 'storage class back to STANDARD; tag(s) v1.4.2 back',
        },
        { action: 'mark-released', target: `incident ${finding.incidentId}`, status: 'done' },
      ],
    });

    expect(rendered.subject).toContain('resolved, quarantine released');
    expect(rendered.chat.content.title).toContain('quarantine released');
    expect(rendered.email).toContain('Quarantine released (inspector.releaseOnClose)');
    expect(rendered.email).toContain(`Release image: done — payments-api@${DIGEST}`);
    expect(rendered.chat.metadata.additionalContext.release).toBe('done');
    expect(rendered.chat.content.nextSteps.join('\n')).not.toContain('shield-right release');
  });

  it('skipped: gives the reason and keeps recommending the release command', () => {
    const rendered = resolved({ status: 'skipped', reason: 'inspector.releaseOnClose is off' });

    expect(rendered.subject).not.toContain('released');
    expect(rendered.email).toContain('Quarantine not released (skipped): inspector.releaseOnClose is off');
    expect(rendered.email).toContain('Nothing was changed.');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(
      `\`shield-right release ${finding.incidentId}\``,
    );
  });

  it('failed: escapes the reason and the step details, and asks to finish the release', () => {
    const rendered = resolved({
      status: 'failed',
      reason: HOSTILE,
      steps: [
        { action: 'restore-image', target: `payments-api@${DIGEST}`, status: 'failed', detail: HOSTILE },
      ],
    });

    const chat = rendered.chat.content.description;
    expect(chat).toContain('*Quarantine not released* (FAILED)');
    expect(chat).not.toContain('<!channel>');
    expect(chat).not.toContain('<https://evil.example|click>');
    expect(chat).toContain('&lt;!channel&gt;');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain('Finish lifting the quarantine');
  });
});
