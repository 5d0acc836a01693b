/**
 * VerifyImages (ImageTrustResponse): describes the starting task from ECS, verifies the image of each of its
 * containers through the per-digest verdict cache (single-flight: a burst of task starts of one digest costs one
 * verification), and decides the response from the `signing` policy. Its own SDK clients (ECR, Signer, DynamoDB
 * for the cache, ECS), off every other workflow's critical path.
 */
import { cachedVerdict } from '../actions/trust-cache';
import { describeTrustTask } from '../actions/trust-task';
import { errorMessage } from '../core/errors';
import { scopeOf } from '../core/policy';
import { stepInput } from '../core/schemas';
import { VerifyImagesInputSchema } from '../core/schemas/image-trust';
import { type ImageVerdict, verifyImageReference } from '../core/signing/image-trust';
import { type ContainerVerdict, decideTrustResponse, type TrustPlan } from '../core/signing/trust-response';
import { noTrustAnchorReason, partitionOfRegion, trustAnchorsFor } from '../core/signing/trust-store';
import { dynamodb } from '../shared/clients/dynamodb';
import { ecr } from '../shared/clients/ecr';
import { ecs } from '../shared/clients/ecs';
import { layerDownload } from '../shared/clients/layer-download';
import { signer } from '../shared/clients/signer';
import { decisionTime, environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('INCIDENT_TABLE', 'SHIELD_RIGHT_POLICY');
/** How long one verification may hold a digest's lease before another start takes it over. */
const LEASE_SECONDS = 30;
/** Waits for another start's verification, or retries of an `error` verdict, before notifying. */
export const MAX_ATTEMPTS = 3;

export type VerifyImagesOutput =
  | (TrustPlan & { readonly mode: string; readonly ttl: number })
  | { readonly decision: 'wait'; readonly retryAfterSeconds: number; readonly why: string };

export const handler = async (input: unknown): Promise<VerifyImagesOutput> => {
  const { event, now: startedAt, attempt } = stepInput('VerifyImages', VerifyImagesInputSchema, input);
  const { INCIDENT_TABLE: table } = env();
  const config = policySettings();
  const signing = config.signing;
  const now = decisionTime(startedAt);
  const described = await describeTrustTask(ecs, event.detail.taskArn, event.detail.clusterArn);
  const partition = partitionOfRegion(process.env.AWS_REGION ?? 'us-east-1');
  const anchors = trustAnchorsFor(signing, partition);
  const settings = {
    ...signing,
    trustedRoots: anchors?.trustedRoots ?? [],
    trustedRootFingerprints: anchors?.trustedRootFingerprints ?? [],
    now: new Date(now),
  };
  const policy = {
    trustedProfiles: signing.trustedProfiles,
    verification: signing.verification,
    roots: signing.trustedRootCertificates,
    // A cached verdict carries whether its repository was allowed to run unsigned.
    allowUnsignedRepositories: signing.allowUnsignedRepositories,
    fingerprints: settings.trustedRootFingerprints,
  };
  const clients = { ecr, signer, download: (url: string) => layerDownload.get(url) };
  const verdicts: ContainerVerdict[] = [];
  // Without a trust store nothing verifies: every image would be `untrusted-signer` and enforce mode would stop
  // every task. A configuration error is reported (`error`, notified), never acted on, and not retried.
  const noTrustStore = anchors === undefined;
  for (const container of described.found && noTrustStore ? described.containers : []) {
    verdicts.push({
      container: container.name,
      image: container.image,
      outcome: 'error',
      digest: container.digest ?? '',
      reason: noTrustAnchorReason(partition),
    });
  }
  for (const container of described.found && !noTrustStore ? described.containers : []) {
    const verify = async (): Promise<ImageVerdict> => {
      try {
        return await verifyImageReference(container.image, container.digest, settings, clients);
      } catch (err) {
        // Never trusted: an `error` verdict is not cached, the next attempt verifies again.
        return {
          image: container.image,
          outcome: 'error',
          digest: container.digest ?? '',
          reason: `could not verify: ${errorMessage(err)}`,
        };
      }
    };
    // Images without a digest (outside ECR, or not yet resolved) are judged without the cache.
    const cached = container.digest
      ? await cachedVerdict(
          container.digest,
          { cacheMinutes: signing.cacheMinutes, leaseSeconds: LEASE_SECONDS, policy },
          now,
          event.detail.taskArn,
          verify,
          { dynamodb, table },
        )
      : ({ state: 'verified', verdict: await verify(), cached: false } as const);
    if (cached.state === 'pending') {
      if (attempt < MAX_ATTEMPTS) {
        return {
          decision: 'wait',
          retryAfterSeconds: cached.retryAfterSeconds,
          why: 'another task start is verifying this digest',
        };
      }
      verdicts.push({
        container: container.name,
        image: container.image,
        outcome: 'error',
        digest: container.digest ?? '',
        reason: 'another verification of this digest did not finish in time',
      });
      continue;
    }
    verdicts.push({
      ...cached.verdict,
      container: container.name,
      image: container.image,
      fresh: !cached.cached,
      ...(container.digest ? { runDigest: container.digest } : {}),
    });
  }
  if (!noTrustStore && verdicts.some((v) => v.outcome === 'error') && attempt < MAX_ATTEMPTS) {
    return {
      decision: 'wait',
      retryAfterSeconds: 5 * 2 ** attempt,
      why: 'an image could not be verified: verifying again',
    };
  }
  // The stack-wide observe mode (and `simulate --mode observe`) holds for this workflow too.
  const mode = config.mode === 'observe' ? 'observe' : signing.mode;
  const plan = decideTrustResponse(described.facts, verdicts, {
    mode,
    guard: {
      exemptTagKey: config.exemptTagKey,
      protectedClusters: config.protectedClusters,
      protectedServices: config.protectedServices,
      exemptTaskTagGuarded: config.exemptTaskTagGuarded,
    },
    minHealthyTasks: config.blastRadius.minHealthyTasks,
    blastRadius: config.blastRadius,
    accountId: event.detail.taskArn.split(':')[4] ?? '',
    region: event.detail.taskArn.split(':')[3] ?? '',
    partition: event.detail.taskArn.split(':')[1] ?? 'aws',
    scope: scopeOf(config),
    now,
    imageQuarantine: config.imageQuarantine,
    exemptRepositories: config.inspector.exemptRepositories,
  });
  logger.info('image trust decided', {
    incidentId: plan.incidentId,
    decision: plan.decision,
    outcomes: verdicts.map((v) => v.outcome),
  });
  const ttl = Math.floor(now / 1000) + config.incidentRetentionDays * 86_400;
  return { ...plan, mode, ttl };
};
