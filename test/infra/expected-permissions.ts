/**
 * The IAM actions each function and workflow is meant to have, written out by hand: the synthesized
 * policies must equal this, and (iam-from-code.test.ts) the handlers' SDK calls must equal the API part.
 */
import type { FunctionId, WorkflowName } from '../../definitions/functions';

/** Every function writes its own log group and, with active tracing, X-Ray segments. */
export const FUNCTION_RUNTIME_ACTIONS = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

/**
 * The AWS API operations each handler calls, as `service:Operation` (the SDK command names); most are
 * also the IAM action's name, the others are renamed by IAM_ACTION_OF.
 */
export const EXPECTED_API_ACTIONS: Readonly<Record<FunctionId, readonly string[]>> = {
  validate: [],
  enrich: [
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListTasks',
    'sts:AssumeRole',
  ],
  enrichImage: [
    'ecr:DescribeImages',
    'ecr:DescribeRepositories',
    'ecr:ListTagsForResource',
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListClusters',
    'ecs:ListTasks',
    'sts:AssumeRole',
  ],
  isolate: [
    'ec2:DescribeInstances',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSecurityGroupRules',
    'ec2:ModifyInstanceAttribute',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress',
    'ecs:DescribeContainerInstances',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListClusters',
    'ecs:ListServices',
    'ecs:ListTasks',
    'ecs:UpdateContainerInstancesState',
    's3:PutObject',
    'sts:AssumeRole',
  ],
  quarantine: [
    'ecr:BatchDeleteImage',
    'ecr:BatchGetImage',
    'ecr:DescribeImages',
    'ecr:DescribeRepositories',
    'ecr:GetDownloadUrlForLayer',
    'ecr:ListImageReferrers',
    'ecr:PutImage',
    'ecr:UpdateImageStorageClass',
    's3:PutObject',
    'signer:GetRevocationStatus',
    'signer:RevokeSignature',
    'sts:AssumeRole',
  ],
  exposure: [
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListClusters',
    'ecs:ListTasks',
    'organizations:ListAccounts',
    'sts:AssumeRole',
  ],
  notify: ['dynamodb:UpdateItem', 'sns:Publish'],
  reportFailure: ['dynamodb:UpdateItem', 'sns:Publish', 'states:GetExecutionHistory'],
  reconcile: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListClusters',
    'ecs:ListTasks',
    'guardduty:GetFindings',
    'guardduty:ListDetectors',
    'guardduty:ListFindings',
    'inspector2:ListCoverage',
    'inspector2:ListFindings',
    'sns:Publish',
    'states:StartExecution',
  ],
  checkImagePush: ['dynamodb:GetItem', 'ecr:DescribeImages', 's3:GetObject'],
  notifyBypass: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'sns:Publish'],
  verifyImages: [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'ecr:BatchGetImage',
    'ecr:DescribeImageSigningStatus',
    'ecr:GetDownloadUrlForLayer',
    'ecr:ListImageReferrers',
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTasks',
    'ecs:ListTasks',
    'signer:GetRevocationStatus',
  ],
  notifyTrust: ['dynamodb:UpdateItem', 'sns:Publish'],
  updateSecurityHub: [
    'dynamodb:UpdateItem',
    'securityhub:BatchUpdateFindings',
    'securityhub:BatchUpdateFindingsV2',
    'securityhub:DescribeSecurityHubV2',
    'securityhub:GetFindings',
    'securityhub:GetFindingsV2',
  ],
  memberEcsCall: ['ecs:StopTask', 'ecs:TagResource', 'sts:AssumeRole'],
};

/**
 * Operations authorized by an IAM action of another name. Security Hub's V2 finding operations use the CSPM
 * actions (GetFindingsV2 and BatchUpdateFindingsV2 API references: "both use securityhub:GetFindings" /
 * "securityhub:BatchUpdateFindings in the Action element of an IAM policy statement").
 */
export const IAM_ACTION_OF: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
  'securityhub:GetFindingsV2': 'securityhub:GetFindings',
  'securityhub:BatchUpdateFindingsV2': 'securityhub:BatchUpdateFindings',
};

export function iamActionOf(operation: string): string {
  return IAM_ACTION_OF[operation] ?? operation;
}

/**
 * KMS use implied by the API calls: S3 SSE-KMS puts and gets, encrypted-topic publishes, encrypted-table
 * writes.
 */
export function expectedKeyActions(apiActions: readonly string[]): string[] {
  const key = new Set<string>();
  if (apiActions.some((a) => a === 's3:PutObject' || a === 'sns:Publish')) {
    key.add('kms:Decrypt');
    key.add('kms:GenerateDataKey');
  }
  if (apiActions.includes('s3:GetObject')) key.add('kms:Decrypt');
  if (apiActions.some((a) => a.startsWith('dynamodb:'))) {
    for (const a of ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']) key.add(a);
  }
  return [...key];
}

/**
 * Calls made only where a quarantine security group exists (container-instance isolation): without
 * `quarantineVpcIds` the code never makes them, and the role is not granted them. sts:AssumeRole (the
 * member role, lambdas/shared/member-clients.ts) is in the code of the functions that act in member
 * accounts, but granted only when memberAccountRoleName is configured.
 */
export const ONLY_WITH_QUARANTINE_GROUPS: ReadonlySet<string> = new Set([
  'ec2:ModifyInstanceAttribute',
  'ecs:UpdateContainerInstancesState',
]);

/**
 * Calls of the quarantine function made only with `signing.revokeOnQuarantine` (lambdas/actions/
 * quarantine-revocation.ts): without it the code never makes them, and the role is not granted them.
 */
export const ONLY_WITH_REVOKE_ON_QUARANTINE: ReadonlySet<string> = new Set([
  'ecr:GetDownloadUrlForLayer',
  'ecr:ListImageReferrers',
  'signer:GetRevocationStatus',
  'signer:RevokeSignature',
]);

/**
 * Calls made only with a member role's credentials, in the member account (the member role grants them,
 * member-role.ts): never granted to the central role, which may only assume the member role.
 */
export const ONLY_IN_MEMBER_ACCOUNTS: Readonly<Partial<Record<FunctionId, ReadonlySet<string>>>> = {
  memberEcsCall: new Set(['ecs:StopTask', 'ecs:TagResource']),
};

export function expectedFunctionActions(
  id: FunctionId,
  options: {
    quarantineGroups?: boolean;
    members?: boolean;
    securityHub?: boolean;
    revokeOnQuarantine?: boolean;
  } = {},
): string[] {
  const api = EXPECTED_API_ACTIONS[id]
    // Organization mode only: the member role (sts:AssumeRole) and the organization's listing.
    .filter(
      (action) => options.members || (action !== 'sts:AssumeRole' && action !== 'organizations:ListAccounts'),
    )
    .filter((action) => !ONLY_IN_MEMBER_ACCOUNTS[id]?.has(action))
    // Security Hub calls are in the code, granted only with securityHub on.
    .filter((action) => options.securityHub || !action.startsWith('securityhub:'))
    .map(iamActionOf)
    .filter((a) => options.quarantineGroups || !ONLY_WITH_QUARANTINE_GROUPS.has(a))
    .filter(
      (a) => id !== 'quarantine' || options.revokeOnQuarantine || !ONLY_WITH_REVOKE_ON_QUARANTINE.has(a),
    );
  return [...new Set([...FUNCTION_RUNTIME_ACTIONS, ...api, ...expectedKeyActions(api)])].sort();
}

/** Step Functions vended log delivery and X-Ray tracing, added by CDK for `logs` and `tracingEnabled`. */
export const WORKFLOW_RUNTIME_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

export const EXPECTED_WORKFLOW_ACTIONS: Readonly<Record<WorkflowName, readonly string[]>> = {
  RuntimeThreatResponse: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ecs:StopTask',
    'ecs:TagResource',
    'lambda:InvokeFunction',
    's3:PutObject',
  ],
  VulnerableImageResponse: [
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ecs:StopTask',
    'lambda:InvokeFunction',
    's3:PutObject',
  ],
  ImagePushCheck: ['dynamodb:GetItem', 'lambda:InvokeFunction'],
  ImageTrustResponse: [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ecs:StopTask',
    'ecs:TagResource',
    'lambda:InvokeFunction',
    's3:PutObject',
  ],
};
