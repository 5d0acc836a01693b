/** S3 stand-ins for tests that mock the S3 client: a response body, and an in-memory bucket. */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

type S3Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

/** A GetObject body holding `value` as JSON. */
export function jsonBody(value: unknown): GetObjectCommandOutput['Body'] {
  return {
    transformToString: async () => JSON.stringify(value),
  } as unknown as GetObjectCommandOutput['Body'];
}

/** Makes the mocked client behave like a bucket (conditional writes included); returns its objects. */
export function fakeBucket(s3Mock: S3Mock): Map<string, string> {
  const objects = new Map<string, string>();
  const missing = (key: string) => Object.assign(new Error(`${key} not found`), { name: 'NoSuchKey' });
  s3Mock.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    const key = input.Key ?? '';
    if (input.IfNoneMatch === '*' && objects.has(key)) {
      throw Object.assign(new Error('precondition failed'), { name: 'PreconditionFailed' });
    }
    objects.set(key, String(input.Body));
    return {};
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
    const body = objects.get(input.Key ?? '');
    if (body === undefined) throw missing(input.Key ?? '');
    return { Body: { transformToString: async () => body } };
  });
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key?: string }) => {
    if (!objects.has(input.Key ?? '')) throw Object.assign(missing(input.Key ?? ''), { name: 'NotFound' });
    return {};
  });
  return objects;
}
