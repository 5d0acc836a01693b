/**
 * The image trust response policy: from the verdicts of a starting task's images, what ECS describes of the
 * task, its service and cluster, and the `signing` configuration, what the ImageTrustResponse workflow does.
 * Pure: no AWS calls. Decides from DescribeTasks/DescribeServices/DescribeClusters, never from the event.
 */

import { type BlastRadiusConfig, budgetOf, type ImageQuarantineStrategy } from '../../../definitions/config';
import type { SigningMode } from '../../../definitions/signing-config';
import { type AccountScope, registryAccess } from '../accounts';
import { parseImage } from '../image';
import { accountCapKey, capNoticeKey, capWindow, clusterCapKey, taskClaimKey } from '../incident';
import { type QuarantineTarget, quarantineTagFor } from '../policy';
import { type GuardSettings, workloadVerdict } from '../workload-guard';
import type { ImageVerdict } from './image-trust';

export interface TrustTaskFacts {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly taskTags: Record<string, string>;
  readonly clusterTags: Record<string, string>;
  readonly service?: {
    readonly name: string;
    readonly arn?: string;
    readonly runningCount: number;
    readonly tags: Record<string, string>;
  };
}

export interface TrustSettingsForResponse {
  readonly mode: SigningMode;
  /** Protection and exemption, as every workflow decides them (lambdas/core/workload-guard.ts). */
  readonly guard: GuardSettings;
  readonly minHealthyTasks: number;
  readonly blastRadius: BlastRadiusConfig;
  readonly accountId: string;
  /** The region of the task (its ARN): only ECR of this region is quarantined. */
  readonly region: string;
  /** The partition of the task (its ARN), for member role ARNs. */
  readonly partition: string;
  /**
   * Organization mode (`memberAccountRoleName`): an image of another registry account that `accounts`
   * allows is quarantined there through its member role (lambdas/core/accounts.ts registryAccess).
   */
  readonly scope: AccountScope;
  /** Decision time, epoch milliseconds: the sliding window of the budget. */
  readonly now: number;
  /** Configuration `imageQuarantine`: how an untrusted digest is quarantined once its task is stopped. */
  readonly imageQuarantine: ImageQuarantineStrategy;
  /** Configuration `inspector.exemptRepositories`: repositories never quarantined. */
  readonly exemptRepositories: readonly string[];
}

/** Stops of untrusted images are charged to the High band's budgets (the caps module's counters). */
export const TRUST_BAND = 'high' as const;

export interface ContainerVerdict extends ImageVerdict {
  readonly container: string;
  /**
   * Verified by this start (not read from the verdict cache): a digest is verified once per cache window
   * (single-flight), so an allowed-unsigned image notified only then is notified once per digest and window.
   */
  readonly fresh?: boolean;
  /** The digest ECS reports the container runs (the verdict's may be the multi-architecture index's). */
  readonly runDigest?: string;
}

/**
 * `none`: every image is trusted (or allow-listed), or the task is gone: nothing to do. `stop`: enforce, claim
 * and stop the task. `notify`: observe mode, a spared task, or an image that could not be verified.
 */
export type TrustDecision = 'none' | 'stop' | 'notify';

export interface TrustPlan {
  readonly decision: TrustDecision;
  readonly incidentId: string;
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly serviceArn?: string;
  readonly claimKey: string;
  /** The High band's counters the stop is charged to, their budgets' slots and the sliding window. */
  readonly capKeys: { readonly cluster: string; readonly account: string; readonly notice: string };
  readonly slots: { readonly cluster: number; readonly account: number };
  readonly window: { readonly at: number; readonly since: number };
  readonly stopReason: string;
  /** The containers whose image failed (not trusted and not allow-listed). */
  readonly failed: ContainerVerdict[];
  readonly reasons: string[];
  /**
   * Images allowed by `signing.allowUnsignedRepositories` although not trusted, verified by this start
   * (once per digest and cache window): notified as allowed, never acted on.
   */
  readonly allowed: ContainerVerdict[];
  /** In observe mode or when spared, what enforce would have done. */
  readonly wouldHaveDone: ('stop' | 'tagService' | 'quarantine')[];
  /**
   * Once the task is stopped, quarantine the untrusted digests (so its service does not restart them in a
   * stop/start loop): MeasureBlastRadius then QuarantineImage, the runtime workflow's functions and sparing.
   */
  readonly quarantine: boolean;
  readonly quarantineStrategy: ImageQuarantineStrategy;
  readonly quarantineTag: string;
  readonly quarantineTargets: QuarantineTarget[];
  /** Digests of the quarantine targets, for the blast-radius scan. */
  readonly digests: string[];
  /**
   * The accounts around the task, for the blast-radius scan (MeasureBlastRadius `finding`): in organization
   * mode `deploymentAccountId` makes it scan every account shield-right can see, as the runtime workflow does.
   */
  readonly scanScope: {
    readonly accountId: string;
    readonly partition: string;
    readonly deploymentAccountId?: string;
  };
  /** Why an untrusted image is not a quarantine target (outside this account's ECR, exempt repository…). */
  readonly notQuarantinable: string[];
  /** The task's workload: a quarantine spares digests that other services run (lambdas/core/blast-radius.ts). */
  readonly workload: { readonly clusterArn: string; readonly serviceName?: string };
}

/**
 * The untrusted digests a stop is followed by a quarantine of: ECR images of this region with a digest ECS
 * reports, proven untrusted (never `error`: could not verify is not proven untrusted), outside
 * `inspector.exemptRepositories`, in this account's registry or, in organization mode, in a registry account
 * `accounts` allows (through its member role). One target per repository and digest.
 */
export function trustQuarantineTargets(
  failed: readonly ContainerVerdict[],
  settings: Pick<
    TrustSettingsForResponse,
    'accountId' | 'region' | 'partition' | 'scope' | 'exemptRepositories'
  >,
): { targets: QuarantineTarget[]; notQuarantinable: string[] } {
  const targets: QuarantineTarget[] = [];
  const notQuarantinable: string[] = [];
  // The image trust rule matches this account's task starts only: it is the deployment account.
  const around = {
    partition: settings.partition,
    findingAccount: settings.accountId,
    ...(settings.scope.memberRoleName ? { deploymentAccount: settings.accountId } : {}),
  };
  for (const verdict of failed) {
    if (verdict.outcome === 'error') continue;
    const image = parseImage(verdict.image);
    const digest = verdict.runDigest ?? (verdict.digest || image.digest);
    const access = image.ecr ? registryAccess(settings.scope, around, image.ecr.accountId) : undefined;
    if (!image.ecr || !access) {
      notQuarantinable.push(`${verdict.image} is not in a private ECR registry`);
    } else if (image.ecr.region !== settings.region) {
      notQuarantinable.push(
        `${verdict.image} is in registry ${image.ecr.accountId} (${image.ecr.region}), not in ${settings.region} where this deployment acts`,
      );
    } else if (!access.ok) {
      notQuarantinable.push(`${verdict.image} ${access.reason}`);
    } else if (!digest) {
      notQuarantinable.push(`${verdict.image}: no image digest is known, and a tag may name another build`);
    } else if (settings.exemptRepositories.includes(image.repository)) {
      notQuarantinable.push(`repository ${image.repository} is in inspector.exemptRepositories`);
    } else if (
      !targets.some(
        (t) =>
          t.registryId === image.ecr?.accountId && t.repository === image.repository && t.digest === digest,
      )
    ) {
      targets.push({
        containerName: verdict.container,
        registryId: image.ecr.accountId,
        region: image.ecr.region,
        repository: image.repository,
        digest,
        ...(image.tag ? { tag: image.tag } : {}),
        ...(access.roleArn ? { roleArn: access.roleArn } : {}),
      });
    }
  }
  return { targets, notQuarantinable };
}

/**
 * Why the task must be spared, if it must: the shared workload guard (protected or exempt cluster/service,
 * a task tag only when its key is declared guarded), or minHealthyTasks. `facts.service` is present only
 * when the service lists the task (lambdas/actions/service-membership.ts).
 */
export function sparedBecause(facts: TrustTaskFacts, settings: TrustSettingsForResponse): string | undefined {
  const verdict = workloadVerdict(
    {
      clusterArn: facts.clusterArn,
      clusterTags: facts.clusterTags,
      taskTags: facts.taskTags,
      ...(facts.service
        ? {
            service: {
              name: facts.service.name,
              ...(facts.service.arn ? { arn: facts.service.arn } : {}),
              tags: facts.service.tags,
            },
          }
        : {}),
    },
    settings.guard,
  );
  if (verdict.kind !== 'allowed') return verdict.reason ?? verdict.kind;
  if (facts.service && facts.service.runningCount - 1 < settings.minHealthyTasks) {
    return `stopping would leave service ${facts.service.name} with ${Math.max(facts.service.runningCount - 1, 0)} running task(s), below minHealthyTasks ${settings.minHealthyTasks}`;
  }
  return undefined;
}

export function trustIncidentId(taskArn: string): string {
  return `trust-${taskArn.split('/').pop() ?? 'task'}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 80);
}

export function decideTrustResponse(
  facts: TrustTaskFacts,
  verdicts: readonly ContainerVerdict[],
  settings: TrustSettingsForResponse,
): TrustPlan {
  const failed = verdicts.filter((v) => v.outcome !== 'trusted' && !v.allowedBy);
  const allowed = verdicts.filter(
    (v) => v.outcome !== 'trusted' && v.allowedBy === 'allowUnsignedRepositories' && v.fresh === true,
  );
  const { targets, notQuarantinable } = trustQuarantineTargets(failed, settings);
  const quarantinable = targets.length > 0 && settings.imageQuarantine !== 'none';
  const base = {
    incidentId: trustIncidentId(facts.taskArn),
    taskArn: facts.taskArn,
    clusterArn: facts.clusterArn,
    ...(facts.service?.arn ? { serviceArn: facts.service.arn } : {}),
    claimKey: taskClaimKey(facts.taskArn, true),
    capKeys: {
      cluster: clusterCapKey(facts.clusterArn, TRUST_BAND),
      account: accountCapKey(settings.accountId, TRUST_BAND),
      notice: capNoticeKey(facts.clusterArn, TRUST_BAND),
    },
    slots: {
      cluster: budgetOf(settings.blastRadius, TRUST_BAND).perCluster - 1,
      account: budgetOf(settings.blastRadius, TRUST_BAND).perAccount - 1,
    },
    window: capWindow(settings.now, settings.blastRadius.windowMinutes),
    stopReason:
      `shield-right: image not trusted (${[...new Set(failed.map((f) => f.outcome))].join(', ')})`.slice(
        0,
        255,
      ),
    failed,
    allowed,
    quarantine: false,
    quarantineStrategy: settings.imageQuarantine,
    quarantineTag: quarantineTagFor(trustIncidentId(facts.taskArn)),
    quarantineTargets: targets,
    digests: targets.flatMap((t) => (t.digest ? [t.digest] : [])),
    scanScope: {
      accountId: settings.accountId,
      partition: settings.partition,
      ...(settings.scope.memberRoleName ? { deploymentAccountId: settings.accountId } : {}),
    },
    notQuarantinable,
    workload: {
      clusterArn: facts.clusterArn,
      ...(facts.service ? { serviceName: facts.service.name } : {}),
    },
  };
  const wouldHaveDone: TrustPlan['wouldHaveDone'] = [
    'stop',
    ...(facts.service?.arn ? (['tagService'] as const) : []),
    ...(quarantinable ? (['quarantine'] as const) : []),
  ];
  if (failed.length === 0) {
    // An allowed-unsigned image verified by this start is notified (once per digest and cache window).
    return {
      ...base,
      decision: allowed.length > 0 ? 'notify' : 'none',
      reasons: ['every image is trusted or allowed'],
      wouldHaveDone: [],
    };
  }
  if (facts.lastStatus === 'STOPPED' || facts.desiredStatus === 'STOPPED') {
    return {
      ...base,
      decision: 'notify',
      reasons: ['the task is already stopping or stopped'],
      wouldHaveDone: [],
    };
  }
  if (failed.some((f) => f.outcome === 'error')) {
    return {
      ...base,
      decision: 'notify',
      reasons: [
        'an image could not be verified (error): not trusted, and not stopped on a verification failure',
      ],
      wouldHaveDone,
    };
  }
  if (settings.mode !== 'enforce') {
    return {
      ...base,
      decision: 'notify',
      reasons: ['signing.mode is observe: nothing changed'],
      wouldHaveDone,
    };
  }
  const spared = sparedBecause(facts, settings);
  if (spared) return { ...base, decision: 'notify', reasons: [`spared: ${spared}`], wouldHaveDone };
  return {
    ...base,
    decision: 'stop',
    quarantine: quarantinable,
    reasons: ['enforce: an image of the task is not trusted'],
    wouldHaveDone: [],
  };
}
