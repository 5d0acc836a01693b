/**
 * Helpers the sandbox services share: input shape checks, the operation wrapper, deterministic ids and
 * hashes, timestamps, and the id-set indexes services keep beside their records.
 */
import { createHash } from 'node:crypto';
import type { AccountContext, Operation } from './types';

/** A JSON-like object: not null and not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Operations receive the SDK command input as-is; this names its type once, at the boundary. */
export function op<T>(fn: (input: T) => unknown): Operation {
  return (input) => fn(input as unknown as T);
}

/** The sandbox clock as an ISO timestamp, the form records keep. */
export function isoNow(ctx: AccountContext): string {
  return new Date(ctx.now()).toISOString();
}

export function toIso(value: Date | string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

/** `length` hex digits from the account's deterministic id source, whatever prefix it adds. */
export function hexId(ctx: AccountContext, prefix: string, length: number): string {
  const raw = ctx
    .nextId(prefix, length)
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '');
  return raw.slice(-length).padStart(length, '0');
}

/** 32 hex digits in the 8-4-4-4-12 layout of a UUID. */
export function uuidFromHex(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function sha256Bytes(seed: string): number[] {
  return [...createHash('sha256').update(seed).digest()];
}

/** Adds `member` to the set kept under `key`, creating the set on first use. */
export function indexAdd(index: Map<string, Set<string>>, key: string, member: string): void {
  let members = index.get(key);
  if (!members) {
    members = new Set();
    index.set(key, members);
  }
  members.add(member);
}

/** Removes `member` from the set kept under `key`, dropping the set once empty. */
export function indexRemove(index: Map<string, Set<string>>, key: string, member: string): void {
  const members = index.get(key);
  members?.delete(member);
  if (members?.size === 0) index.delete(key);
}

/** Empties every map or set of a service before a restore refills them. */
export function clearAll(collections: Iterable<{ clear(): void }>): void {
  for (const collection of collections) collection.clear();
}
