/**
 * Sandbox S3: buckets of objects in memory, versioned by default (evidence buckets are), with the parts of
 * S3 a responder relies on: conditional writes, ETags, user metadata, object lock retention and
 * ListObjectsV2 pagination. GetObject returns a body with the SDK's stream mixin methods.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CONDITIONAL_WRITE_FAILED } from '../../definitions/aws-errors';
import {
  type AccountContext,
  AwsError,
  type Operation,
  RECENT_RECORDS,
  requireString,
  type SandboxService,
} from './types';

function sizeOf(version: { body: Uint8Array; droppedBytes?: number }): number {
  return version.droppedBytes ?? version.body.length;
}

type Input = Record<string, unknown>;

/** What a dropped body becomes: one shared empty array, not one per version (a long replay drops thousands). */
const DROPPED_BODY = new Uint8Array(0);

interface StoredVersion {
  versionId: string | undefined;
  deleteMarker: boolean;
  body: Uint8Array;
  /** Under `retention: 'recent'`, an old body is dropped (bounded memory): its size, kept for listings. */
  droppedBytes?: number;
  etag: string;
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  serverSideEncryption: string;
  sseKmsKeyId: string | undefined;
  tagCount: number;
  lockMode: string | undefined;
  lockRetainUntil: number | undefined;
  legalHold: string | undefined;
}

interface Bucket {
  name: string;
  versioned: boolean;
  objectLock: boolean;
  createdAt: number;
  /** Versions of each key, oldest first; the last one is current. */
  objects: Map<string, StoredVersion[]>;
  /** Sorted keys whose current version is an object; rebuilt lazily after a key appears or goes. */
  listing: string[] | undefined;
}

export interface BucketOptions {
  /** Versioning on (the default) gives every write a VersionId and turns deletes into delete markers. */
  versioned?: boolean;
  /** Object lock lets writes carry retention and legal holds (needs versioning). */
  objectLock?: boolean;
}

/** Headers S3 stores and returns as they were sent. */
const STORED_HEADERS = ['CacheControl', 'ContentDisposition', 'ContentEncoding', 'ContentLanguage'] as const;

function s3Error(name: string, message: string, statusCode: number): AwsError {
  return new AwsError(name, message, { statusCode });
}

function preconditionFailed(): AwsError {
  return s3Error(
    CONDITIONAL_WRITE_FAILED.code,
    'At least one of the pre-conditions you specified did not hold',
    CONDITIONAL_WRITE_FAILED.status,
  );
}

/** Code-point order equals the UTF-8 binary order S3 lists keys in. */
function compareKeys(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const p = x[i]?.codePointAt(0) ?? 0;
    const q = y[i]?.codePointAt(0) ?? 0;
    if (p !== q) return p - q;
  }
  return x.length - y.length;
}

function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return new Uint8Array(Buffer.from(body, 'utf8'));
  if (body instanceof Uint8Array) return Uint8Array.from(body);
  throw s3Error(
    'InvalidArgument',
    'The sandbox accepts PutObject bodies as string, Uint8Array or Buffer (read streams into memory first)',
    400,
  );
}

function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

function optionalTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number') {
    const time = new Date(value).getTime();
    return Number.isNaN(time) ? undefined : time;
  }
  return undefined;
}

/** The SDK's stream mixin over an in-memory body: a Readable that can be transformed exactly once. */
function streamingBody(bytes: Uint8Array) {
  let consumed = false;
  const take = (): Buffer => {
    if (consumed) throw new Error('The stream has already been transformed.');
    consumed = true;
    return Buffer.from(bytes);
  };
  return Object.assign(Readable.from([Buffer.from(bytes)]), {
    transformToString: async (encoding: BufferEncoding = 'utf8'): Promise<string> =>
      take().toString(encoding),
    transformToByteArray: async (): Promise<Uint8Array> => new Uint8Array(take()),
    transformToWebStream: (): ReadableStream => new Blob([take()]).stream(),
  });
}

function parseRange(range: string, size: number): [number, number] {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  const from = match?.[1] ?? '';
  const to = match?.[2] ?? '';
  let start: number;
  let end: number;
  if (from === '' && to !== '') {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (!match || (from === '' && to === '') || start >= size || start > end) {
    throw s3Error('InvalidRange', 'The requested range is not satisfiable', 416);
  }
  return [start, end];
}

interface JsonVersion extends Omit<StoredVersion, 'body'> {
  body: string;
}

export class S3Service implements SandboxService {
  readonly name = 's3' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly buckets = new Map<string, Bucket>();
  /** Versions written under `retention: 'recent'`, oldest first: the bodies that may be dropped. */
  private recentBodies: StoredVersion[] = [];

  constructor(private readonly ctx: AccountContext) {
    this.operations = {
      PutObject: (input) => this.putObject(input),
      GetObject: (input) => this.getObject(input),
      HeadObject: (input) => this.headObject(input),
      DeleteObject: (input) => this.deleteObject(input),
      ListObjectsV2: (input) => this.listObjectsV2(input),
      HeadBucket: (input) => {
        this.bucket(input, true);
        return {};
      },
      ListBuckets: () => ({
        Buckets: [...this.buckets.values()].map((b) => ({
          Name: b.name,
          CreationDate: new Date(b.createdAt),
        })),
        Owner: { ID: this.ctx.accountId },
      }),
    };
  }

  createBucket(name: string, options: BucketOptions = {}): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
      throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', 400);
    }
    if (this.buckets.has(name)) {
      throw s3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded.',
        409,
      );
    }
    const objectLock = options.objectLock ?? false;
    this.buckets.set(name, {
      name,
      versioned: (options.versioned ?? true) || objectLock,
      objectLock,
      createdAt: this.ctx.now(),
      objects: new Map(),
      listing: undefined,
    });
  }

  /** Current objects of a bucket as key → UTF-8 text, for tests. */
  objects(bucket: string): Record<string, string> {
    const found = this.buckets.get(bucket);
    if (!found) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
    const result: Record<string, string> = {};
    for (const key of this.listing(found)) {
      const current = this.current(found, key);
      if (current) result[key] = Buffer.from(current.body).toString('utf8');
    }
    return result;
  }

  snapshot(): unknown {
    return {
      buckets: [...this.buckets.values()].map((bucket) => ({
        name: bucket.name,
        versioned: bucket.versioned,
        objectLock: bucket.objectLock,
        createdAt: bucket.createdAt,
        objects: Object.fromEntries(
          [...bucket.objects].map(([key, versions]) => [
            key,
            versions.map((v): JsonVersion => ({ ...v, body: Buffer.from(v.body).toString('base64') })),
          ]),
        ),
      })),
    };
  }

  restore(state: unknown): void {
    this.buckets.clear();
    const saved = (state as { buckets?: unknown } | undefined)?.buckets;
    for (const entry of Array.isArray(saved) ? saved : []) {
      const bucket = entry as {
        name: string;
        versioned: boolean;
        objectLock: boolean;
        createdAt: number;
        objects: Record<string, JsonVersion[]>;
      };
      this.buckets.set(bucket.name, {
        name: bucket.name,
        versioned: bucket.versioned,
        objectLock: bucket.objectLock,
        createdAt: bucket.createdAt,
        objects: new Map(
          Object.entries(bucket.objects).map(([key, versions]) => [
            key,
            versions.map((v) => ({ ...v, body: new Uint8Array(Buffer.from(v.body, 'base64')) })),
          ]),
        ),
        listing: undefined,
      });
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------

  private bucket(input: Input, head = false): Bucket {
    const name = requireString(input, 'Bucket', 'S3');
    const bucket = this.buckets.get(name);
    // HEAD responses carry no body, so the SDK can only report the status.
    if (!bucket) {
      throw head
        ? s3Error('NotFound', 'Not Found', 404)
        : s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
    }
    return bucket;
  }

  private current(bucket: Bucket, key: string): StoredVersion | undefined {
    const versions = bucket.objects.get(key);
    const latest = versions?.[versions.length - 1];
    return latest && !latest.deleteMarker ? latest : undefined;
  }

  private listing(bucket: Bucket): string[] {
    bucket.listing ??= [...bucket.objects.keys()].filter((k) => this.current(bucket, k)).sort(compareKeys);
    return bucket.listing;
  }

  private key(input: Input): string {
    const key = requireString(input, 'Key', 'S3');
    if (Buffer.byteLength(key, 'utf8') > 1024) throw s3Error('KeyTooLongError', 'Your key is too long', 400);
    return key;
  }

  /** The version a read addresses: the current one, or the one named by VersionId. */
  private version(bucket: Bucket, key: string, input: Input, head: boolean): StoredVersion {
    const versionId = optionalString(input, 'VersionId');
    if (versionId === undefined) {
      const current = this.current(bucket, key);
      if (!current) {
        throw head
          ? s3Error('NotFound', 'Not Found', 404)
          : s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      }
      return current;
    }
    const found = bucket.objects.get(key)?.find((v) => v.versionId === versionId);
    if (!found) {
      throw head
        ? s3Error('NotFound', 'Not Found', 404)
        : s3Error('NoSuchVersion', 'The specified version does not exist.', 404);
    }
    if (found.deleteMarker) {
      throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
    }
    return found;
  }

  private checkReadConditions(version: StoredVersion, input: Input): void {
    const ifMatch = optionalString(input, 'IfMatch');
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== version.etag) throw preconditionFailed();
    const ifNoneMatch = optionalString(input, 'IfNoneMatch');
    if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch === version.etag)) {
      throw s3Error('NotModified', 'Not Modified', 304);
    }
    const since = optionalTime(input.IfModifiedSince);
    if (since !== undefined && version.lastModified <= since)
      throw s3Error('NotModified', 'Not Modified', 304);
    const unmodified = optionalTime(input.IfUnmodifiedSince);
    if (unmodified !== undefined && version.lastModified > unmodified) throw preconditionFailed();
  }

  /** `retention: 'recent'`: newest bodies only; keys, ETags, sizes stay (conditional writes, listings). */
  private retainBody(version: StoredVersion, key: string): void {
    if (this.ctx.retention !== 'recent') return;
    // Quarantine records (incidents/<id>/…/quarantine/…) are read back much later, by the image-push check
    // of a re-pushed digest and by release: small, and never dropped.
    if (key.includes('/quarantine/')) return;
    this.recentBodies.push(version);
    if (this.recentBodies.length <= 2 * RECENT_RECORDS) return;
    for (const old of this.recentBodies.slice(0, -RECENT_RECORDS)) {
      old.droppedBytes = old.body.length;
      old.body = DROPPED_BODY;
    }
    this.recentBodies = this.recentBodies.slice(-RECENT_RECORDS);
  }

  private describe(version: StoredVersion): Record<string, unknown> {
    return {
      AcceptRanges: 'bytes',
      LastModified: new Date(version.lastModified),
      ContentLength: sizeOf(version),
      ETag: version.etag,
      ContentType: version.contentType,
      Metadata: { ...version.metadata },
      ...version.headers,
      ServerSideEncryption: version.serverSideEncryption,
      ...(version.sseKmsKeyId ? { SSEKMSKeyId: version.sseKmsKeyId } : {}),
      ...(version.versionId ? { VersionId: version.versionId } : {}),
      ...(version.tagCount > 0 ? { TagCount: version.tagCount } : {}),
      ...(version.lockMode ? { ObjectLockMode: version.lockMode } : {}),
      ...(version.lockRetainUntil !== undefined
        ? { ObjectLockRetainUntilDate: new Date(version.lockRetainUntil) }
        : {}),
      ...(version.legalHold ? { ObjectLockLegalHoldStatus: version.legalHold } : {}),
    };
  }

  /** Adds a version (object or delete marker); unversioned buckets keep only the latest. */
  private addVersion(bucket: Bucket, key: string, version: StoredVersion): void {
    const existed = this.current(bucket, key) !== undefined;
    const versions = bucket.versioned ? (bucket.objects.get(key) ?? []) : [];
    versions.push(version);
    bucket.objects.set(key, versions);
    if (existed !== !version.deleteMarker) bucket.listing = undefined;
  }

  // --- operations --------------------------------------------------------------------------------------

  private putObject(input: Input): unknown {
    const bucket = this.bucket(input);
    const key = this.key(input);
    const body = bodyBytes(input.Body);
    const current = this.current(bucket, key);
    const ifNoneMatch = optionalString(input, 'IfNoneMatch');
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch !== '*')
        throw s3Error('NotImplemented', 'IfNoneMatch supports only "*" on PutObject', 501);
      if (current) throw preconditionFailed();
    }
    const ifMatch = optionalString(input, 'IfMatch');
    if (ifMatch !== undefined) {
      if (!current) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      if (ifMatch !== current.etag) throw preconditionFailed();
    }
    const md5 = createHash('md5').update(body);
    const digest = md5.digest();
    const contentMd5 = optionalString(input, 'ContentMD5');
    if (contentMd5 !== undefined && contentMd5 !== digest.toString('base64')) {
      throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
    }
    const lockMode = optionalString(input, 'ObjectLockMode');
    const lockRetainUntil = optionalTime(input.ObjectLockRetainUntilDate);
    const legalHold = optionalString(input, 'ObjectLockLegalHoldStatus');
    if ((lockMode || lockRetainUntil !== undefined || legalHold) && !bucket.objectLock) {
      throw s3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration', 400);
    }
    if ((lockMode === undefined) !== (lockRetainUntil === undefined)) {
      throw s3Error(
        'InvalidArgument',
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
        400,
      );
    }
    const metadata: Record<string, string> = {};
    const rawMetadata = input.Metadata;
    if (rawMetadata && typeof rawMetadata === 'object') {
      // User metadata travels as x-amz-meta-* headers, so S3 hands the names back lower-cased.
      for (const [name, value] of Object.entries(rawMetadata)) metadata[name.toLowerCase()] = String(value);
    }
    const headers: Record<string, string> = {};
    for (const header of STORED_HEADERS) {
      const value = optionalString(input, header);
      if (value !== undefined) headers[header] = value;
    }
    const tagging = optionalString(input, 'Tagging');
    const serverSideEncryption = optionalString(input, 'ServerSideEncryption') ?? 'AES256';
    const version: StoredVersion = {
      versionId: bucket.versioned ? this.ctx.nextId('', 32) : undefined,
      deleteMarker: false,
      body,
      etag: `"${digest.toString('hex')}"`,
      lastModified: this.ctx.now(),
      contentType: optionalString(input, 'ContentType') ?? 'binary/octet-stream',
      metadata,
      headers,
      serverSideEncryption,
      sseKmsKeyId:
        serverSideEncryption === 'aws:kms'
          ? (optionalString(input, 'SSEKMSKeyId') ??
            `arn:${this.ctx.partition}:kms:${this.ctx.region}:${this.ctx.accountId}:alias/aws/s3`)
          : undefined,
      tagCount: tagging ? new URLSearchParams(tagging).size : 0,
      lockMode,
      lockRetainUntil,
      legalHold,
    };
    this.addVersion(bucket, key, version);
    this.retainBody(version, key);
    return {
      ETag: version.etag,
      ServerSideEncryption: version.serverSideEncryption,
      ...(version.sseKmsKeyId ? { SSEKMSKeyId: version.sseKmsKeyId } : {}),
      ...(version.versionId ? { VersionId: version.versionId } : {}),
    };
  }

  private getObject(input: Input): unknown {
    const bucket = this.bucket(input);
    const version = this.version(bucket, this.key(input), input, false);
    this.checkReadConditions(version, input);
    if (version.droppedBytes !== undefined) {
      throw new AwsError(
        'SandboxBodyDropped',
        'the sandbox dropped this old object body (retention: recent, the fast path of long replays)',
      );
    }
    const range = optionalString(input, 'Range');
    if (range === undefined) return { ...this.describe(version), Body: streamingBody(version.body) };
    const [start, end] = parseRange(range, version.body.length);
    return {
      ...this.describe(version),
      ContentLength: end - start + 1,
      ContentRange: `bytes ${start}-${end}/${version.body.length}`,
      Body: streamingBody(version.body.subarray(start, end + 1)),
    };
  }

  private headObject(input: Input): unknown {
    const bucket = this.bucket(input, true);
    const version = this.version(bucket, this.key(input), input, true);
    this.checkReadConditions(version, input);
    return this.describe(version);
  }

  private deleteObject(input: Input): unknown {
    const bucket = this.bucket(input);
    const key = this.key(input);
    const versionId = optionalString(input, 'VersionId');
    if (versionId === undefined) {
      if (!bucket.versioned) {
        if (bucket.objects.delete(key)) bucket.listing = undefined;
        return {};
      }
      // Versioned buckets keep the data and hide it behind a delete marker.
      const marker: StoredVersion = {
        versionId: this.ctx.nextId('', 32),
        deleteMarker: true,
        body: new Uint8Array(),
        etag: '',
        lastModified: this.ctx.now(),
        contentType: '',
        metadata: {},
        headers: {},
        serverSideEncryption: '',
        sseKmsKeyId: undefined,
        tagCount: 0,
        lockMode: undefined,
        lockRetainUntil: undefined,
        legalHold: undefined,
      };
      this.addVersion(bucket, key, marker);
      return { DeleteMarker: true, VersionId: marker.versionId };
    }
    const versions = bucket.objects.get(key) ?? [];
    const index = versions.findIndex((v) => v.versionId === versionId);
    const target = versions[index];
    if (!target) return { VersionId: versionId };
    const retained = target.lockRetainUntil !== undefined && target.lockRetainUntil > this.ctx.now();
    const bypass = target.lockMode === 'GOVERNANCE' && input.BypassGovernanceRetention === true;
    if (target.legalHold === 'ON' || (retained && !bypass))
      throw s3Error('AccessDenied', 'Access Denied', 403);
    versions.splice(index, 1);
    if (versions.length === 0) bucket.objects.delete(key);
    bucket.listing = undefined;
    return { VersionId: versionId, ...(target.deleteMarker ? { DeleteMarker: true } : {}) };
  }

  private listObjectsV2(input: Input): unknown {
    const bucket = this.bucket(input);
    const prefix = optionalString(input, 'Prefix') ?? '';
    const delimiter = optionalString(input, 'Delimiter');
    const maxKeys = typeof input.MaxKeys === 'number' ? input.MaxKeys : 1000;
    if (maxKeys < 0)
      throw s3Error('InvalidArgument', 'Argument maxKeys must be an integer between 0 and 2147483647', 400);
    const token = optionalString(input, 'ContinuationToken');
    let after = optionalString(input, 'StartAfter') ?? '';
    if (token !== undefined) {
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      if (!decoded.startsWith('v1:')) {
        throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', 400);
      }
      after = decoded.slice(3);
    }
    const keys = this.listing(bucket);
    // Keys are sorted, so those under the prefix are contiguous: start at the later of prefix and marker.
    let low = 0;
    let high = keys.length;
    const from = compareKeys(prefix, after) > 0 ? prefix : after;
    const inclusive = from === prefix && compareKeys(prefix, after) > 0;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const order = compareKeys(keys[mid] ?? '', from);
      if (order < 0 || (order === 0 && !inclusive)) low = mid + 1;
      else high = mid;
    }
    const contents: Array<Record<string, unknown>> = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    for (let i = low; i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (!key.startsWith(prefix)) break;
      let entry = key;
      let isPrefix = false;
      if (delimiter) {
        const cut = key.indexOf(delimiter, prefix.length);
        if (cut >= 0) {
          entry = key.slice(0, cut + delimiter.length);
          isPrefix = true;
          // Resuming after a common prefix skips the keys it rolled up.
          if (entry === last || after.startsWith(entry)) continue;
        }
      }
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      last = entry;
      if (isPrefix) {
        prefixes.push(entry);
        continue;
      }
      const version = this.current(bucket, key);
      if (!version) continue;
      contents.push({
        Key: key,
        LastModified: new Date(version.lastModified),
        ETag: version.etag,
        Size: sizeOf(version),
        StorageClass: 'STANDARD',
      });
    }
    return {
      Name: bucket.name,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ...(contents.length > 0 ? { Contents: contents } : {}),
      ...(prefixes.length > 0 ? { CommonPrefixes: prefixes.map((p) => ({ Prefix: p })) } : {}),
      ...(delimiter ? { Delimiter: delimiter } : {}),
      ...(token !== undefined ? { ContinuationToken: token } : {}),
      ...(input.StartAfter !== undefined ? { StartAfter: input.StartAfter } : {}),
      ...(truncated && last !== undefined
        ? { NextContinuationToken: Buffer.from(`v1:${last}`, 'utf8').toString('base64') }
        : {}),
    };
  }
}
