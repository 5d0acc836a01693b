/** ECR image listing filters, tags as provisioning gives them, and ECR pagination. */
import type { Tag } from '@aws-sdk/client-ecr';
import { isRecord } from '../shared';
import { AwsError } from '../types';
import type { ImageRecord, PutRepositoryInput } from './records';

/**
 * The listing filter of DescribeImages/ListImages with its defaults: an absent `imageStatus` means ACTIVE
 * ("If not specified, only images with ACTIVE status are returned", `DescribeImagesFilter` in the ECR model).
 * Values outside the model's enums (`ImageStatusFilter`, `TagStatus`) were refused by the model check.
 */
export function imageFilter(filter: { imageStatus?: string; tagStatus?: string } | undefined): {
  imageStatus: string;
  tagStatus: string;
} {
  return { imageStatus: filter?.imageStatus ?? 'ACTIVE', tagStatus: filter?.tagStatus ?? 'ANY' };
}

export function matchesStatus(image: ImageRecord, filter: string): boolean {
  return filter === 'ANY' || image.status === filter;
}

export function matchesTagStatus(image: ImageRecord, filter: string): boolean {
  if (filter === 'TAGGED') return image.tags.length > 0;
  if (filter === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

export function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function toEcrTags(tags: PutRepositoryInput['tags']): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Offset tokens: stable enough for a sandbox whose listings change only between replayed calls. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number,
  defaultSize = 100,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit)) {
    throw new AwsError('InvalidParameterException', `maxResults must be between 1 and ${limit}`);
  }
  const start = nextToken === undefined ? 0 : decodeToken(nextToken);
  const end = start + (maxResults ?? defaultSize);
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(JSON.stringify({ o: end })).toString('base64') : undefined,
  };
}

function decodeToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const offset = isRecord(parsed) ? parsed.o : undefined;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the error below
  }
  throw new AwsError('InvalidParameterException', 'Invalid nextToken');
}
