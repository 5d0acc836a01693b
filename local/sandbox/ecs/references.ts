/** References as ECS writes them (names, ARNs, task definition keys, tags) and ECS-specific pagination. */

import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-ecs';
import { AwsError } from '../types';
import type {
  PutTaskDefinitionInput,
  TagInput,
  TaskDefinitionContainer,
  TaskDefinitionRecord,
} from './records';

/**
 * Milliseconds of an ISO timestamp the records keep, `Date.parse`'s answer. Parsed once per distinct string:
 * the views build several dates per task on every describe, and a scan describes hundreds of tasks. Bounded.
 */
const parsedIso = new Map<string, number>();
const PARSED_ISO_LIMIT = 50_000;

export function isoMs(iso: string): number {
  let ms = parsedIso.get(iso);
  if (ms === undefined) {
    ms = Date.parse(iso);
    if (parsedIso.size >= PARSED_ISO_LIMIT) parsedIso.clear();
    parsedIso.set(iso, ms);
  }
  return ms;
}

/** A fresh Date for a stored ISO timestamp (the same instant as `new Date(iso)`). */
export function date(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(isoMs(iso));
}

export function lastSegment(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The name in a cluster or service reference given as a name or as an ARN. */
export function resourceName(ref: string): string {
  return ref.startsWith('arn:') ? lastSegment(ref) : ref;
}

/** `family:revision` (or a bare family) from a task definition ARN or reference. */
export function taskDefinitionKey(ref: string): string {
  const marker = ref.indexOf('task-definition/');
  return marker >= 0 ? ref.slice(marker + 'task-definition/'.length) : ref;
}

/** Long ARN format `…:task/CLUSTER/ID`, kept as given so replayed findings and the sandbox agree. */
export function isLongTaskArn(arn: string | undefined): arn is string {
  return arn !== undefined && /^arn:[^:]+:ecs:[^:]+:\d{12}:task\/[^/]+\/[^/]+$/.test(arn);
}

export function sameTaskDefinition(existing: TaskDefinitionRecord, input: PutTaskDefinitionInput): boolean {
  return (
    existing.networkMode === input.networkMode &&
    existing.taskRoleArn === input.taskRoleArn &&
    JSON.stringify(existing.containers) === JSON.stringify(definitionContainers(input.containers))
  );
}

/** The container fields a task definition keeps (an image digest belongs to a task, not its definition). */
export function definitionContainers(
  containers: readonly TaskDefinitionContainer[],
): TaskDefinitionContainer[] {
  return containers.map(({ name, image, stopTimeout }) => ({
    name,
    image,
    ...(stopTimeout === undefined ? {} : { stopTimeout }),
  }));
}

export function toEcsTags(tags: TagInput | undefined): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map(({ key, value }) => ({ key, value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function copyTags(tags: Tag[]): Tag[] {
  return tags.map((tag) => ({ ...tag }));
}

/** `count` decimal digits derived from `seed` (deployment ids, Fargate runtime id suffixes). */
export function digits(seed: string, count: number): string {
  const hash = createHash('sha256').update(seed).digest();
  let out = '';
  for (const byte of hash) {
    if (out.length >= count) break;
    out += String(byte % 10);
  }
  return out.replace(/^0/, '1');
}

/** ECS pages default to 100 results; tokens are offsets. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit)) {
    throw new AwsError('InvalidParameterException', `maxResults must be between 1 and ${limit}.`);
  }
  let start = 0;
  if (nextToken !== undefined) {
    const offset = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AwsError('InvalidParameterException', 'Invalid nextToken.');
    start = offset;
  }
  const end = start + (maxResults ?? limit);
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}
