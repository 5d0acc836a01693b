/** Evidence in S3: written before any destructive action so a release or an investigation has it. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export function evidenceKey(incidentId: string, name: string): string {
  return `incidents/${incidentId}/${name}`;
}

/**
 * Writes a record of the state before a change only if none exists: a retried step sees a state it
 * already changed (tags moved, rules revoked), and must not overwrite what `release` restores from.
 */
export async function putOriginalState(
  s3: S3Client,
  bucket: string,
  key: string,
  body: unknown,
): Promise<string> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(body, null, 2),
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
    );
  } catch (err) {
    if (!(err instanceof Error && err.name === 'PreconditionFailed')) throw err;
  }
  return key;
}

export async function getEvidence<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = await out.Body?.transformToString();
  if (text === undefined) throw new Error(`evidence ${key} is empty`);
  return JSON.parse(text) as T;
}
