/** CheckImagePush's reads (lambdas/actions/image-push-check.ts): which hold a push is judged against. */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { checkImagePush } from '../../lambdas/actions/image-push-check';
import { isReleaseInProgress, RELEASE_WINDOW_MS } from '../../lambdas/core/image-push';
import { jsonBody } from '../helpers/s3';

const INCIDENT = 'img-9f86d081884c7d65';
const DIGEST = `sha256:${'9f'.repeat(32)}`;
const PUSH_TIME = '2026-11-28T10:45:00.000Z';

const ddb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ecr = mockClient(ECRClient);

function deps() {
  return {
    dynamodb: new DynamoDBClient({}),
    s3: new S3Client({}),
    ecr: new ECRClient({}),
    table: 'incidents',
    evidenceBucket: 'evidence',
    strategy: 'archive' as const,
    act: true,
  };
}

function incident(item: Record<string, unknown> = {}) {
  ddb.on(GetItemCommand).resolves({
    Item: marshall({ pk: `INCIDENT#${INCIDENT}`, incidentId: INCIDENT, status: 'QUARANTINED', ...item }),
  });
}

/** The quarantine record the incident saved in evidence, naming `repository`. */
function quarantineRecordOf(repository: string) {
  s3.on(GetObjectCommand).resolves({
    Body: jsonBody({ repository, originalTags: ['v1'], quarantineTag: 'quarantine-img-9f86d081' }),
  });
}

beforeEach(() => {
  ddb.reset();
  s3.reset();
  ecr.reset();
  ecr.on(DescribeImagesCommand).resolves({
    imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE', imageTags: ['prod2'] }],
  });
});

const push = (repository: string) => ({
  eventId: 'e-1',
  time: PUSH_TIME,
  region: 'us-east-1',
  registryId: '111122223333',
  repository,
  digest: DIGEST,
  tag: 'prod2',
});

describe('the quarantine record a push is judged against', () => {
  it('is not the record of another repository whose name flattens to the same key (team/app vs team_app)', async () => {
    incident();
    quarantineRecordOf('team/app');

    const check = await checkImagePush(deps(), INCIDENT, push('team_app'));

    expect(check.bypass).toBe(false);
    expect(check.reason).toContain('recorded no quarantine of this digest');
  });

  it('is the record of the pushed repository: an archived image ACTIVE again is a bypass', async () => {
    incident();
    quarantineRecordOf('team/app');

    const check = await checkImagePush(deps(), INCIDENT, push('team/app'));

    expect(check.bypass).toBe(true);
  });
});

describe('a release mark', () => {
  it('lifts the hold only for a push soon after it: a release that failed half-way does not switch detection off', async () => {
    const started = new Date(Date.parse(PUSH_TIME) - RELEASE_WINDOW_MS - 1000).toISOString();
    incident({ releaseStartedAt: started });
    quarantineRecordOf('team/app');

    const check = await checkImagePush(deps(), INCIDENT, push('team/app'));

    expect(check.bypass).toBe(true);
  });

  it.each([
    ['a push a minute after the mark', -60_000, true],
    ['a push at the end of the window', -RELEASE_WINDOW_MS, true],
    ['a push after the window', -RELEASE_WINDOW_MS - 1, false],
    ['a push long before the mark', 10 * 60_000, false],
  ])('%s', (_name, offset, inProgress) => {
    const started = new Date(Date.parse(PUSH_TIME) + offset).toISOString();
    expect(isReleaseInProgress(started, PUSH_TIME)).toBe(inProgress);
  });

  it('is no release when absent or unreadable', () => {
    expect(isReleaseInProgress(undefined, PUSH_TIME)).toBe(false);
    expect(isReleaseInProgress('yesterday', PUSH_TIME)).toBe(false);
  });
});
