/**
 * Path-aware readers for untrusted JSON: each failure names the field that is wrong, so an invalid
 * finding is rejected with a message an operator can act on.
 */
import { InvalidFindingError } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// Bounds that keep a hostile event from growing every downstream record and message.
export const MAX_TEXT = 4096;
export const MAX_LIST = 100;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new InvalidFindingError(path, `expected an object, got ${describe(value)}`);
  return value;
}

export function optionalObjectAt(value: unknown, path: string): Record<string, unknown> | undefined {
  return value === undefined || value === null ? undefined : objectAt(value, path);
}

export function stringAt(value: unknown, path: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidFindingError(path, `expected a non-empty string, got ${describe(value)}`);
  }
  if (value.length > MAX_TEXT) throw new InvalidFindingError(path, `longer than ${MAX_TEXT} characters`);
  if (pattern && !pattern.test(value))
    throw new InvalidFindingError(path, `${describe(value)} is not a valid value`);
  return value;
}

export function optionalStringAt(value: unknown, path: string, pattern?: RegExp): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, path, pattern);
}

/** Free text from the finding: kept (clipped) whatever its content; it is escaped when displayed. */
export function textOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

export function numberAt(value: unknown, path: string, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    throw new InvalidFindingError(path, `expected a number from ${min} to ${max}, got ${describe(value)}`);
  }
  return n;
}

export function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidFindingError(path, `expected an array, got ${describe(value)}`);
  if (value.length > MAX_LIST) throw new InvalidFindingError(path, `more than ${MAX_LIST} entries`);
  return value;
}

export function optionalArrayAt(value: unknown, path: string): unknown[] {
  return value === undefined || value === null ? [] : arrayAt(value, path);
}

/** GuardDuty and ECS tags as `[{key, value}]` (either case) to a plain map. */
export function tagsAt(value: unknown, path: string): Record<string, string> {
  const tags: Record<string, string> = {};
  optionalArrayAt(value, path).forEach((entry, i) => {
    const tag = objectAt(entry, `${path}[${i}]`);
    const key = tag.key ?? tag.Key;
    const val = tag.value ?? tag.Value;
    if (typeof key === 'string' && key.length > 0 && key.length <= 256) {
      tags[key] = typeof val === 'string' ? val.slice(0, 512) : '';
    }
  });
  return tags;
}
