/**
 * The EventBridge event a finding rule would have delivered, built from a finding read through the API:
 * what `shield-right respond` and the reconciliation sweep start the workflows with, so that a finding
 * whose event was missed takes exactly the path of one whose event arrived.
 */
import { createHash } from 'node:crypto';
import type { NormalizedSchema } from '@smithy/core/schema';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * The SDK's output shape (GuardDuty: PascalCase members; every service: Date timestamps) back to the API's
 * JSON shape that EventBridge delivers as `detail` (camelCase, timestamps as ISO text), by walking the
 * SDK's own schema: each member is renamed to its jsonName (the service model's `locationName`).
 */
export function sdkToWire(schema: NormalizedSchema, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [member, memberSchema] of schema.structIterator()) {
      const converted = sdkToWire(memberSchema, value[member]);
      if (converted !== undefined) out[memberSchema.getMergedTraits().jsonName ?? member] = converted;
    }
    return out;
  }
  if (schema.isListSchema()) {
    return Array.isArray(value) ? value.map((v) => sdkToWire(schema.getValueSchema(), v)) : value;
  }
  if (schema.isMapSchema()) {
    if (!isRecord(value)) return value;
    const valueSchema = schema.getValueSchema();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sdkToWire(valueSchema, v)]));
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/** A UUID-shaped id derived from the finding and its update time: the same finding version, the same id. */
function eventIdFor(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The EventBridge event the rule would have delivered for a finding in the API's JSON shape. */
export function eventForFinding(
  source: 'aws.guardduty' | 'aws.inspector2',
  detail: Record<string, unknown>,
  now: number,
): Record<string, unknown> {
  const time = typeof detail.updatedAt === 'string' ? detail.updatedAt : new Date(now).toISOString();
  if (source === 'aws.guardduty') {
    return {
      version: '0',
      id: eventIdFor(`${String(detail.id)}:${time}`),
      'detail-type': 'GuardDuty Finding',
      source,
      account: detail.accountId,
      time,
      region: detail.region,
      resources: [],
      detail,
    };
  }
  const arn = String(detail.findingArn ?? '');
  const resources = Array.isArray(detail.resources) ? detail.resources : [];
  return {
    version: '0',
    id: eventIdFor(`${arn}:${time}`),
    'detail-type': 'Inspector2 Finding',
    source,
    account: detail.awsAccountId,
    time,
    region: arn.split(':')[3] ?? '',
    resources: resources.flatMap((r) => (isRecord(r) && typeof r.id === 'string' ? [r.id] : [])),
    detail,
  };
}
