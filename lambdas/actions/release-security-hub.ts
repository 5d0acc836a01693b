/**
 * A release resolves the Security Hub copies of the incident's finding the response reached: CSPM's
 * (Workflow.Status RESOLVED) and the OCSF one's (StatusId 4 Resolved), forward only (a person's SUPPRESSED or
 * Suppressed stays), with a note saying who released it. Only when the response reached a copy
 * (`securityHubFinding` on the incident, written with `securityHub: "on"`) and the caller has a Security Hub
 * client; each copy is one release step, a failure is reported as a failed step and recorded on the incident,
 * never undoing the release.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import * as v from 'valibot';
import { summaryFor } from '../core/security-hub';
import { type CopyState, describeCopies, HUB_LABEL, type Hub } from '../core/security-hub-copies';
import { describeRef, type OcsfFindingRef } from '../core/security-hub-v2';
import type { IncidentItem } from './incident-store';
import type { ReleaseStep } from './release-step';
import { type ReachedCopies, updateCopies } from './security-hub-copies';
import { recordSecurityHub } from './security-hub-step';

const text = v.pipe(v.string(), v.minLength(1));

const OcsfRefSchema = v.union([
  v.object({ MetadataUid: text }),
  v.object({
    FindingIdentifier: v.object({ CloudAccountUid: text, FindingInfoUid: text, MetadataProductUid: text }),
  }),
]);

/** `securityHubFinding`: the CSPM copy at the top level (incidents recorded before V2 support), `v2` beside it. */
const FindingRefSchema = v.object({
  source: v.picklist(['guardduty', 'inspector2']),
  accountId: v.string(),
  partition: v.string(),
  region: v.string(),
  Id: v.optional(text),
  ProductArn: v.optional(text),
  v2: v.optional(OcsfRefSchema),
});

export interface ReleaseSecurityHubDeps {
  readonly securityhub?: SecurityHubClient;
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now: () => number;
}

function findingRef(item: Record<string, unknown>) {
  if (typeof item.securityHubFinding !== 'string') return undefined;
  try {
    const parsed = v.safeParse(FindingRefSchema, JSON.parse(item.securityHubFinding));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

function reachedOf(ref: NonNullable<ReturnType<typeof findingRef>>): ReachedCopies {
  const v2: OcsfFindingRef | undefined = ref.v2;
  return {
    ...(ref.Id && ref.ProductArn ? { cspm: { Id: ref.Id, ProductArn: ref.ProductArn } } : {}),
    ...(v2 ? { v2 } : {}),
  };
}

function stepOf(hub: Hub, state: CopyState, target: string): ReleaseStep | undefined {
  if (state.status === 'not-reached') return undefined;
  const name = HUB_LABEL[hub];
  if (state.status === 'updated') {
    return {
      action: 'resolve-security-hub-finding',
      target,
      status: 'done',
      detail: `${name}: ${hub === 'cspm' ? 'workflow status' : 'status'} ${state.held}${state.kept ? ' kept' : ''}`,
    };
  }
  const detail =
    state.status === 'failed'
      ? `security hub failed: ${state.error}: ${state.message}`
      : state.status === 'not-found'
        ? `security hub failed: ${state.message}`
        : `security hub failed: ${state.reason}`;
  return { action: 'resolve-security-hub-finding', target, status: 'failed', detail: `${name}: ${detail}` };
}

/** The steps resolving the finding's copies in Security Hub, or none when the response never reached one. */
export async function resolveInSecurityHub(
  deps: ReleaseSecurityHubDeps,
  incident: IncidentItem,
  actor: string,
): Promise<ReleaseStep[]> {
  const ref = findingRef(incident.item);
  if (!ref || !deps.securityhub) return [];
  const reached = reachedOf(ref);
  if (!reached.cspm && !reached.v2) return [];
  const targets: Readonly<Record<Hub, string>> = {
    cspm: reached.cspm?.Id ?? '',
    v2: reached.v2 ? describeRef(reached.v2) : '',
  };
  const { copies } = await updateCopies(
    deps.securityhub,
    {
      source: ref.source,
      findingArn: targets.cspm || targets.v2,
      accountId: ref.accountId,
      partition: ref.partition,
      region: ref.region,
      incidentId: incident.incidentId,
      incidentStatus: 'RELEASED',
      summary: `${summaryFor('released')} by ${actor}`,
    },
    reached,
  );
  const at = new Date(deps.now()).toISOString();
  try {
    await recordSecurityHub(deps, incident.incidentId, describeCopies(copies, at));
  } catch {
    // The steps below report the outcome; the incident keeps its earlier Security Hub line.
  }
  return (['cspm', 'v2'] as const).flatMap((hub) => stepOf(hub, copies[hub], targets[hub]) ?? []);
}
