/**
 * What each action reports back to the workflow. The notification renderer and the incident record
 * read these, so they are plain JSON.
 */

export type ActionStatus = 'done' | 'already-done' | 'skipped' | 'not-possible' | 'failed';

export interface IsolationResult {
  readonly status: ActionStatus;
  readonly method?: 'security-group-rules-revoked' | 'container-instance-quarantined';
  readonly reason?: string;
  readonly eniId?: string;
  readonly securityGroupIds?: string[];
  readonly revokedRuleCount?: number;
  readonly containerInstanceArn?: string;
  readonly ec2InstanceId?: string;
  /** Container-instance quarantine: other tasks on the instance that their services replace elsewhere. */
  readonly rescheduledTaskCount?: number;
  /** Container-instance quarantine: other tasks of no service, left running on the instance, cut off. */
  readonly notRescheduledTaskCount?: number;
  /** Where the saved rules or groups are kept so `release` can restore them. */
  readonly evidenceKey?: string;
}

/**
 * What StopTask returned. `done` means the stop was requested: ECS answers before the task stops, with
 * lastStatus still RUNNING and desiredStatus STOPPED; only lastStatus STOPPED confirms the stop.
 */
export interface StopResult {
  readonly status: ActionStatus;
  readonly taskArn: string;
  readonly lastStatus?: string;
  readonly desiredStatus?: string;
  readonly reason?: string;
}

export interface QuarantinedImage {
  readonly repository: string;
  readonly registryId: string;
  readonly digest?: string;
  readonly status: ActionStatus;
  readonly movedTags: { readonly from: string; readonly to: string }[];
  readonly archived: boolean;
  readonly reason?: string;
}

export interface QuarantineResult {
  readonly status: ActionStatus;
  readonly images: QuarantinedImage[];
  readonly evidenceKey?: string;
  /** Images not quarantined because other workloads run them, or the blast radius is not fully known. */
  readonly spared?: SparedImage[];
  /** `signing.revokeOnQuarantine`: the Signer signing jobs of the quarantined digests, revoked. */
  readonly revocation?: SignatureRevocation;
}

/** One Signer signing job of a quarantined digest (RevokeSignature; irreversible). */
export interface SignatureRevocationJob {
  readonly repository: string;
  readonly registryId: string;
  readonly digest: string;
  readonly jobArn: string;
  readonly profileVersionArn: string;
  readonly status: 'revoked' | 'already-revoked' | 'failed';
  readonly reason?: string;
}

export interface SignatureRevocation {
  /** `failed`: some job could not be revoked (reported, the quarantine stands); `skipped`: nothing to revoke. */
  readonly status: 'done' | 'already-done' | 'failed' | 'skipped';
  readonly jobs: SignatureRevocationJob[];
  /** Signatures left alone (not authentic, another profile) and read errors. */
  readonly notes?: string[];
}

export interface ExposedTask {
  readonly taskArn: string;
  readonly clusterArn: string;
  /** With a guarded scan, only a service that lists the task; otherwise the task's group as described. */
  readonly serviceName?: string;
  /** The proven service's runningCount (guarded scans). */
  readonly serviceRunningCount?: number;
  readonly image: string;
  readonly digest?: string;
  /** The workload guard's verdict (guarded scans): protected and exempt workloads are never touched. */
  readonly verdict?: 'protected' | 'exempt' | 'allowed';
  readonly verdictReason?: string;
  /** Organization mode: the account the task runs in (scans span every account shield-right can see). */
  readonly accountId?: string;
}

/** Other running tasks using the same image digest(s): who else may be compromised. */
export interface BlastRadius {
  readonly tasks: ExposedTask[];
  readonly scannedTasks: number;
  /** True when the scan stopped at its bound before seeing every task. */
  readonly truncated: boolean;
  /** The scan failed: nobody knows who runs the digest. */
  readonly failed?: boolean;
  /**
   * Organization mode (memberAccountRoleName): other accounts of the organization can pull the image and
   * are not scanned, so who runs it is not fully known.
   */
  readonly otherAccountsUnscanned?: boolean;
  /** Organization mode: the accounts whose tasks were scanned. */
  readonly scannedAccounts?: string[];
  /** Organization mode: the accounts that could not be scanned, and why (any of them spares every image). */
  readonly unscannedAccounts?: { readonly accountId: string; readonly reason: string }[];
  readonly reason?: string;
}

/** An image the quarantine left alone, and why. */
export interface SparedImage {
  readonly repository: string;
  readonly digest?: string;
  readonly reason: string;
}

/** One running task StopExposedTasks (inspector.stopRunningTasks) stopped, found claimed, or was refused by a budget. */
export interface ExposedTaskStop {
  readonly status: 'done' | 'already-done' | 'capped' | 'failed';
  readonly taskArn: string;
  readonly clusterArn?: string;
  readonly reason?: string;
}

export interface ResponseResults {
  readonly isolate?: IsolationResult;
  readonly stop?: StopResult;
  readonly tagService?: { readonly status: ActionStatus; readonly reason?: string };
  readonly quarantine?: QuarantineResult;
  readonly blastRadius?: BlastRadius;
  /** The vulnerable-image workflow's stops of running tasks, one entry per task. */
  readonly stoppedTasks?: readonly ExposedTaskStop[];
}

export interface StepFailure {
  /** The state that failed, e.g. `QuarantineImage`. */
  readonly state: string;
  readonly error: string;
  readonly cause: string;
}

export interface ExecutionRef {
  readonly arn: string;
  readonly name?: string;
  readonly startTime?: string;
}
