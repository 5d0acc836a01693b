/** One step of a release, as each undo reports it and the release notification lists it. */
import { awsErrorName, errorMessage } from '../core/errors';
import type { ReleaseReportStep } from '../core/render';

export type ReleaseAction =
  | 'restore-security-group-rules'
  | 'restore-container-instance'
  | 'restore-image'
  | 'remove-service-tag'
  | 'signature-revoked'
  | 'mark-release-started'
  | 'mark-released'
  | 'notify';

/** `pending`: started but not finished (an image still activating): run the release again later. */
export type ReleaseStepStatus = 'done' | 'already-done' | 'skipped' | 'planned' | 'pending' | 'failed';

export interface ReleaseStep extends ReleaseReportStep {
  readonly action: ReleaseAction;
  readonly status: ReleaseStepStatus;
}

/** Statuses that leave nothing to redo. */
export const FINISHED: ReadonlySet<ReleaseStepStatus> = new Set(['done', 'already-done', 'skipped']);

/** A failed call as a step detail: the action that failed and AWS's words. */
export function failure(action: string, err: unknown): string {
  return `${action} failed: ${awsErrorName(err)}: ${errorMessage(err)}`;
}
