/**
 * What shield-right writes on the Security Hub (CSPM, ASFF) copy of a GuardDuty or Inspector finding:
 * the workflow status and a note. NOTIFIED when it acted or notified, RESOLVED when the incident is
 * resolved, SUPPRESSED never. A repeat never moves the status back (RESOLVED stays RESOLVED) and never
 * overrides a human's SUPPRESSED: it updates the note only. Pure: the action (lambdas/actions/security-hub.ts)
 * makes the calls.
 */

export type FindingSource = 'guardduty' | 'inspector2';
export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** `Note.Text` of an ASFF finding is at most 512 characters (Security Hub API reference, `Note`). */
export const NOTE_TEXT_MAX = 512;
/** `Note.UpdatedBy`: the same bound is assumed (not confirmed); shield-right's value is far shorter. */
export const NOTE_UPDATED_BY = 'shield-right';

/** The Security Hub product ARN of the integration that imports the provider's findings. */
export function productArn(source: FindingSource, partition: string, region: string): string {
  const product = source === 'guardduty' ? 'aws/guardduty' : 'aws/inspector';
  return `arn:${partition}:securityhub:${region}::product/${product}`;
}

/**
 * The status the response asks for: RESOLVED once the incident is resolved (an operator released its
 * containment with `shield-right release`, or an older incident recorded RESOLVED), NOTIFIED otherwise.
 */
export function targetStatus(incidentStatus: string | undefined): WorkflowStatus {
  return incidentStatus === 'RESOLVED' || incidentStatus === 'RELEASED' ? 'RESOLVED' : 'NOTIFIED';
}

/**
 * What the note says was done, from the notification kind only: fixed text, never a finding's free-text
 * field (attacker-settable), so the note cannot carry a crafted message into the security team's console.
 */
const SUMMARIES: Readonly<Record<string, string>> = {
  contained: 'task stopped (contained)',
  isolated: 'task isolated in place',
  'notify-only': 'notified, no action by policy',
  exempt: 'notified, resource exempt from action',
  sample: 'sample finding, notified only',
  observe: 'observe mode: planned response notified, nothing changed',
  repeat: 'finding seen again, no new action',
  'already-contained': 'already contained by an earlier response',
  'image-quarantined': 'image digest quarantined',
  vulnerability: 'vulnerable image notified',
  'vulnerability-finding-closed': 'Inspector closed the finding; the quarantine stays until released',
  'step-failed': 'response failed, see the incident',
  'cap-reached': 'blast-radius limit reached, nothing done, left for a human',
  released: 'containment released by an operator (shield-right release)',
};

export function summaryFor(kind: string): string {
  return SUMMARIES[kind] ?? `notified (${kind.replace(/[^a-z-]/g, '').slice(0, 40)})`;
}

/**
 * `UserDefinedFields` shield-right sets: the incident id and the evidence location. AWS documents at most 50
 * pairs, keys up to 128 and values up to 1024 characters (not confirmed from a page read here): both are far
 * shorter (an incident id, an S3 URI of a fixed-length key).
 */
export function userDefinedFields(incidentId: string, evidence?: string): Record<string, string> {
  return {
    'shield-right:incident': incidentId,
    ...(evidence ? { 'shield-right:evidence': evidence } : {}),
  };
}

const RANK: Readonly<Record<WorkflowStatus, number>> = { NEW: 0, NOTIFIED: 1, RESOLVED: 2, SUPPRESSED: 3 };

/**
 * The status to send, or undefined for a note-only update: only forward moves (NEW → NOTIFIED → RESOLVED),
 * never onto or away from SUPPRESSED.
 */
export function statusChange(current: WorkflowStatus, target: WorkflowStatus): WorkflowStatus | undefined {
  if (target === 'SUPPRESSED' || current === 'SUPPRESSED') return undefined;
  return RANK[target] > RANK[current] ? target : undefined;
}

/**
 * The note: incident, what was done, evidence; cut to `max` characters (CSPM's `Note.Text` and V2's `Comment`
 * both hold 512), never split mid-character.
 */
export function noteText(
  parts: {
    incidentId: string;
    summary: string;
    evidence?: string;
    account?: string;
  },
  max = NOTE_TEXT_MAX,
): string {
  const text = [
    `shield-right incident ${parts.incidentId}`,
    parts.account ? `account ${parts.account}` : undefined,
    parts.summary,
    parts.evidence ? `evidence ${parts.evidence}` : undefined,
  ]
    .filter((p): p is string => p !== undefined && p.length > 0)
    .join(' | ');
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
