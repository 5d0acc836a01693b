/**
 * The Lambda tasks of shield-right, listed once: the ResponseFunctions construct deploys them and the
 * offline engine calls the same handlers. Plain data: no CDK imports, so the engine loads fast.
 */

export type FunctionId =
  | 'validate'
  | 'enrich'
  | 'enrichImage'
  | 'isolate'
  | 'quarantine'
  | 'exposure'
  | 'notify'
  | 'reportFailure'
  | 'reconcile'
  | 'checkImagePush'
  | 'notifyBypass'
  | 'verifyImages'
  | 'notifyTrust'
  | 'updateSecurityHub'
  | 'memberEcsCall';

/** Environment variables a function reads, each resolved by the construct (and the offline engine). */
export type FunctionEnv =
  | 'SHIELD_RIGHT_POLICY'
  | 'EVIDENCE_BUCKET'
  | 'INCIDENT_TABLE'
  | 'TOPIC_ARN'
  | 'QUARANTINE_SECURITY_GROUPS'
  | 'ALLOWED_ACCOUNTS'
  /** `{ "RuntimeThreatResponse": arn, "VulnerableImageResponse": arn }`: what the reconciliation sweep starts. */
  | 'STATE_MACHINE_ARNS';

export interface FunctionSpec {
  readonly id: FunctionId;
  /** Handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** The `${…}` placeholder the state machines use for the function's ARN. */
  readonly substitution: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * The function's share of the configured `reservedConcurrency` total (definitions/concurrency.ts): the cap
   * keeps a burst of findings from exhausting the account's API rate limits. Its value at a total of 135.
   */
  readonly reservedConcurrency: number;
  readonly env: readonly FunctionEnv[];
}

export const FUNCTIONS: Readonly<Record<FunctionId, FunctionSpec>> = {
  validate: {
    id: 'validate',
    entry: 'lambdas/validate/handler.ts',
    substitution: 'ValidateFunctionArn',
    description: 'Schema-check and normalize a GuardDuty or Inspector finding',
    timeoutSeconds: 10,
    memoryMb: 256,
    reservedConcurrency: 50,
    env: ['ALLOWED_ACCOUNTS', 'SHIELD_RIGHT_POLICY'],
  },
  enrich: {
    id: 'enrich',
    entry: 'lambdas/enrich/handler.ts',
    substitution: 'EnrichFunctionArn',
    description: 'Describe the ECS task, service and cluster, and decide the response plan',
    timeoutSeconds: 30,
    memoryMb: 512,
    reservedConcurrency: 20,
    env: ['SHIELD_RIGHT_POLICY'],
  },
  enrichImage: {
    id: 'enrichImage',
    entry: 'lambdas/enrich-image/handler.ts',
    substitution: 'EnrichImageFunctionArn',
    description: 'Describe the ECR image and where it runs, and decide the image response plan',
    timeoutSeconds: 120,
    memoryMb: 512,
    reservedConcurrency: 10,
    env: ['SHIELD_RIGHT_POLICY'],
  },
  isolate: {
    id: 'isolate',
    entry: 'lambdas/isolate/handler.ts',
    substitution: 'IsolateFunctionArn',
    description:
      'Isolate an ECS task in place where possible (exclusive security groups, EC2 container instance)',
    timeoutSeconds: 60,
    memoryMb: 512,
    reservedConcurrency: 10,
    env: ['EVIDENCE_BUCKET', 'QUARANTINE_SECURITY_GROUPS', 'SHIELD_RIGHT_POLICY'],
  },
  quarantine: {
    id: 'quarantine',
    entry: 'lambdas/quarantine/handler.ts',
    substitution: 'QuarantineFunctionArn',
    description: 'Quarantine ECR image digests: move tags, archive; revoke their signatures if configured',
    timeoutSeconds: 60,
    memoryMb: 512,
    reservedConcurrency: 10,
    env: ['EVIDENCE_BUCKET', 'SHIELD_RIGHT_POLICY'],
  },
  exposure: {
    id: 'exposure',
    entry: 'lambdas/exposure/handler.ts',
    substitution: 'ExposureFunctionArn',
    description: 'Find running ECS tasks that use an image digest (blast radius)',
    timeoutSeconds: 120,
    memoryMb: 512,
    reservedConcurrency: 10,
    env: ['SHIELD_RIGHT_POLICY'],
  },
  notify: {
    id: 'notify',
    entry: 'lambdas/notify/handler.ts',
    substitution: 'NotifyFunctionArn',
    description: 'Render and publish the notification, record the incident outcome',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 20,
    env: ['TOPIC_ARN', 'INCIDENT_TABLE', 'EVIDENCE_BUCKET'],
  },
  reportFailure: {
    id: 'reportFailure',
    entry: 'lambdas/report-failure/handler.ts',
    substitution: 'ReportFailureFunctionArn',
    description: 'Notify a failed, timed out or aborted response and mark its incident FAILED',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    env: ['TOPIC_ARN', 'INCIDENT_TABLE'],
  },
  reconcile: {
    id: 'reconcile',
    entry: 'lambdas/reconcile/handler.ts',
    // Invoked by its schedule, never by a state machine: the substitution is unused by the ASL.
    substitution: 'ReconcileFunctionArn',
    description:
      'Scheduled sweep: start the response to findings whose event was missed; observe resolved image incidents',
    timeoutSeconds: 300,
    memoryMb: 512,
    // One sweep at a time: two would race for the same findings (the workflows' claims settle it anyway).
    reservedConcurrency: 1,
    env: ['SHIELD_RIGHT_POLICY', 'INCIDENT_TABLE', 'TOPIC_ARN', 'STATE_MACHINE_ARNS'],
  },
  checkImagePush: {
    id: 'checkImagePush',
    entry: 'lambdas/check-image-push/handler.ts',
    substitution: 'CheckImagePushFunctionArn',
    description: 'Check whether an ECR push of a held image digest bypassed its quarantine (reads only)',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    env: ['SHIELD_RIGHT_POLICY', 'INCIDENT_TABLE', 'EVIDENCE_BUCKET'],
  },
  notifyBypass: {
    id: 'notifyBypass',
    entry: 'lambdas/notify-bypass/handler.ts',
    substitution: 'NotifyBypassFunctionArn',
    description: 'Notify a possible quarantine bypass and record it on the incident',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    env: ['TOPIC_ARN', 'INCIDENT_TABLE'],
  },
  verifyImages: {
    id: 'verifyImages',
    entry: 'lambdas/verify-image/handler.ts',
    substitution: 'VerifyImagesFunctionArn',
    description:
      'Describe a starting ECS task and verify the AWS Signer signatures of its images (cached per digest)',
    timeoutSeconds: 90,
    memoryMb: 512,
    reservedConcurrency: 10,
    env: ['SHIELD_RIGHT_POLICY', 'INCIDENT_TABLE'],
  },
  notifyTrust: {
    id: 'notifyTrust',
    entry: 'lambdas/notify-trust/handler.ts',
    substitution: 'NotifyTrustFunctionArn',
    description:
      'Notify an untrusted image in a starting ECS task (what failed, what was done, how to sign); record the outcome',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    env: ['TOPIC_ARN', 'INCIDENT_TABLE'],
  },
  updateSecurityHub: {
    id: 'updateSecurityHub',
    entry: 'lambdas/update-security-hub/handler.ts',
    substitution: 'UpdateSecurityHubFunctionArn',
    description:
      'After the response: note and status on each Security Hub copy of the finding (CSPM, OCSF), recorded on the incident',
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    env: ['INCIDENT_TABLE', 'EVIDENCE_BUCKET'],
  },
  // Only where a Task's Credentials.RoleArn is unavailable (definitions/organization.ts
  // taskCredentialsRoleArns): the workflows' StopTask/TagResource in a member account, made as its member role.
  memberEcsCall: {
    id: 'memberEcsCall',
    entry: 'lambdas/member-ecs-call/handler.ts',
    substitution: 'MemberEcsCallFunctionArn',
    description:
      "StopTask or TagResource in a member account through its member role, where Step Functions' Credentials.RoleArn is unavailable",
    timeoutSeconds: 15,
    memoryMb: 256,
    reservedConcurrency: 10,
    env: ['SHIELD_RIGHT_POLICY'],
  },
};

/**
 * Placeholders for resources other than functions; `Partition` makes every `arn:…:states:::` ARN
 * partition-aware; `SecurityHub` is the `securityHub` setting (`on` | `off`; `off` in observe mode:
 * config.ts securityHubUpdates), read by the workflows' Choice; `TaskCredentialsRoleArns` is the pattern of
 * the member role ARNs a Task's `Credentials.RoleArn` may name in the deployment's partition (none outside
 * the commercial one: organization.ts taskCredentialsRoleArns), read by the Choices before a member stop.
 */
export type ResourceSubstitution =
  | 'IncidentTableName'
  | 'EvidenceBucketName'
  | 'Partition'
  | 'SecurityHub'
  | 'TaskCredentialsRoleArns';

export type WorkflowName =
  | 'RuntimeThreatResponse'
  | 'VulnerableImageResponse'
  | 'ImagePushCheck'
  | 'ImageTrustResponse';

export interface WorkflowSpec {
  readonly name: WorkflowName;
  readonly file: string;
  /** Functions the workflow invokes: their ARNs are substituted and the state machine may invoke them. */
  readonly functions: readonly FunctionId[];
  readonly resources: readonly ResourceSubstitution[];
  /** Operations the workflow calls through direct service integrations (its role is granted exactly these). */
  readonly serviceActions: readonly string[];
}

export const WORKFLOWS: Readonly<Record<WorkflowName, WorkflowSpec>> = {
  RuntimeThreatResponse: {
    name: 'RuntimeThreatResponse',
    file: 'statemachines/runtime-threat-response.asl.json',
    functions: [
      'validate',
      'enrich',
      'isolate',
      'quarantine',
      'exposure',
      'notify',
      'updateSecurityHub',
      'memberEcsCall',
    ],
    resources: [
      'IncidentTableName',
      'EvidenceBucketName',
      'Partition',
      'SecurityHub',
      'TaskCredentialsRoleArns',
    ],
    serviceActions: [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      's3:PutObject',
      'ecs:StopTask',
      'ecs:TagResource',
    ],
  },
  VulnerableImageResponse: {
    name: 'VulnerableImageResponse',
    file: 'statemachines/vulnerable-image-response.asl.json',
    functions: ['validate', 'enrichImage', 'quarantine', 'notify', 'updateSecurityHub', 'memberEcsCall'],
    resources: [
      'IncidentTableName',
      'EvidenceBucketName',
      'Partition',
      'SecurityHub',
      'TaskCredentialsRoleArns',
    ],
    serviceActions: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      's3:PutObject',
      'ecs:StopTask',
    ],
  },
  ImagePushCheck: {
    name: 'ImagePushCheck',
    file: 'statemachines/image-push-check.asl.json',
    functions: ['checkImagePush', 'quarantine', 'notifyBypass'],
    resources: ['IncidentTableName', 'Partition'],
    serviceActions: ['dynamodb:GetItem'],
  },
  ImageTrustResponse: {
    name: 'ImageTrustResponse',
    file: 'statemachines/image-trust-response.asl.json',
    functions: ['verifyImages', 'exposure', 'quarantine', 'notifyTrust'],
    resources: ['IncidentTableName', 'EvidenceBucketName', 'Partition'],
    serviceActions: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      's3:PutObject',
      'ecs:StopTask',
      'ecs:TagResource',
    ],
  },
};

/** The `${…}` substitution keys of a workflow, in a stable order. */
export function substitutionKeys(workflow: WorkflowSpec): string[] {
  return [...workflow.functions.map((id) => FUNCTIONS[id].substitution), ...workflow.resources];
}
