/**
 * What shield-right writes on the Security Hub (the newer one, OCSF) copy of a GuardDuty or Inspector
 * finding, beside the CSPM mapping (./security-hub.ts): the OCSF `status_id` and a comment. The workflow
 * statuses map onto OCSF's finding statuses (ocsf-schema `events/findings/finding.json`, `status_id`):
 * NOTIFIED → 2 In Progress ("under review"), RESOLVED → 4 Resolved; 3 Suppressed is never sent. Forward
 * only, as in CSPM: New/Unknown → In Progress → Resolved, and a status a person or the provider set
 * (Suppressed, Resolved, Archived, Deleted, Other) is kept, the comment alone updated. Pure: the action
 * (lambdas/actions/security-hub-v2.ts) makes the calls.
 */
import { targetStatus } from './security-hub';

/** OCSF finding `status_id` values (BatchUpdateFindingsV2 accepts 0–5 and 99). */
export const OCSF_STATUS = {
  UNKNOWN: 0,
  NEW: 1,
  IN_PROGRESS: 2,
  SUPPRESSED: 3,
  RESOLVED: 4,
  ARCHIVED: 5,
  OTHER: 99,
} as const;

const CAPTIONS: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
  5: 'Archived',
  6: 'Deleted',
  99: 'Other',
};

/** `Comment` of BatchUpdateFindingsV2: 1 to 512 characters (Security Hub API reference). */
export const COMMENT_MAX = 512;

export type OcsfTargetStatus = typeof OCSF_STATUS.IN_PROGRESS | typeof OCSF_STATUS.RESOLVED;

/** The OCSF caption of a status id, for the incident's record line. */
export function statusCaption(statusId: number | undefined): string {
  if (statusId === undefined) return 'no status';
  return `${CAPTIONS[statusId] ?? 'status'} (${statusId})`;
}

/** The status the response asks for, from the CSPM mapping: NOTIFIED → In Progress, RESOLVED → Resolved. */
export function targetStatusId(incidentStatus: string | undefined): OcsfTargetStatus {
  return targetStatus(incidentStatus) === 'RESOLVED' ? OCSF_STATUS.RESOLVED : OCSF_STATUS.IN_PROGRESS;
}

/** Rank of the statuses shield-right may move from; the others are never moved. */
const MOVABLE: Readonly<Record<number, number>> = { 0: 0, 1: 0, 2: 1, 4: 2 };

/**
 * The `StatusId` to send, or undefined for a comment-only update: forward moves only, never onto 3
 * (Suppressed), never away from Suppressed, Archived, Deleted or Other (a person's or the provider's).
 * A finding with no status is treated as New.
 */
export function statusIdChange(
  current: number | undefined,
  target: OcsfTargetStatus,
): OcsfTargetStatus | undefined {
  const from = MOVABLE[current ?? OCSF_STATUS.NEW];
  const to = MOVABLE[target];
  if (from === undefined || to === undefined) return undefined;
  return to > from ? target : undefined;
}

/** The OCSF fields shield-right reads from a finding GetFindingsV2 returned (a JSON document). */
export interface OcsfIdentity {
  readonly metadataUid?: string;
  readonly findingInfoUid?: string;
  readonly productUid?: string;
  readonly accountUid?: string;
  readonly statusId?: number;
}

/** How BatchUpdateFindingsV2 names the finding: its `metadata.uid`, or the three uids together. */
export type OcsfFindingRef =
  | { readonly MetadataUid: string }
  | {
      readonly FindingIdentifier: {
        readonly CloudAccountUid: string;
        readonly FindingInfoUid: string;
        readonly MetadataProductUid: string;
      };
    };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function at(doc: unknown, path: readonly string[]): unknown {
  let node: unknown = doc;
  for (const key of path) node = record(node)?.[key];
  return node;
}

/** Reads the identifying fields and status of a returned OCSF finding; fields absent stay absent. */
export function ocsfIdentity(doc: unknown): OcsfIdentity {
  const statusId = at(doc, ['status_id']);
  const fields: Record<string, string | number | undefined> = {
    metadataUid: text(at(doc, ['metadata', 'uid'])),
    findingInfoUid: text(at(doc, ['finding_info', 'uid'])),
    productUid: text(at(doc, ['metadata', 'product', 'uid'])),
    accountUid: text(at(doc, ['cloud', 'account', 'uid'])),
    statusId: typeof statusId === 'number' && Number.isInteger(statusId) ? statusId : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as OcsfIdentity;
}

/**
 * The identifier to update with, taken from what Security Hub returned, never built: `metadata.uid` when the
 * finding has one (globally unique), else the three uids of `OcsfFindingIdentifier`; undefined when neither.
 */
export function findingRefOf(identity: OcsfIdentity): OcsfFindingRef | undefined {
  if (identity.metadataUid) return { MetadataUid: identity.metadataUid };
  if (identity.findingInfoUid && identity.productUid && identity.accountUid) {
    return {
      FindingIdentifier: {
        CloudAccountUid: identity.accountUid,
        FindingInfoUid: identity.findingInfoUid,
        MetadataProductUid: identity.productUid,
      },
    };
  }
  return undefined;
}

/** One line naming the finding reached, for the incident record. */
export function describeRef(ref: OcsfFindingRef): string {
  return 'MetadataUid' in ref ? ref.MetadataUid : ref.FindingIdentifier.FindingInfoUid;
}

interface StringCondition {
  readonly FieldName: 'metadata.uid' | 'finding_info.uid' | 'cloud.account.uid' | 'metadata.product.uid';
  readonly Filter: { readonly Value: string; readonly Comparison: 'EQUALS' };
}

/** Mutable arrays: the shape the SDK's `OcsfFindingFilters` takes as is. */
export interface OcsfLookup {
  CompositeFilters: Array<{ StringFilters: StringCondition[]; Operator: 'AND' | 'OR' }>;
  CompositeOperator: 'AND';
}

const equals = (FieldName: StringCondition['FieldName'], Value: string): StringCondition => ({
  FieldName,
  Filter: { Value, Comparison: 'EQUALS' },
});

/**
 * GetFindingsV2 filter for the provider's finding: its ARN as `finding_info.uid` (the provider's finding id)
 * or as `metadata.uid`, or its bare id as `finding_info.uid` (which Security Hub fills, and with what, is not
 * confirmed: any matches), AND
 * the account it is about as `cloud.account.uid`.
 */
export function lookupFilter(findingArn: string, accountId: string): OcsfLookup {
  // The bare finding id (the ARN's last segment) too, in case the copy keeps the id rather than the ARN.
  const bareId = findingArn.slice(findingArn.lastIndexOf('/') + 1);
  const byId = bareId && bareId !== findingArn ? [equals('finding_info.uid', bareId)] : [];
  return {
    CompositeFilters: [
      {
        StringFilters: [equals('finding_info.uid', findingArn), equals('metadata.uid', findingArn), ...byId],
        Operator: 'OR',
      },
      { StringFilters: [equals('cloud.account.uid', accountId)], Operator: 'AND' },
    ],
    CompositeOperator: 'AND',
  };
}

/** GetFindingsV2 filter that finds again the finding a response reached (a release). */
export function refFilter(ref: OcsfFindingRef): OcsfLookup {
  if ('MetadataUid' in ref) {
    return {
      CompositeFilters: [{ StringFilters: [equals('metadata.uid', ref.MetadataUid)], Operator: 'AND' }],
      CompositeOperator: 'AND',
    };
  }
  const id = ref.FindingIdentifier;
  return {
    CompositeFilters: [
      {
        StringFilters: [
          equals('finding_info.uid', id.FindingInfoUid),
          equals('cloud.account.uid', id.CloudAccountUid),
          equals('metadata.product.uid', id.MetadataProductUid),
        ],
        Operator: 'AND',
      },
    ],
    CompositeOperator: 'AND',
  };
}
