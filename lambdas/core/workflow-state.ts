/**
 * The state the workflows pass to their notify step, read back into the renderer's input. The layout
 * (`finding`, `assessment`, `stop`, `results`, `repeat`, `rejection`…) is set by the ASL files' ResultPaths.
 */
import { InvalidFindingError } from './errors';
import type { RuntimeFinding } from './finding';
import type { ExecutionRef, ResponseResults, StopResult } from './outcome';
import type { ResponsePlan, TaskEnrichment } from './policy';
import { isObject } from './read';
import { type NotificationInput, type NotificationKind, selectKind } from './render';
import type { VulnerabilityFinding } from './vulnerability';

const KINDS: readonly string[] = [
  'response',
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
  'vulnerability-resolved',
  'invalid-input',
  'step-failed',
  'cap-reached',
];

export interface NotifyRequest {
  /** `response` lets the plan and the action results choose the kind. */
  readonly kind: NotificationKind | 'response';
  readonly state: Record<string, unknown>;
  readonly execution?: ExecutionRef;
}

export function parseNotifyRequest(input: unknown): NotifyRequest {
  if (!isObject(input)) throw new InvalidFindingError('input', 'expected { kind, state, execution }');
  const { kind, state, execution } = input;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) throw new InvalidFindingError('input.kind', `unknown kind ${String(kind)}`);
  if (!isObject(state)) throw new InvalidFindingError('input.state', 'expected the workflow state');
  const ref = isObject(execution) && typeof execution.arn === 'string' ? (execution as unknown as ExecutionRef) : undefined;
  return { kind: kind as NotifyRequest['kind'], state, ...(ref ? { execution: ref } : {}) };
}

function assessment(state: Record<string, unknown>): { enrichment?: TaskEnrichment; plan?: ResponsePlan } {
  const a = isObject(state.assessment) ? state.assessment : {};
  return {
    ...(isObject(a.enrichment) ? { enrichment: a.enrichment as unknown as TaskEnrichment } : {}),
    ...(isObject(a.plan) ? { plan: a.plan as unknown as ResponsePlan } : {}),
  };
}

function results(state: Record<string, unknown>): ResponseResults | undefined {
  const parallel = isObject(state.results) ? (state.results as ResponseResults) : undefined;
  const stop = isObject(state.stop) ? (state.stop as unknown as StopResult) : undefined;
  if (!parallel && !stop) return undefined;
  return { ...parallel, ...(stop ? { stop } : {}) };
}

function failureOf(value: unknown, state: string): NotificationInput['failure'] {
  if (!isObject(value)) return undefined;
  return { state, error: String(value.Error ?? 'Error'), cause: String(value.Cause ?? '') };
}

/** Where the workflow put the evidence of this execution (see CaptureEvidence / StoreRejectedEvent). */
export function evidenceKeyFor(kind: NotifyRequest['kind'], incidentId: string | undefined, executionName: string | undefined): string | undefined {
  if (!executionName) return undefined;
  if (kind === 'invalid-input') return `rejected/${executionName}.json`;
  return incidentId ? `incidents/${incidentId}/${executionName}/evidence.json` : undefined;
}

export function notificationInput(
  request: NotifyRequest,
  context: { region: string; accountId?: string; bucket?: string },
): NotificationInput {
  const { state } = request;
  const finding = isObject(state.finding) ? (state.finding as unknown as RuntimeFinding | VulnerabilityFinding) : undefined;
  const { enrichment, plan } = assessment(state);
  const actionResults = results(state);
  const kind: NotificationKind = request.kind === 'response' ? (plan ? selectKind(plan, actionResults) : 'notify-only') : request.kind;
  const repeatRaw = isObject(state.repeat) ? state.repeat : undefined;
  const count = finding && finding.kind === 'runtime' ? finding.count : 1;
  const key = evidenceKeyFor(kind, finding?.incidentId, request.execution?.name);
  return {
    kind,
    ...(finding ? { finding } : {}),
    ...(enrichment ? { enrichment } : {}),
    ...(plan ? { plan } : {}),
    ...(actionResults ? { results: actionResults } : {}),
    ...(repeatRaw
      ? {
          repeat: {
            count,
            ...(repeatRaw.previousCount !== undefined ? { previousCount: Number(repeatRaw.previousCount) } : {}),
            ...(typeof repeatRaw.firstSeen === 'string' ? { firstSeen: repeatRaw.firstSeen } : {}),
            ...(typeof repeatRaw.status === 'string' ? { status: repeatRaw.status } : {}),
          },
        }
      : {}),
    ...(kind === 'invalid-input'
      ? {
          failure: failureOf(state.rejection, 'ValidateFinding'),
          rawEventSummary: {
            ...(typeof state.source === 'string' ? { source: state.source } : {}),
            ...(typeof state['detail-type'] === 'string' ? { detailType: state['detail-type'] } : {}),
            ...(typeof state.id === 'string' ? { id: state.id } : {}),
          },
        }
      : {}),
    ...(request.execution ? { execution: request.execution } : {}),
    ...(context.bucket && key ? { evidence: { bucket: context.bucket, key } } : {}),
    region: context.region,
    ...(context.accountId ? { accountId: context.accountId } : {}),
  };
}
