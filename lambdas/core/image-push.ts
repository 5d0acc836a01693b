/**
 * A push of an image digest that an incident holds in quarantine: did it lift the hold? Pure, no AWS calls.
 *
 * ECR restores an archived image at once when it is pushed again (user guide, restoring an archived image),
 * and in retag mode a push can put a tag back on a held digest, so anyone with `ecr:PutImage` can lift a
 * quarantine. The push event does not say who pushed (ECR user guide, "Amazon ECR events and EventBridge"),
 * and shield-right's own quarantine and release push too, so the decision is made from the state AWS
 * describes, never from who pushed: the incident still holds the digest (a containment in place, no release
 * started), and the image is ACTIVE again where the incident archived it, or carries a tag the quarantine
 * did not leave on it.
 */
import * as v from 'valibot';
import type { ImageQuarantineStrategy } from '../../definitions/config';
import { RELEASABLE_STATUSES } from './incident';
import { quarantineTagFor } from './policy';

/** The "ECR Image Action" event of a completed push (ECR user guide, "Amazon ECR events and EventBridge"). */
export const ImagePushEventSchema = v.object({
  id: v.string(),
  account: v.string(),
  region: v.string(),
  time: v.string(),
  source: v.literal('aws.ecr'),
  'detail-type': v.literal('ECR Image Action'),
  detail: v.object({
    'action-type': v.literal('PUSH'),
    result: v.literal('SUCCESS'),
    'repository-name': v.pipe(v.string(), v.minLength(1)),
    'image-digest': v.pipe(v.string(), v.startsWith('sha256:')),
    'image-tag': v.optional(v.string()),
  }),
});
export type ImagePushEvent = v.InferOutput<typeof ImagePushEventSchema>;

/** The push, as the check and the notification read it. */
export interface ImagePush {
  readonly eventId: string;
  readonly time: string;
  readonly region: string;
  readonly registryId: string;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
}

export function imagePushOf(event: ImagePushEvent): ImagePush {
  const tag = event.detail['image-tag'];
  return {
    eventId: event.id,
    time: event.time,
    region: event.region,
    registryId: event.account,
    repository: event.detail['repository-name'],
    digest: event.detail['image-digest'],
    ...(tag ? { tag } : {}),
  };
}

/**
 * How long after `shield-right release` marks an incident its own re-push may come. A release that failed
 * or stopped half-way leaves the mark behind: past this window a push is judged again, so a stale mark
 * cannot switch bypass detection off for good.
 */
export const RELEASE_WINDOW_MS = 30 * 60 * 1000;

/** Whether a push at `pushTime` can be the re-push of a release marked at `releaseStartedAt`. */
export function isReleaseInProgress(releaseStartedAt: unknown, pushTime: string): boolean {
  if (typeof releaseStartedAt !== 'string') return false;
  const started = Date.parse(releaseStartedAt);
  const pushed = Date.parse(pushTime);
  if (Number.isNaN(started) || Number.isNaN(pushed)) return false;
  return pushed >= started - 60_000 && pushed - started <= RELEASE_WINDOW_MS;
}

/** What the incident holding the digest recorded: its status, a release started, what its quarantine did. */
export interface Hold {
  readonly incidentId: string;
  readonly status: string;
  /** A release marked the incident shortly before this push (isReleaseInProgress): the hold is being lifted. */
  readonly releaseStarted: boolean;
  /** The quarantine record saved in evidence for this digest; absent: the incident never held it. */
  readonly record?: { readonly originalTags: readonly string[]; readonly quarantineTag: string };
  /** From the incident's recorded outcome for this digest, when there is one. */
  readonly archived?: boolean;
  readonly movedFrom?: readonly string[];
}

/** The image as DescribeImages (any status) shows it now; undefined when it no longer exists. */
export interface ImageNow {
  readonly status?: string;
  readonly tags: readonly string[];
}

export type PushVerdict =
  | { readonly bypass: false; readonly reason: string }
  | {
      readonly bypass: true;
      readonly reason: string;
      /** The quarantine again, for the QuarantineImage function: the same strategy and tag as the incident. */
      readonly request: {
        readonly incidentId: string;
        readonly strategy: ImageQuarantineStrategy;
        readonly quarantineTag: string;
        readonly targets: {
          readonly containerName: string;
          readonly registryId: string;
          readonly region: string;
          readonly repository: string;
          readonly digest: string;
        }[];
      };
    };

// Every quarantine tag is quarantineTagFor(<incident>)-<digest prefix>: `quarantine-…`.
const isQuarantineTag = (tag: string) => tag.startsWith('quarantine-');

const archives = (s: ImageQuarantineStrategy) => s === 'archive' || s === 'both';
const retags = (s: ImageQuarantineStrategy) => s === 'retag' || s === 'both';

/** Why the incident holds no quarantine now (no containment in place, a release started), or undefined. */
export function whyNotHeld(
  hold: Pick<Hold, 'incidentId' | 'status' | 'releaseStarted'>,
  strategy: ImageQuarantineStrategy,
): string | undefined {
  if (!(RELEASABLE_STATUSES as readonly string[]).includes(hold.status))
    return `incident ${hold.incidentId} is ${hold.status}: no hold`;
  if (hold.releaseStarted) return `incident ${hold.incidentId} is being released: the hold is lifted`;
  if (strategy === 'none') return 'imageQuarantine is none';
  return undefined;
}

/** Whether the push lifted the hold, and the quarantine to apply again if it did. */
export function decideImagePush(
  push: ImagePush,
  hold: Hold,
  image: ImageNow | undefined,
  strategy: ImageQuarantineStrategy,
): PushVerdict {
  const notHeld = whyNotHeld(hold, strategy);
  if (notHeld) return { bypass: false, reason: notHeld };
  if (!hold.record)
    return { bypass: false, reason: `incident ${hold.incidentId} recorded no quarantine of this digest` };
  if (!image) return { bypass: false, reason: 'the image no longer exists' };
  const reasons: string[] = [];
  // Archived by the incident (or, without a recorded outcome, by the configured strategy).
  if (archives(strategy) && (hold.archived ?? true) && image.status === 'ACTIVE')
    reasons.push('the image the incident archived is ACTIVE again');
  if (retags(strategy)) {
    // Tags the quarantine could not remove (immutable repository) stay on the image and are no bypass.
    const moved = new Set(hold.movedFrom ?? hold.record.originalTags);
    const left = hold.record.originalTags.filter((t) => !moved.has(t));
    const back = image.tags.filter((t) => !isQuarantineTag(t) && !left.includes(t));
    if (back.length > 0) reasons.push(`the held image carries tag(s) ${back.join(', ')} again`);
  }
  if (reasons.length === 0) return { bypass: false, reason: 'the image is still held' };
  return {
    bypass: true,
    reason: reasons.join('; '),
    request: {
      incidentId: hold.incidentId,
      strategy,
      quarantineTag: quarantineTagFor(hold.incidentId),
      targets: [
        {
          // As for an Inspector finding: the repository stands in for a container name.
          containerName: push.repository,
          registryId: push.registryId,
          region: push.region,
          repository: push.repository,
          digest: push.digest,
        },
      ],
    },
  };
}
