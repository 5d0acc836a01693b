/**
 * One hold per digest: several incidents can quarantine the same digest (a runtime finding and an
 * Inspector finding, two tasks of one image). A release lifts the quarantine of a digest only when no other
 * open incident holds it, and says which ones still do; the last release restores every tag that any
 * holder's quarantine moved away. Pure: the incidents are read by lambdas/actions/incident-store.ts.
 */
import { RELEASABLE_STATUSES } from './incident';
import { isObject } from './read';

/** An incident as the table records it: status and the recorded outcome (parsed). */
export interface RecordedIncident {
  readonly incidentId: string;
  readonly status: string;
  readonly outcome?: Record<string, unknown>;
}

/** The digests whose quarantine an incident's recorded outcome says it applied. */
export function heldDigests(outcome: Record<string, unknown> | undefined): string[] {
  const quarantine = outcome?.quarantine;
  const images = isObject(quarantine) && Array.isArray(quarantine.images) ? quarantine.images : [];
  return images.flatMap((image) => {
    if (!isObject(image) || typeof image.digest !== 'string') return [];
    const moved = Array.isArray(image.movedTags) && image.movedTags.length > 0;
    const applied = image.status === 'done' || image.status === 'already-done';
    return applied && (image.archived === true || moved) ? [image.digest] : [];
  });
}

/** For each digest, the other open incidents that hold it. */
export function otherHolders(
  incidentId: string,
  digests: readonly string[],
  incidents: readonly RecordedIncident[],
): Map<string, string[]> {
  const open = new Set<string>(RELEASABLE_STATUSES);
  const holders = new Map<string, string[]>(digests.map((d) => [d, []]));
  for (const incident of incidents) {
    if (incident.incidentId === incidentId || !open.has(incident.status)) continue;
    for (const digest of heldDigests(incident.outcome)) holders.get(digest)?.push(incident.incidentId);
  }
  return holders;
}

/** The release step detail for a digest another incident still holds. */
export function stillHeldDetail(holders: readonly string[]): string {
  const shown = holders.slice(0, 5).join(', ');
  const more = holders.length > 5 ? ` and ${holders.length - 5} more` : '';
  return `still held by incident ${shown}${more}: the quarantine stays until the last of them is released`;
}
