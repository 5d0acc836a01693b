/**
 * The state the workflows pass to their notify step, read back into the renderer's input. The layout
 * (`finding`, `assessment`, `stop`, `results`, `repeat`, `rejection`…) is set by the ASL files' ResultPaths.
 */
import * as v from 'valibot';
import type { RuntimeFinding } from './finding';
import type { BlastRadius, ExecutionRef, ResponseResults } from './outcome';
import type { ResponsePlan, TaskEnrichment } from './policy';
import { isObject } from './read';
import {
  type CapNotice,
  NOTIFICATION_KINDS,
  type NotificationInput,
  type NotificationKind,
  selectKind,
} from './render';
import { ExecutionRefSchema, FindingSchema, stepInput, TaskEnrichmentSchema } from './schemas';
import {
  ImageEnrichmentSchema,
  ImagePlanSchema,
  ResponsePlanSchema,
  ResponseResultsSchema,
  StopResultSchema,
} from './schemas/notify-state';
import type { ImageEnrichment, ImagePlan, VulnerabilityFinding } from './vulnerability';

const NotifyInputSchema = v.object({
  kind: v.picklist(['response', ...NOTIFICATION_KINDS]),
  state: v.custom<Record<string, unknown>>(isObject, 'expected the workflow state'),
  execution: v.optional(v.unknown()),
});

const FindingInStateSchema = v.object({ state: v.object({ finding: FindingSchema }) });

/** `$.assessment` as EnrichAndDecide wrote it; absent (or null) before the step ran. */
const assessmentIn = <E extends v.GenericSchema, P extends v.GenericSchema>(enrichment: E, plan: P) =>
  v.object({
    state: v.object({
      assessment: v.nullish(v.object({ enrichment: v.nullish(enrichment), plan: v.nullish(plan) })),
    }),
  });
const RuntimeAssessmentSchema = assessmentIn(TaskEnrichmentSchema, ResponsePlanSchema);
const ImageAssessmentSchema = assessmentIn(ImageEnrichmentSchema, ImagePlanSchema);

/** `$.results` (the actions' reports) and `$.stop` (the StopTask state's), when they ran. */
const ResultsInStateSchema = v.object({
  state: v.object({ results: v.nullish(ResponseResultsSchema), stop: v.nullish(StopResultSchema) }),
});

/** Every Notify… state of both workflows runs the notify function. */
const STEP = 'Notify';

export interface NotifyRequest {
  /** `response` lets the plan and the action results choose the kind. */
  readonly kind: NotificationKind | 'response';
  readonly state: Record<string, unknown>;
  readonly execution?: ExecutionRef;
}

export function parseNotifyRequest(input: unknown): NotifyRequest {
  const { kind, state, execution } = stepInput(STEP, NotifyInputSchema, input);
  // An execution without an ARN names nothing to link to: the notification goes out without it.
  const ref: ExecutionRef | undefined = v.is(ExecutionRefSchema, execution) ? execution : undefined;
  return { kind, state, ...(ref ? { execution: ref } : {}) };
}

/** The finding in the workflow state (`$.finding`, from ValidateFinding), when there is one. */
function findingIn(state: Record<string, unknown>): RuntimeFinding | VulnerabilityFinding | undefined {
  if (!isObject(state.finding)) return undefined;
  return stepInput(STEP, FindingInStateSchema, { state }).state.finding;
}

type Assessment =
  | { kind: 'runtime'; enrichment?: TaskEnrichment; plan?: ResponsePlan }
  | { kind: 'vulnerability'; enrichment?: ImageEnrichment; plan?: ImagePlan };

function assessment(state: Record<string, unknown>, vulnerability: boolean): Assessment {
  if (vulnerability) {
    const a = stepInput(STEP, ImageAssessmentSchema, { state }).state.assessment;
    return {
      kind: 'vulnerability',
      ...(a?.enrichment ? { enrichment: a.enrichment } : {}),
      ...(a?.plan ? { plan: a.plan } : {}),
    };
  }
  const a = stepInput(STEP, RuntimeAssessmentSchema, { state }).state.assessment;
  return {
    kind: 'runtime',
    ...(a?.enrichment ? { enrichment: a.enrichment } : {}),
    ...(a?.plan ? { plan: a.plan } : {}),
  };
}

const done = (status: string | undefined): boolean => status === 'done' || status === 'already-done';

/** The notification a finished response sends, from its plan and what the actions reported. */
function responseKind(a: Assessment, results: ResponseResults | undefined): NotificationKind {
  if (a.kind === 'runtime') return a.plan ? selectKind(a.plan, results) : 'notify-only';
  if (done(results?.quarantine?.status)) return 'image-quarantined';
  const disposition = a.plan?.disposition;
  if (disposition === 'exempt' || disposition === 'observe') return disposition;
  if (disposition === 'finding-closed') return 'vulnerability-finding-closed';
  return 'vulnerability';
}

function exposureOf(a: Assessment): BlastRadius | undefined {
  if (a.kind !== 'vulnerability' || !a.enrichment) return undefined;
  const { runningTasks, scannedTasks, truncated } = a.enrichment;
  return { tasks: runningTasks, scannedTasks, truncated };
}

function results(state: Record<string, unknown>): ResponseResults | undefined {
  const read = stepInput(STEP, ResultsInStateSchema, { state }).state;
  const parallel = read.results ?? undefined;
  const stop = read.stop ?? undefined;
  if (!parallel && !stop) return undefined;
  return { ...parallel, ...(stop ? { stop } : {}) };
}

/** ClaimCapNotice's result: the notice item as it was before this refusal took it (DynamoDB JSON). */
const CapNoticeSchema = v.object({
  due: v.boolean(),
  previous: v.optional(
    v.object({
      refused: v.optional(v.object({ N: v.string() })),
      noticed: v.optional(v.object({ N: v.string() })),
      notifiedAt: v.optional(v.object({ N: v.string() })),
    }),
  ),
});

const wholeNumber = (n: { N: string } | undefined): number | undefined => {
  const value = n ? Number(n.N) : Number.NaN;
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
};

/** `$.capNotice`; absent when the notice item could not be read or written (the refusal is then published). */
export function capNoticeOf(state: Record<string, unknown>): CapNotice | undefined {
  const parsed = v.safeParse(CapNoticeSchema, state.capNotice);
  if (!parsed.success) return undefined;
  const { due, previous } = parsed.output;
  if (!due || !previous) return { due };
  const refused = wholeNumber(previous.refused);
  const noticed = wholeNumber(previous.noticed) ?? 0;
  const at = wholeNumber(previous.notifiedAt);
  return {
    due,
    ...(refused !== undefined && refused >= noticed ? { heldBack: refused - noticed } : {}),
    ...(at !== undefined ? { previousNotice: new Date(at * 1000).toISOString() } : {}),
  };
}

function failureOf(value: unknown, state: string): NotificationInput['failure'] {
  if (!isObject(value)) return undefined;
  return { state, error: String(value.Error ?? 'Error'), cause: String(value.Cause ?? '') };
}

/** Where the workflow put the evidence of this execution (see CaptureEvidence / StoreRejectedEvent). */
export function evidenceKeyFor(
  kind: NotifyRequest['kind'],
  incidentId: string | undefined,
  executionName: string | undefined,
): string | undefined {
  if (!executionName) return undefined;
  if (kind === 'invalid-input') return `rejected/${executionName}.json`;
  // Repeats and closures write no evidence of their own (only CaptureEvidence and StoreRejectedEvent do).
  if (kind === 'repeat' || kind === 'vulnerability-finding-closed') return undefined;
  return incidentId ? `incidents/${incidentId}/${executionName}/evidence.json` : undefined;
}

export function notificationInput(
  request: NotifyRequest,
  context: { region: string; accountId?: string; bucket?: string },
): NotificationInput {
  const { state } = request;
  const finding = findingIn(state);
  const assessed = assessment(state, finding?.kind === 'vulnerability');
  const { plan } = assessed;
  const enrichment = assessed.kind === 'runtime' ? assessed.enrichment : undefined;
  const exposure = exposureOf(assessed);
  const actionResults = results(state);
  const kind: NotificationKind =
    request.kind === 'response' ? responseKind(assessed, actionResults) : request.kind;
  const repeatRaw = isObject(state.repeat) ? state.repeat : undefined;
  const count = finding && finding.kind === 'runtime' ? finding.count : 1;
  const key = evidenceKeyFor(kind, finding?.incidentId, request.execution?.name);
  return {
    kind,
    ...(finding ? { finding } : {}),
    ...(enrichment ? { enrichment } : {}),
    ...(plan ? { plan } : {}),
    ...(actionResults ? { results: actionResults } : {}),
    ...(exposure ? { exposure } : {}),
    ...(repeatRaw
      ? {
          repeat: {
            count,
            ...(repeatRaw.previousCount !== undefined
              ? { previousCount: Number(repeatRaw.previousCount) }
              : {}),
            ...(typeof repeatRaw.firstSeen === 'string' ? { firstSeen: repeatRaw.firstSeen } : {}),
            ...(typeof repeatRaw.status === 'string' ? { status: repeatRaw.status } : {}),
          },
        }
      : {}),
    ...(kind === 'invalid-input'
      ? {
          // A member role that could not be assumed is refused at EnrichAndDecide, the first call in that account.
          failure: failureOf(
            state.rejection,
            isObject(state.rejection) && state.rejection.Error === 'MemberRoleError'
              ? 'EnrichAndDecide'
              : 'ValidateFinding',
          ),
          rawEventSummary: {
            ...(typeof state.source === 'string' ? { source: state.source } : {}),
            ...(typeof state['detail-type'] === 'string' ? { detailType: state['detail-type'] } : {}),
            ...(typeof state.id === 'string' ? { id: state.id } : {}),
          },
        }
      : {}),
    ...(kind === 'cap-reached' && capNoticeOf(state) ? { capNotice: capNoticeOf(state) } : {}),
    ...(request.execution ? { execution: request.execution } : {}),
    ...(context.bucket && key ? { evidence: { bucket: context.bucket, key } } : {}),
    region: context.region,
    ...(context.accountId ? { accountId: context.accountId } : {}),
  };
}
