/** EC2 filters (AND of filters, OR of values, `*` and `?` wildcards) and EC2 pagination. */
import type { Filter } from '@aws-sdk/client-ec2';
import { AwsError } from '../types';

/** Filter values of one name whose values are all exact (no wildcard), for index lookups. */
export function exactValues(filters: Filter[], name: string): string[] | undefined {
  const filter = filters.find((candidate) => candidate.Name === name);
  const values = filter?.Values;
  if (!values || values.some((value) => /[*?]/.test(value))) return undefined;
  return values;
}

/** EC2 filter semantics: filters AND, values OR, `*` and `?` wildcards; an unknown filter name is an error. */
export function matchesFilters(filters: Filter[], valuesOf: (name: string) => string[] | undefined): boolean {
  for (const filter of filters) {
    const name = filter.Name ?? '';
    const actual = valuesOf(name);
    if (actual === undefined) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    const wanted = filter.Values ?? [];
    if (!wanted.some((pattern) => actual.some((value) => matchesPattern(pattern, value)))) return false;
  }
  return true;
}

function matchesPattern(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** EC2 returns everything unless MaxResults (5 to 1000) asks for pages. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000)) {
    throw new AwsError('InvalidParameterValue', `Value (${maxResults}) for parameter maxResults is invalid.`);
  }
  let start = 0;
  if (nextToken !== undefined) {
    const offset = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AwsError('InvalidNextToken', 'The token is invalid.');
    start = offset;
  }
  if (maxResults === undefined) return { items: items.slice(start) };
  const end = start + maxResults;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}
