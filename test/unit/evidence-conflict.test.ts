/**
 * Evidence of the state before a change is written with If-None-Match: a 409 ConditionalRequestConflict (a
 * concurrent write to the key) is retried; a 412 means a record exists, and the first record stands.
 */
import 'aws-sdk-client-mock-jest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFLICT_ATTEMPTS, putOriginalState } from '../../lambdas/actions/evidence';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const noPause = async () => undefined;
const named = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => s3Mock.reset());

describe('putOriginalState', () => {
  it('retries a 409 ConditionalRequestConflict and writes the record once it lands', async () => {
    s3Mock
      .on(PutObjectCommand)
      .rejectsOnce(named('ConditionalRequestConflict', 409))
      .rejectsOnce(named('ConditionalRequestConflict', 409))
      .resolves({});

    await expect(putOriginalState(s3, 'b', 'k', { rules: 1 }, noPause)).resolves.toBe('k');

    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 3);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { IfNoneMatch: '*', Key: 'k' });
  });

  it('keeps the record the concurrent writer made when the retry meets it (412)', async () => {
    s3Mock
      .on(PutObjectCommand)
      .rejectsOnce(named('ConditionalRequestConflict', 409))
      .rejectsOnce(named('PreconditionFailed', 412));

    await expect(putOriginalState(s3, 'b', 'k', { rules: 1 }, noPause)).resolves.toBe('k');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
  });

  it(`gives up after ${CONFLICT_ATTEMPTS} conflicts, failing the step for its own retry`, async () => {
    s3Mock.on(PutObjectCommand).rejects(named('ConditionalRequestConflict', 409));

    await expect(putOriginalState(s3, 'b', 'k', {}, noPause)).rejects.toThrow('ConditionalRequestConflict');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, CONFLICT_ATTEMPTS);
  });

  it('does not retry any other error', async () => {
    s3Mock.on(PutObjectCommand).rejects(named('AccessDenied', 403));

    await expect(putOriginalState(s3, 'b', 'k', {}, noPause)).rejects.toThrow('AccessDenied');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });
});
