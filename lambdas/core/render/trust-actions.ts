/**
 * The parts of the image trust notifications that report what the response did beyond the stop: the
 * quarantine of the untrusted digests (or why each was spared), and the summarised "limit reached" notice of
 * the starts a budget held back. Plain sentences carrying attacker-controlled values (repository names,
 * reasons): the caller escapes each line for its medium.
 */
import type { CapNotice } from './types';

export interface TrustQuarantineReport {
  readonly status: string;
  readonly images: readonly {
    readonly repository: string;
    readonly digest?: string;
    readonly status: string;
    readonly archived: boolean;
    readonly movedTags: readonly { readonly from: string; readonly to: string }[];
    readonly reason?: string;
  }[];
  readonly spared?: readonly {
    readonly repository: string;
    readonly digest?: string;
    readonly reason: string;
  }[];
  readonly reason?: string;
}

const at = (repository: string, digest: string | undefined) => `${repository}@${digest ?? '-'}`;

/** What the quarantine did, one sentence per image; empty when none was planned. */
export function quarantineLines(
  quarantine: TrustQuarantineReport | undefined,
  notQuarantinable: readonly string[],
): string[] {
  const lines: string[] = [];
  if (quarantine?.status === 'failed') {
    lines.push(
      `Quarantine failed (${quarantine.reason ?? 'no reason given'}): the service may start the image again; quarantine it by hand.`,
    );
  }
  for (const image of quarantine?.images ?? []) {
    const how = [
      image.movedTags.length > 0 ? `tags ${image.movedTags.map((m) => m.from).join(', ')} moved` : '',
      image.archived ? 'archived' : '',
    ]
      .filter((s) => s.length > 0)
      .join(', ');
    lines.push(
      `Quarantined ${at(image.repository, image.digest)} (${image.status}${how ? `: ${how}` : ''}) so the service cannot start it again; lift it with shield-right release.`,
    );
  }
  for (const spared of quarantine?.spared ?? []) {
    lines.push(`Not quarantined ${at(spared.repository, spared.digest)}: ${spared.reason}.`);
  }
  for (const reason of notQuarantinable) lines.push(`Not quarantinable: ${reason}.`);
  return lines;
}

/** The summarised notice of the starts the High band's budget held back in this cluster. */
export function limitLines(notice: CapNotice | undefined): string[] {
  const lines = [
    'One "limit reached" notice per cluster per window: further task starts held back in the window are counted, not sent one by one; the next notice gives their number.',
  ];
  if (notice?.heldBack !== undefined) {
    const since = notice.previousNotice ? ` since the previous notice at ${notice.previousNotice}` : '';
    lines.unshift(
      `Held back: ${notice.heldBack} task start${notice.heldBack === 1 ? '' : 's'} with an untrusted image in this cluster${since} (this one included).`,
    );
  }
  return lines;
}
