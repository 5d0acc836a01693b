/** What a workflow gives the renderer, and what the renderer gives back. */
import type { RuntimeFinding } from '../finding';
import type { BlastRadius, ExecutionRef, ResponseResults, StepFailure } from '../outcome';
import type { ResponsePlan, TaskEnrichment } from '../policy';
import type { ImagePlan, VulnerabilityFinding } from '../vulnerability';

export const NOTIFICATION_KINDS = [
  'contained',
  'isolated',
  'notify-only',
  'exempt',
  'sample',
  'observe',
  'repeat',
  'already-contained',
  'image-quarantined',
  'vulnerability',
  'vulnerability-finding-closed',
  'invalid-input',
  'step-failed',
  'cap-reached',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface ReleaseReportStep {
  readonly action: string;
  readonly target: string;
  readonly status: string;
  readonly detail?: string;
}

export interface NotificationInput {
  readonly kind: NotificationKind;
  /** Absent for `invalid-input`. */
  readonly finding?: RuntimeFinding | VulnerabilityFinding;
  readonly enrichment?: TaskEnrichment;
  /** The runtime plan, or the vulnerable-image plan (no isolate/stop/tagService, caps per account only). */
  readonly plan?: ResponsePlan | ImagePlan;
  readonly results?: ResponseResults;
  /** For `repeat` and `already-contained`: how often the finding has been seen, and the incident's status. */
  readonly repeat?: {
    readonly count: number;
    readonly previousCount?: number;
    readonly firstSeen?: string;
    readonly status?: string;
  };
  /** Inspector incidents that gathered several findings for one image. */
  readonly aggregated?: {
    readonly findingArns: readonly string[];
    readonly vulnerabilityIds: readonly string[];
  };
  /** Inspector: running tasks using the image. */
  readonly exposure?: BlastRadius;
  /** `step-failed` and `invalid-input`. */
  readonly failure?: StepFailure;
  /**
   * `cap-reached`: whether this execution took its scope's "limit reached" notice for the window (`due`),
   * and how many findings the budgets held back in the scope since the previous notice, this one included.
   */
  readonly capNotice?: CapNotice;
  /** `invalid-input`: what little is known of the raw event. */
  readonly rawEventSummary?: { readonly source?: string; readonly detailType?: string; readonly id?: string };
  readonly execution?: ExecutionRef;
  readonly evidence?: { readonly bucket: string; readonly key: string };
  /** Where shield-right runs: console links for the execution and the evidence. */
  readonly region: string;
  readonly accountId?: string;
}

export interface CapNotice {
  readonly due: boolean;
  readonly heldBack?: number;
  /** When the previous notice of the scope went out (ISO 8601), if there was one. */
  readonly previousNotice?: string;
}

/** Amazon Q Developer in chat applications custom notification. */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: string[];
    readonly keywords: string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    /**
     * `released`: the release notification (renderReleaseNotification); `image-incident-resolved`: the
     * reconciliation sweep's (renderResolvedNotification); `possible-quarantine-bypass`: a push that lifted a
     * held quarantine (renderBypassNotification); `image-not-trusted` and `image-allowed-unsigned`: the image
     * trust workflow's (renderTrustNotification). All are kinds outside the response workflows.
     */
    readonly eventType:
      | NotificationKind
      | 'released'
      | 'image-incident-resolved'
      | 'possible-quarantine-bypass'
      | 'image-not-trusted'
      | 'image-allowed-unsigned';
    readonly relatedResources: string[];
    readonly additionalContext: Record<string, string>;
  };
}

export type MessageAttributes = Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;

export interface RenderedNotification {
  /** SNS Subject: printable ASCII, one line, 1 to 99 characters. */
  readonly subject: string;
  /** SNS Message for `MessageStructure: 'json'`: `{ default: <chat JSON>, email: <plain text> }`. */
  readonly message: string;
  readonly chat: ChatNotification;
  readonly email: string;
  readonly attributes: MessageAttributes;
}
