/** Step inputs of the ImageTrustResponse workflow (statemachines/image-trust-response.asl.json). */
import * as v from 'valibot';
import { QuarantineResultSchema } from './notify-state';

const text = v.string();
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[A-Za-z0-9_-]+\/[A-Za-z0-9]+$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]+$/;

/** The fields of an ECS Task State Change the workflow reads: which task, in which cluster. Nothing else. */
export const TaskStateChangeSchema = v.object({
  source: v.literal('aws.ecs'),
  'detail-type': v.literal('ECS Task State Change'),
  detail: v.object({
    taskArn: v.pipe(text, v.regex(TASK_ARN)),
    clusterArn: v.pipe(text, v.regex(CLUSTER_ARN)),
  }),
});

/** VerifyImages: the event, the execution's start time and how many times it waited or retried. */
export const VerifyImagesInputSchema = v.object({
  event: TaskStateChangeSchema,
  now: v.optional(text),
  attempt: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

const VerdictSchema = v.object({
  container: text,
  image: text,
  outcome: text,
  reason: text,
  digest: text,
  allowedBy: v.optional(text),
  signingProfileVersionArn: v.optional(text),
  signingJobArn: v.optional(text),
});

// The shared QuarantineImage result (so its revocation reaches the trust notification), plus QuarantineFailed's reason.
const TrustQuarantineSchema = v.object({ ...QuarantineResultSchema.entries, reason: v.optional(text) });

/** NotifyTrust: the plan VerifyImages decided and what the response did. */
export const NotifyTrustInputSchema = v.object({
  plan: v.object({
    decision: text,
    incidentId: text,
    taskArn: text,
    clusterArn: text,
    serviceArn: v.optional(text),
    failed: v.array(VerdictSchema),
    allowed: v.optional(v.array(VerdictSchema)),
    reasons: v.array(text),
    wouldHaveDone: v.array(text),
    notQuarantinable: v.optional(v.array(text)),
    ttl: v.optional(v.number()),
  }),
  mode: text,
  response: v.object({
    stopped: v.boolean(),
    tagged: v.boolean(),
    held: v.optional(v.boolean()),
    note: v.optional(text),
  }),
  /** Absent in executions started before the quarantine existed. */
  quarantine: v.optional(TrustQuarantineSchema),
  /** ClaimCapNotice's result (`due`, the notice item before this refusal); read by capNoticeOf. */
  capNotice: v.optional(v.unknown()),
});
