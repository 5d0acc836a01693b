/**
 * Sandbox Security Hub (the newer one, OCSF): its copies of the account's findings, as JSON documents.
 * `GetFindingsV2` filters with `CompositeFilters` of `StringFilters` joined by each filter's `Operator`
 * and the `CompositeOperator` (both AND when absent: an assumption, not documented), on the OCSF string
 * fields shield-right uses; any other filter kind, field or comparison is refused with ValidationException
 * rather than ignored. `BatchUpdateFindingsV2` names findings by `MetadataUids` or `FindingIdentifiers`
 * (not both), sets `StatusId` (with its caption in `status`), `SeverityId` and `Comment` (1–512 characters),
 * and answers a finding it does not hold in `UnprocessedFindings` (ResourceNotFoundException), never by
 * failing the request. Requests are checked against the model first (./models/constraints.json).
 */
import { createHash } from 'node:crypto';
import { DelayedImports, stringComparison } from './securityhub-shared';
import { isRecord } from './shared';
import { AwsError } from './types';

export interface OcsfFinding {
  metadata: { uid: string; product: { uid: string; name: string } };
  finding_info: { uid: string; title?: string };
  cloud: { account: { uid: string }; region: string };
  status_id: number;
  status: string;
  severity_id?: number;
  comment?: string;
}

/** What a product integration imports: the status starts New. */
export type NewOcsfFinding = Omit<OcsfFinding, 'status_id' | 'status'> &
  Partial<Pick<OcsfFinding, 'status_id'>>;

const STRING_FIELDS = {
  'metadata.uid': (f: OcsfFinding) => f.metadata.uid,
  'metadata.product.uid': (f: OcsfFinding) => f.metadata.product.uid,
  'metadata.product.name': (f: OcsfFinding) => f.metadata.product.name,
  'finding_info.uid': (f: OcsfFinding) => f.finding_info.uid,
  'finding_info.title': (f: OcsfFinding) => f.finding_info.title,
  'cloud.account.uid': (f: OcsfFinding) => f.cloud.account.uid,
  status: (f: OcsfFinding) => f.status,
} as const satisfies Record<string, (f: OcsfFinding) => string | undefined>;

type Field = keyof typeof STRING_FIELDS;

/** `StatusId` values BatchUpdateFindingsV2 accepts, with OCSF's captions (SDK model documentation). */
export const STATUS_CAPTIONS: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
  5: 'Archived',
  99: 'Other',
};
const SEVERITY_IDS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 6, 99]);
export const COMMENT_MAX = 512;
const MAX_COMPOSITE = 10;
const MAX_PER_COMPOSITE = 20;
const MAX_IDENTIFIERS = 100;

interface Condition {
  field: Field;
  value: string;
  comparison: string;
}

interface Composite {
  conditions: Condition[];
  operator: 'AND' | 'OR';
}

function invalid(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

function isField(name: string): name is Field {
  return Object.hasOwn(STRING_FIELDS, name);
}

function operatorOf(value: unknown, where: string): 'AND' | 'OR' {
  if (value === undefined || value === 'AND') return 'AND';
  if (value === 'OR') return 'OR';
  throw invalid(`${where}: operator ${String(value)} is not AND or OR`);
}

function parseComposite(raw: unknown): Composite {
  if (!isRecord(raw)) throw invalid('CompositeFilters: each must be an object');
  for (const kind of ['DateFilters', 'BooleanFilters', 'NumberFilters', 'MapFilters', 'IpFilters']) {
    if (raw[kind] !== undefined) throw invalid(`${kind} are not implemented by the sandbox`);
  }
  if (raw.NestedCompositeFilters !== undefined) {
    throw invalid('NestedCompositeFilters are not implemented by the sandbox');
  }
  const list = Array.isArray(raw.StringFilters) ? raw.StringFilters : [];
  if (list.length === 0 || list.length > MAX_PER_COMPOSITE) {
    throw invalid(`StringFilters: 1 to ${MAX_PER_COMPOSITE} filters per composite filter`);
  }
  const conditions = list.map((f): Condition => {
    const filter = isRecord(f) && isRecord(f.Filter) ? f.Filter : undefined;
    const name = isRecord(f) && typeof f.FieldName === 'string' ? f.FieldName : '';
    if (!filter || typeof filter.Value !== 'string' || typeof filter.Comparison !== 'string') {
      throw invalid('StringFilters: each needs FieldName and Filter {Value, Comparison}');
    }
    if (!isField(name)) throw invalid(`field ${name} is not implemented by the sandbox`);
    if (filter.Comparison === 'CONTAINS_WORD')
      throw invalid('CONTAINS_WORD is not implemented by the sandbox');
    return { field: name, value: filter.Value, comparison: filter.Comparison };
  });
  return { conditions, operator: operatorOf(raw.Operator, 'CompositeFilter') };
}

function matches(value: string | undefined, c: Condition): boolean {
  return stringComparison(value, c.comparison, c.value, invalid);
}

function matchComposite(finding: OcsfFinding, composite: Composite): boolean {
  const results = composite.conditions.map((c) => matches(STRING_FIELDS[c.field](finding), c));
  return composite.operator === 'OR' ? results.some(Boolean) : results.every(Boolean);
}

/** A stable `metadata.uid` for an imported finding: Security Hub's own id, unlike the provider's ARN. */
export function sandboxMetadataUid(productUid: string, findingUid: string, accountUid: string): string {
  return createHash('sha256')
    .update(`${productUid}\u0000${findingUid}\u0000${accountUid}`)
    .digest('hex')
    .slice(0, 32);
}

function identifierKey(id: { CloudAccountUid: string; FindingInfoUid: string; MetadataProductUid: string }) {
  return `${id.MetadataProductUid}\u0000${id.FindingInfoUid}\u0000${id.CloudAccountUid}`;
}

export class SecurityHubV2Store {
  private readonly findings = new Map<string, OcsfFinding>();
  private readonly pending = new DelayedImports<NewOcsfFinding>();

  put(finding: NewOcsfFinding): void {
    const statusId = finding.status_id ?? 1;
    this.findings.set(finding.metadata.uid, {
      ...structuredClone(finding),
      status_id: statusId,
      status: STATUS_CAPTIONS[statusId] ?? 'Other',
    });
  }

  /** Imports `finding` only after `lookups` more `GetFindingsV2` calls (`never`: not at all). */
  putLater(finding: NewOcsfFinding, lookups: number | 'never'): void {
    this.pending.later(finding, lookups);
  }

  /** The stored copy of the finding whose `finding_info.uid` is `findingUid` (tests read it back). */
  byFindingUid(findingUid: string): OcsfFinding | undefined {
    const found = [...this.findings.values()].find((f) => f.finding_info.uid === findingUid);
    return found ? structuredClone(found) : undefined;
  }

  private importDue(): void {
    this.pending.lookup((finding) => this.put(finding));
  }

  getFindings(input: Record<string, unknown>): unknown {
    if (input.Scopes !== undefined) throw invalid('Scopes are not implemented by the sandbox');
    if (input.SortCriteria !== undefined) throw invalid('SortCriteria are not implemented by the sandbox');
    const filters = isRecord(input.Filters) ? input.Filters : {};
    const raw = Array.isArray(filters.CompositeFilters) ? filters.CompositeFilters : [];
    if (raw.length > MAX_COMPOSITE) throw invalid(`at most ${MAX_COMPOSITE} composite filters`);
    const composites = raw.map(parseComposite);
    const operator = operatorOf(filters.CompositeOperator, 'CompositeOperator');
    this.importDue();
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid');
    const matching = [...this.findings.values()].filter((f) => {
      if (composites.length === 0) return true;
      const results = composites.map((c) => matchComposite(f, c));
      return operator === 'OR' ? results.some(Boolean) : results.every(Boolean);
    });
    const page = matching.slice(start, start + max).map((f) => structuredClone(f));
    const next = start + max < matching.length ? String(start + max) : undefined;
    return { Findings: page, ...(next ? { NextToken: next } : {}) };
  }

  batchUpdate(input: Record<string, unknown>): unknown {
    const uids = Array.isArray(input.MetadataUids) ? input.MetadataUids : undefined;
    const identifiers = Array.isArray(input.FindingIdentifiers) ? input.FindingIdentifiers : undefined;
    if (uids && identifiers) throw invalid('MetadataUids cannot be used together with FindingIdentifiers');
    const named = uids ?? identifiers ?? [];
    if (named.length === 0 || named.length > MAX_IDENTIFIERS) {
      throw invalid(`MetadataUids or FindingIdentifiers: 1 to ${MAX_IDENTIFIERS} findings`);
    }
    const comment = input.Comment;
    if (comment !== undefined && (typeof comment !== 'string' || comment.length > COMMENT_MAX)) {
      throw invalid(`Comment: 1 to ${COMMENT_MAX} characters`);
    }
    const statusId = input.StatusId;
    if (statusId !== undefined && (typeof statusId !== 'number' || STATUS_CAPTIONS[statusId] === undefined)) {
      throw invalid(`StatusId ${String(statusId)}: one of 0, 1, 2, 3, 4, 5, 99`);
    }
    const severityId = input.SeverityId;
    if (severityId !== undefined && (typeof severityId !== 'number' || !SEVERITY_IDS.has(severityId))) {
      throw invalid(`SeverityId ${String(severityId)}: one of 0, 1, 2, 3, 4, 5, 6, 99`);
    }
    const byIdentifier = new Map(
      [...this.findings.values()].map((f) => [
        identifierKey({
          CloudAccountUid: f.cloud.account.uid,
          FindingInfoUid: f.finding_info.uid,
          MetadataProductUid: f.metadata.product.uid,
        }),
        f,
      ]),
    );
    const processed: Array<Record<string, unknown>> = [];
    const unprocessed: Array<Record<string, unknown>> = [];
    for (const raw of named) {
      let finding: OcsfFinding | undefined;
      let echo: Record<string, unknown>;
      if (uids) {
        if (typeof raw !== 'string') throw invalid('MetadataUids: strings');
        finding = this.findings.get(raw);
        echo = { MetadataUid: raw };
      } else {
        if (
          !isRecord(raw) ||
          typeof raw.CloudAccountUid !== 'string' ||
          typeof raw.FindingInfoUid !== 'string' ||
          typeof raw.MetadataProductUid !== 'string'
        ) {
          throw invalid('FindingIdentifiers: each needs CloudAccountUid, FindingInfoUid, MetadataProductUid');
        }
        const id = {
          CloudAccountUid: raw.CloudAccountUid,
          FindingInfoUid: raw.FindingInfoUid,
          MetadataProductUid: raw.MetadataProductUid,
        };
        finding = byIdentifier.get(identifierKey(id));
        echo = { FindingIdentifier: id };
      }
      if (!finding) {
        unprocessed.push({
          ...echo,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: 'The finding was not found',
        });
        continue;
      }
      if (typeof statusId === 'number') {
        finding.status_id = statusId;
        finding.status = STATUS_CAPTIONS[statusId] ?? 'Other';
      }
      if (typeof severityId === 'number') finding.severity_id = severityId;
      if (typeof comment === 'string') finding.comment = comment;
      processed.push(echo);
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  snapshot(): OcsfFinding[] {
    return [...this.findings.values()];
  }

  restore(state: unknown): void {
    this.findings.clear();
    if (!Array.isArray(state)) return;
    for (const f of state as OcsfFinding[]) this.findings.set(f.metadata.uid, f);
  }
}
