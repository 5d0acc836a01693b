/** Evidence in S3: written before any destructive action so a release or an investigation has it. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CONDITIONAL_WRITE_CONFLICT, CONDITIONAL_WRITE_FAILED } from '../../definitions/aws-errors';

export function evidenceKey(incidentId: string, name: string): string {
  return `incidents/${incidentId}/${name}`;
}

/** Attempts of a conditional write that keeps meeting a concurrent write to its key (409). */
export const CONFLICT_ATTEMPTS = 6;
const CONFLICT_BASE_DELAY_MS = 25;

const pauseFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter under a doubling ceiling: concurrent writers of one key do not retry in step. */
function conflictDelay(attempt: number): number {
  return Math.floor(Math.random() * CONFLICT_BASE_DELAY_MS * 2 ** attempt);
}

/**
 * Writes a record of the state before a change only if none exists: a retried step sees a state it
 * already changed (tags moved, rules revoked), and must not overwrite what `release` restores from.
 * 412 means a record exists: the first one written is the state before any change (a later writer read a
 * state that an earlier attempt had already changed), so it stands whatever it says. 409 means another
 * write to the key was in flight (S3 says to retry): retried with backoff, after which it either lands or
 * meets the other record (412).
 */
export async function putOriginalState(
  s3: S3Client,
  bucket: string,
  key: string,
  body: unknown,
  pause: (ms: number) => Promise<void> = pauseFor,
): Promise<string> {
  const text = JSON.stringify(body, null, 2);
  for (let attempt = 1; ; attempt++) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: text,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return key;
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name === CONDITIONAL_WRITE_FAILED.code) return key;
      if (name !== CONDITIONAL_WRITE_CONFLICT.code || attempt >= CONFLICT_ATTEMPTS) throw err;
      await pause(conflictDelay(attempt));
    }
  }
}

export async function getEvidence<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = await out.Body?.transformToString();
  if (text === undefined) throw new Error(`evidence ${key} is empty`);
  return JSON.parse(text) as T;
}
