/**
 * The incident's lifecycle and the keys of the incident table: one item per incident, one per claim (a
 * task or an image contained once), one per blast-radius counter (cluster or account, and severity band)
 * and one per "limit reached" notice rate limit. The state machines write
 * the same statuses and keys; test/infra/incident-statuses.test.ts checks them against this module.
 */

export const INCIDENT_STATUSES = [
  /** Opened by RecordIncident (or re-opened): a response is running. */
  'IN_PROGRESS',
  /** Notified only: nothing was changed. */
  'NOTIFIED',
  'CONTAINED',
  'ISOLATED',
  'QUARANTINED',
  /** Held back by the blast-radius limit; a repeat with a higher count is responded to again. */
  'CAP_REACHED',
  /**
   * No longer written: earlier versions read every finding of a quarantined image CLOSED as a fix. Kept so
   * that such incidents are still read and released (the quarantine is still in place).
   */
  'RESOLVED',
  /** The containment was undone by a person (`shield-right release`). */
  'RELEASED',
  /** The response failed; a repeat of the finding is responded to again. */
  'FAILED',
] as const;

export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export function isIncidentStatus(value: unknown): value is IncidentStatus {
  return INCIDENT_STATUSES.some((s) => s === value);
}

/** Statuses that leave a containment in place to undo; RESOLVED image incidents are still quarantined. */
export const RELEASABLE_STATUSES = ['CONTAINED', 'ISOLATED', 'QUARANTINED', 'RESOLVED'] as const;
/** Statuses the CLI reports as contained. */
export const CONTAINED_STATUSES = ['CONTAINED', 'ISOLATED', 'QUARANTINED'] as const;

/** The status of a new incident item (RecordIncident's conditional put). */
export const INITIAL_STATUS: IncidentStatus = 'IN_PROGRESS';

/**
 * Where a running response may leave the incident (RELEASED needs a containment to undo first; RESOLVED is
 * no longer written: a CLOSED Inspector finding is not a fix).
 */
const OUTCOMES: readonly IncidentStatus[] = INCIDENT_STATUSES.filter(
  (s) => s !== 'RELEASED' && s !== 'RESOLVED',
);

/**
 * Allowed transitions, from → to. Any incident goes back to IN_PROGRESS when an operator forces a
 * response (`respond --force`); FAILED and CAP_REACHED ones when the finding occurs again.
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  IN_PROGRESS: OUTCOMES,
  // An image incident notified only is decided again when another finding for the image arrives.
  NOTIFIED: OUTCOMES,
  // A repeat notification and a late failure of the execution that recorded the outcome.
  CONTAINED: ['IN_PROGRESS', 'CONTAINED', 'RELEASED', 'FAILED'],
  ISOLATED: ['IN_PROGRESS', 'ISOLATED', 'RELEASED', 'FAILED'],
  // A CLOSED finding leaves a quarantine QUARANTINED: only a person releases it.
  QUARANTINED: ['IN_PROGRESS', 'QUARANTINED', 'RELEASED', 'FAILED'],
  CAP_REACHED: ['IN_PROGRESS', 'CAP_REACHED', 'FAILED'],
  RESOLVED: ['IN_PROGRESS', 'RELEASED', 'FAILED'],
  RELEASED: ['IN_PROGRESS', 'RELEASED'],
  FAILED: ['IN_PROGRESS', 'FAILED'],
};

/** Whether an incident may move from `from` to `to`; `undefined` is "no item yet" (only the initial put). */
export function canTransition(from: IncidentStatus | undefined, to: IncidentStatus): boolean {
  return from === undefined ? to === INITIAL_STATUS : INCIDENT_TRANSITIONS[from].includes(to);
}

/** GuardDuty severity at or above which a finding is Critical (the minHealthyTasks guard does not apply). */
export const CRITICAL_SEVERITY = 9;

/** Incident ids are GuardDuty finding ids or `img-<digest prefix>`: anything else is refused. */
export const INCIDENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function incidentKey(incidentId: string): string {
  return `INCIDENT#${incidentId}`;
}

/** Isolation and stop are claimed separately: a task isolated for a Medium finding can still be stopped for a High one. */
export function taskClaimKey(taskOrClusterArn: string, stop: boolean): string {
  return `CLAIM#TASK#${taskOrClusterArn}#${stop ? 'stop' : 'isolate'}`;
}

/** One claim per image digest: many CVEs (and retries) for one image quarantine it once. */
export function imageClaimKey(digest: string): string {
  return `CLAIM#IMAGE#${digest}`;
}

/**
 * Severity bands, each with its own blast-radius budget (per cluster and per account), so a flood of
 * Medium findings cannot use up what a Critical one needs, and Critical findings are still bounded.
 */
export const SEVERITY_BANDS = ['medium', 'high', 'critical'] as const;
export type SeverityBand = (typeof SEVERITY_BANDS)[number];

/** The band of a GuardDuty severity (Critical ≥ 9, High ≥ `stopSeverity`, otherwise Medium). */
export function runtimeBand(severity: number, stopSeverity: number): SeverityBand {
  if (severity >= CRITICAL_SEVERITY) return 'critical';
  return severity >= stopSeverity ? 'high' : 'medium';
}

/**
 * A blast-radius counter: one item per cluster (or account) and severity band, holding the times of the
 * actions it allowed, newest first (`stamps`, epoch seconds). The claim allows one more action only while
 * the cap-th newest stamp is older than the sliding window (see docs/aws-behaviours.md).
 */
export function clusterCapKey(clusterArn: string, band: SeverityBand): string {
  return `CAP#CLUSTER#${clusterArn}#${band}`;
}

export function accountCapKey(accountId: string, band: SeverityBand): string {
  return `CAP#ACCOUNT#${accountId}#${band}`;
}

/** The organization-wide counter of a band: every account this deployment acts in, together. */
export function organizationCapKey(band: SeverityBand): string {
  return `CAP#ORGANIZATION#${band}`;
}

/**
 * The rate limit of "limit reached" notices: one item per cluster (or account, for images) and severity
 * band, so a burst of Medium findings never silences the notice of a Critical one.
 */
export function capNoticeKey(scopeArnOrAccount: string, band: SeverityBand): string {
  return `CAPNOTICE#${scopeArnOrAccount}#${band}`;
}

/** The sliding window of the blast-radius counters and notices: the action's stamp and the oldest that still counts. */
export function capWindow(now: number, windowMinutes: number): { at: number; since: number } {
  const at = Math.floor(now / 1000);
  return { at, since: at - windowMinutes * 60 };
}

/** The DynamoDB TTL (epoch seconds) of items written at `now` and kept `retentionDays`. */
export function incidentTtl(now: number, retentionDays: number): number {
  return Math.floor(now / 1000) + retentionDays * 86_400;
}

/** The reconciliation sweep's watermark item: when the last sweep started, so the next continues from it. */
export const SWEEP_KEY = 'SWEEP#reconcile';
