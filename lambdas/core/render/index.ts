/**
 * The one notification renderer for every workflow and the release: what a notification says, for chat
 * (Amazon Q Developer custom notification), email (plain text) and SNS (subject, message attributes).
 */

export {
  type BypassNotification,
  type BypassNotificationInput,
  renderBypassNotification,
} from './bypass';
export { selectKind } from './kinds';
export { MESSAGE_MAX_BYTES } from './limits';
export {
  ecsTaskUrl,
  evidenceUrl,
  executionUrl,
  guardDutyFindingUrl,
  inspectorImageUrl,
} from './links';
export { renderNotification } from './notification';
export {
  type ReleaseNotification,
  type ReleaseNotificationInput,
  renderReleaseNotification,
} from './release';
export {
  RESOLVED_KIND,
  type ResolvedNotification,
  type ResolvedNotificationInput,
  releaseCommand,
  renderResolvedNotification,
} from './resolved';
export { causeMessage } from './sections';
export {
  ALLOWED_UNSIGNED_KIND,
  renderTrustNotification,
  TRUST_KIND,
  type TrustNotificationInput,
} from './trust';
export {
  type CapNotice,
  type ChatNotification,
  type MessageAttributes,
  NOTIFICATION_KINDS,
  type NotificationInput,
  type NotificationKind,
  type ReleaseReportStep,
  type RenderedNotification,
} from './types';
