/**
 * Schemas of what the notify step reads back from the workflow state: the assessment EnrichAndDecide
 * wrote (`$.assessment`), the StopTask result (`$.stop`) and the actions' reports (`$.results`). Apart
 * from lambdas/core/schemas.ts so that the other steps' bundles do not build them.
 */
import * as v from 'valibot';
import { SEVERITY_BANDS } from '../incident';
import {
  BlastRadiusSchema,
  ExposedTaskSchema,
  QuarantineStrategySchema,
  QuarantineTargetSchema,
  SparedImageSchema,
} from '../schemas';

const text = v.string();
const tags = v.record(v.string(), v.string());

const ActionStatusSchema = v.picklist(['done', 'already-done', 'skipped', 'not-possible', 'failed']);
const ActionNameSchema = v.picklist(['isolate', 'stop', 'quarantine', 'tagService']);
const BandSchema = v.picklist(SEVERITY_BANDS);
const WindowSchema = v.object({ at: v.number(), since: v.number() });
const SkippedSchema = v.object({ action: ActionNameSchema, reason: text });

/** What EnrichAndDecide decided for a runtime finding (lambdas/core/policy.ts ResponsePlan). */
export const ResponsePlanSchema = v.object({
  incidentId: text,
  disposition: v.picklist([
    'contain',
    'isolate',
    'notify',
    'exempt',
    'sample',
    'observe',
    'no-task',
    'task-stopped',
  ]),
  path: v.picklist(['act', 'notify']),
  isolate: v.boolean(),
  stop: v.boolean(),
  quarantine: v.boolean(),
  tagService: v.boolean(),
  quarantineStrategy: QuarantineStrategySchema,
  quarantineTargets: v.array(QuarantineTargetSchema),
  quarantineTag: text,
  stopReason: text,
  reasons: v.array(text),
  skipped: v.array(SkippedSchema),
  wouldHaveDone: v.array(ActionNameSchema),
  recommendations: v.array(text),
  claimKey: text,
  digests: v.array(text),
  band: BandSchema,
  capKeys: v.object({ cluster: text, account: text, organization: text, notice: text }),
  caps: v.object({ cluster: v.number(), account: v.number(), organization: v.number() }),
  slots: v.object({ cluster: v.number(), account: v.number(), organization: v.number() }),
  window: WindowSchema,
  ttl: v.number(),
});

/** What EnrichAndDecide learned about a vulnerable image (lambdas/core/vulnerability.ts ImageEnrichment). */
export const ImageEnrichmentSchema = v.object({
  found: v.boolean(),
  imageStatus: v.optional(text),
  tags: v.array(text),
  pushedAt: v.optional(text),
  sizeInBytes: v.optional(v.number()),
  tagMutability: v.optional(text),
  repositoryTags: tags,
  runningTasks: v.array(ExposedTaskSchema),
  scannedTasks: v.number(),
  truncated: v.boolean(),
});

/** What EnrichAndDecide decided for a vulnerable image (lambdas/core/vulnerability.ts ImagePlan). */
export const ImagePlanSchema = v.object({
  incidentId: text,
  disposition: v.picklist([
    'quarantine',
    'notify',
    'exempt',
    'observe',
    'finding-closed',
    'already-quarantined',
  ]),
  path: v.picklist(['act', 'notify']),
  quarantine: v.boolean(),
  stopRunningTasks: v.boolean(),
  quarantineStrategy: QuarantineStrategySchema,
  quarantineTargets: v.array(QuarantineTargetSchema),
  quarantineTag: text,
  exposedTasks: v.array(ExposedTaskSchema),
  stopCandidates: v.array(ExposedTaskSchema),
  stopsSpared: v.array(v.object({ taskArn: text, clusterArn: text, reason: text })),
  reasons: v.array(text),
  skipped: v.array(SkippedSchema),
  wouldHaveDone: v.array(text),
  recommendations: v.array(text),
  claimKey: text,
  band: BandSchema,
  capKeys: v.object({ account: text, organization: text, notice: text }),
  caps: v.object({ account: v.number(), organization: v.number() }),
  memberAccount: v.object({ roleArn: v.optional(text) }),
  taskClusterCap: v.number(),
  slots: v.object({ account: v.number(), organization: v.number(), taskCluster: v.number() }),
  window: WindowSchema,
  ttl: v.number(),
});

/** What the StopTask state wrote (`$.stop`, lambdas/core/outcome.ts StopResult). */
export const StopResultSchema = v.object({
  status: ActionStatusSchema,
  taskArn: text,
  lastStatus: v.optional(text),
  desiredStatus: v.optional(text),
  reason: v.optional(text),
});

const IsolationResultSchema = v.object({
  status: ActionStatusSchema,
  method: v.optional(v.picklist(['security-group-rules-revoked', 'container-instance-quarantined'])),
  reason: v.optional(text),
  eniId: v.optional(text),
  securityGroupIds: v.optional(v.array(text)),
  revokedRuleCount: v.optional(v.number()),
  containerInstanceArn: v.optional(text),
  ec2InstanceId: v.optional(text),
  rescheduledTaskCount: v.optional(v.number()),
  notRescheduledTaskCount: v.optional(v.number()),
  evidenceKey: v.optional(text),
});

export const QuarantineResultSchema = v.object({
  status: ActionStatusSchema,
  images: v.array(
    v.object({
      repository: text,
      registryId: text,
      digest: v.optional(text),
      status: ActionStatusSchema,
      movedTags: v.array(v.object({ from: text, to: text })),
      archived: v.boolean(),
      reason: v.optional(text),
    }),
  ),
  evidenceKey: v.optional(text),
  spared: v.optional(v.array(SparedImageSchema)),
  revocation: v.optional(
    v.object({
      status: v.picklist(['done', 'already-done', 'failed', 'skipped']),
      jobs: v.array(
        v.object({
          repository: text,
          registryId: text,
          digest: text,
          jobArn: text,
          profileVersionArn: text,
          status: v.picklist(['revoked', 'already-revoked', 'failed']),
          reason: v.optional(text),
        }),
      ),
      notes: v.optional(v.array(text)),
    }),
  ),
});

/** What the actions reported (`$.results`, lambdas/core/outcome.ts ResponseResults); other keys are read elsewhere. */
export const ResponseResultsSchema = v.object({
  isolate: v.optional(IsolationResultSchema),
  stop: v.optional(StopResultSchema),
  tagService: v.optional(v.object({ status: ActionStatusSchema, reason: v.optional(text) })),
  quarantine: v.optional(QuarantineResultSchema),
  blastRadius: v.optional(BlastRadiusSchema),
  stoppedTasks: v.optional(
    v.array(
      v.object({
        status: v.picklist(['done', 'already-done', 'capped', 'failed']),
        taskArn: text,
        clusterArn: v.optional(text),
        reason: v.optional(text),
      }),
    ),
  ),
});
