/**
 * Verdicts per image digest, cached in the incident table with single-flight: the first task start of a digest
 * takes a lease and verifies; every other start of the same digest meanwhile is told to wait and read again, so
 * a service scaling to 500 tasks costs one verification. Expiry is checked on read (DynamoDB TTL deletes items
 * late); an `error` verdict is not reused, so the next start verifies again. The key includes a hash of the
 * trust policy, so changing `signing.trustedProfiles` never reuses a verdict given under the old one.
 */
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { TrustVerdict } from '../core/signing/outcome';

export interface TrustCacheDeps {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
}

export interface CacheSettings {
  readonly cacheMinutes: number;
  /** How long a verification may hold the lease before another start takes it over. */
  readonly leaseSeconds: number;
  /** Whatever the verdict depends on besides the digest (trusted profiles, verification mode, roots). */
  readonly policy: unknown;
}

export type CachedVerdict =
  | { readonly state: 'verified'; readonly verdict: TrustVerdict; readonly cached: boolean }
  /** Another start of the same digest is verifying it: wait about `retryAfterSeconds`, then ask again. */
  | { readonly state: 'pending'; readonly retryAfterSeconds: number };

const MINUTE = 60_000;

export function trustCacheKey(digest: string, policy: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 16);
  return `TRUST#${digest}#${hash}`;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

async function read(deps: TrustCacheDeps, pk: string) {
  const out = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  const item = out.Item;
  return {
    state: item?.trustState?.S,
    verdict: item?.verdict?.S,
    expiresAt: Number(item?.expiresAt?.N ?? 0),
    leaseUntil: Number(item?.leaseUntil?.N ?? 0),
  };
}

/**
 * The verdict of `digest`: from the cache while it has not expired, else verified by this caller if it wins
 * the lease (`verify` runs at most once per lease), else `pending`.
 */
export async function cachedVerdict(
  digest: string,
  settings: CacheSettings,
  now: number,
  owner: string,
  verify: () => Promise<TrustVerdict>,
  deps: TrustCacheDeps,
): Promise<CachedVerdict> {
  const pk = trustCacheKey(digest, settings.policy);
  const current = await read(deps, pk);
  if (current.state === 'DONE' && current.verdict && current.expiresAt > now) {
    return { state: 'verified', verdict: JSON.parse(current.verdict) as TrustVerdict, cached: true };
  }
  const leaseUntil = now + settings.leaseSeconds * 1000;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: pk } },
        UpdateExpression: 'SET trustState = :pending, leaseUntil = :lease, leaseOwner = :owner, #ttl = :ttl',
        ConditionExpression:
          'attribute_not_exists(pk) OR (trustState = :done AND expiresAt <= :now) OR (trustState = :pending AND leaseUntil <= :now)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':pending': { S: 'PENDING' },
          ':done': { S: 'DONE' },
          ':lease': { N: String(leaseUntil) },
          ':owner': { S: owner },
          ':now': { N: String(now) },
          ':ttl': { N: String(Math.ceil((leaseUntil + settings.cacheMinutes * MINUTE) / 1000) + 86_400) },
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const waitMs = current.state === 'PENDING' ? Math.max(current.leaseUntil - now, 1000) : 1000;
    return { state: 'pending', retryAfterSeconds: Math.min(Math.ceil(waitMs / 1000), settings.leaseSeconds) };
  }
  const verdict = await verify();
  // An error is never reused: the next start of the digest verifies again.
  const expiresAt = verdict.outcome === 'error' ? now : now + settings.cacheMinutes * MINUTE;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: pk } },
        UpdateExpression:
          'SET trustState = :done, verdict = :verdict, expiresAt = :expires, checkedAt = :now REMOVE leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: {
          ':done': { S: 'DONE' },
          ':verdict': { S: JSON.stringify(verdict) },
          ':expires': { N: String(expiresAt) },
          ':now': { N: String(now) },
          ':owner': { S: owner },
        },
      }),
    );
  } catch (error) {
    // The lease ran out and another start took it over: its verdict will be stored; this one is still true.
    if (!isConditionFailure(error)) throw error;
  }
  return { state: 'verified', verdict, cached: false };
}
