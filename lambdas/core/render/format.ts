/** Small formatting helpers shared by the sections: numbers, plurals, ARNs, action words. */
import { LIMITS } from '../escape';
import type { RuntimeFinding } from '../finding';
import type { ActionStatus, StopResult } from '../outcome';
import type { ActionName, ResponsePlan } from '../policy';
import type { ImagePlan, VulnerabilityFinding } from '../vulnerability';
import { type Segment, text, value } from './document';
import type { NotificationInput } from './types';

export const isRuntime = (f: NotificationInput['finding']): f is RuntimeFinding => f?.kind === 'runtime';
export const isVulnerability = (f: NotificationInput['finding']): f is VulnerabilityFinding =>
  f?.kind === 'vulnerability';

export function num(value: unknown, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '?';
}

export function intOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

export function count(value: unknown): string {
  return String(intOf(value) ?? '?');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The last path segment of an ARN: the task id, the cluster name. */
export function arnTail(arn: string | undefined): string {
  if (!arn) return '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function clusterNameOf(arn: string | undefined): string {
  const m = /:cluster\/([^/]+)$/.exec(arn ?? '');
  return m?.[1] ?? arnTail(arn);
}

export const STATUS_WORDS: Record<ActionStatus, string> = {
  done: 'done',
  'already-done': 'already done',
  skipped: 'skipped',
  'not-possible': 'not possible',
  failed: 'FAILED',
};

export function status(reported: ActionStatus | undefined): Segment {
  const known =
    reported !== undefined && Object.hasOwn(STATUS_WORDS, reported) ? STATUS_WORDS[reported] : undefined;
  return known ? text(known) : value(reported ?? 'unknown', LIMITS.short);
}

export const succeeded = (s: { readonly status: ActionStatus } | undefined): boolean =>
  s?.status === 'done' || s?.status === 'already-done';

/**
 * Whether the task is known to have stopped: StopTask answers before the task stops (lastStatus RUNNING,
 * desiredStatus STOPPED), so only a lastStatus STOPPED read back confirms it.
 */
export const stopConfirmed = (stop: StopResult | undefined): boolean =>
  succeeded(stop) && stop?.lastStatus === 'STOPPED';

const ACTION_WORDS: Record<ActionName, string> = {
  isolate: 'isolate the task',
  stop: 'stop the task',
  quarantine: 'quarantine the image',
  tagService: 'tag the service',
};

export function actionWords(action: ActionName): Segment {
  return Object.hasOwn(ACTION_WORDS, action) ? text(ACTION_WORDS[action]) : value(action, LIMITS.short);
}

/** What the plan meant to do, or in observe/exempt what containment would have done. */
export function plannedActions(plan: ResponsePlan | ImagePlan | undefined): ActionName[] {
  if (!plan) return [];
  const planned: ActionName[] = [];
  if ('isolate' in plan && plan.isolate) planned.push('isolate');
  if ('stop' in plan && plan.stop) planned.push('stop');
  if (plan.quarantine) planned.push('quarantine');
  if ('tagService' in plan && plan.tagService) planned.push('tagService');
  const would: readonly string[] = plan.wouldHaveDone;
  return planned.length > 0 ? planned : would.filter(isActionName);
}

function isActionName(value: string): value is ActionName {
  return value === 'isolate' || value === 'stop' || value === 'quarantine' || value === 'tagService';
}
