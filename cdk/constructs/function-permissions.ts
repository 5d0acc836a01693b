/**
 * What each function's role may do, function by function (the handlers' SDK calls, lambdas/actions/*.ts),
 * written against a GrantContext so the same statements serve the central roles (./response-functions.ts)
 * and, scoped to a member account, the member role (./member-role.ts).
 */
import type { ShieldRightConfig } from '../../definitions/config';
import type { FunctionId, WorkflowName } from '../../definitions/functions';
import type { TableKeyPrefix } from '../../definitions/table-keys';
import type { denyInProtectedClusters } from './guardrails';
import type { allow } from './permissions';

export interface GrantContext {
  /** Security Hub reads and updates, with securityHub on only (./security-hub-access.ts). */
  readonly grantSecurityHub: () => void;
  /** The Signer calls of revokeOnQuarantine (central roles only: revocation uses the central credentials). */
  readonly revokeSigningJobs: () => void;
  /** organizations:ListAccounts, with memberAccountRoleName only (central roles). */
  readonly listOrganizationAccounts: () => void;
  readonly arn: (service: string, resource: string) => string;
  readonly allow: (permission: Parameters<typeof allow>[2]) => void;
  readonly config: ShieldRightConfig;
  /** Quarantine security group id per VPC id: the VPCs where isolation may act. */
  readonly quarantineGroups: Readonly<Record<string, string>>;
  readonly vpcArns: (vpcIds: readonly string[]) => string[];
  readonly denyInProtectedClusters: (actions: Parameters<typeof denyInProtectedClusters>[3]) => void;
  readonly denyOnExemptRepositories: (actions: readonly string[]) => void;
  readonly denyOnExemptEc2Resources: (actions: readonly string[]) => void;
  readonly putEvidence: () => void;
  readonly readEvidence: () => void;
  readonly readIncident: () => void;
  /** UpdateItem on the items under `prefixes` only (default: incidents). */
  readonly updateIncident: (prefixes?: readonly TableKeyPrefix[]) => void;
  readonly publish: () => void;
  readonly executionArns: () => string[];
  /** The state machines' ARNs, or only those of `only`. */
  readonly stateMachineArns: (only?: readonly WorkflowName[]) => string[];
  readonly readIncidents: () => void;
}

const ACCOUNT_CLUSTERS_REASON =
  'Findings name any ECS cluster of this account: scoped to its clusters/tasks.';

/** Reads every task of the account's clusters (which tasks run a digest): list clusters, list and describe tasks. */
function allowTaskDiscovery(c: GrantContext): void {
  c.allow({
    actions: ['ecs:ListClusters'],
    resources: ['*'],
    wildcardReason: 'ecs:ListClusters (read-only) supports no resource type but *.',
  });
  allowTaskListing(c);
  c.allow({
    actions: ['ecs:DescribeTasks'],
    resources: [c.arn('ecs', 'task/*')],
    wildcardReason: ACCOUNT_CLUSTERS_REASON,
  });
}

/** DescribeTasks, DescribeServices and DescribeClusters in this account's clusters (read only). */
function allowTaskDescription(c: GrantContext): void {
  c.allow({
    actions: ['ecs:DescribeTasks'],
    resources: [c.arn('ecs', 'task/*')],
    wildcardReason: ACCOUNT_CLUSTERS_REASON,
  });
  allowServiceAndClusterDescription(c);
}

/** DescribeServices and DescribeClusters (with tags) in this account's clusters (read only). */
function allowServiceAndClusterDescription(c: GrantContext): void {
  c.allow({
    actions: ['ecs:DescribeServices'],
    resources: [c.arn('ecs', 'service/*')],
    wildcardReason: ACCOUNT_CLUSTERS_REASON,
  });
  c.allow({
    actions: ['ecs:DescribeClusters'],
    resources: [c.arn('ecs', 'cluster/*')],
    wildcardReason: ACCOUNT_CLUSTERS_REASON,
  });
}

/** ListTasks in this account's clusters: which tasks a service lists (service membership), or run a digest. */
function allowTaskListing(c: GrantContext): void {
  c.allow({
    actions: ['ecs:ListTasks'],
    resources: ['*'],
    conditions: inAccountCluster(c),
    wildcardReason: 'ecs:ListTasks (read-only) is scoped by the ecs:cluster condition to this account.',
  });
}

/**
 * `signing.revokeOnQuarantine` (lambdas/actions/quarantine-revocation.ts): read the quarantined digest's
 * signatures, ask Signer whether their jobs are revoked, revoke them. RevokeSignature's resource is the
 * signing job (`arn:<partition>:signer:<region>:<account>:/signing-jobs/<id>`, Service Authorization Reference),
 * which names no profile: it is scoped to the accounts and Regions of `signing.trustedProfiles`, and the code
 * revokes only jobs whose authentic signature names a trusted profile. Nothing is granted without a profile.
 */
export function signingJobResources(trustedProfiles: readonly string[]): string[] {
  const scopes = new Set<string>();
  for (const arn of trustedProfiles) {
    const match = /^arn:(aws[a-z-]*):signer:([a-z0-9-]+):(\d{12}):/.exec(arn);
    if (match) scopes.add(`arn:${match[1]}:signer:${match[2]}:${match[3]}:/signing-jobs/*`);
  }
  return [...scopes].sort();
}

/**
 * signing.revokeOnQuarantine: the quarantined image's signatures are read where the image is (ECR, also
 * through a member role), and the signing jobs revoked with the central account's Signer credentials only
 * (`c.revokeSigningJobs`: the member role gets no Signer permission).
 */
function allowSignatureRevocation(c: GrantContext): void {
  c.allow({
    actions: ['ecr:GetDownloadUrlForLayer', 'ecr:ListImageReferrers'],
    resources: [c.arn('ecr', 'repository/*')],
    wildcardReason:
      'The signatures of a quarantined image, in any ECR repository of this account (read only).',
  });
  c.revokeSigningJobs();
}

/** The Signer side of revokeOnQuarantine, for the central quarantine role. */
export function allowSigningJobRevocation(
  config: ShieldRightConfig,
  allowIt: (permission: Parameters<typeof allow>[2]) => void,
): void {
  allowIt({
    actions: ['signer:GetRevocationStatus'],
    resources: ['*'],
    wildcardReason: 'signer:GetRevocationStatus (read only) supports no resource type but *.',
  });
  const jobs = signingJobResources(config.signing.trustedProfiles);
  if (jobs.length === 0) return;
  allowIt({
    actions: ['signer:RevokeSignature'],
    resources: jobs,
    wildcardReason:
      'A signing job ARN names no profile: the jobs of the accounts and Regions of signing.trustedProfiles; the code revokes only jobs of trusted profiles.',
  });
}

/** The ECR writes of quarantine and release: never on an exempt repository. */
const ECR_WRITES = ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'];

/**
 * Describes what the workload guard reads for a task: its service (with tags) and the service's task list
 * (membership, lambdas/actions/service-membership.ts), its cluster (with tags).
 */
function allowWorkloadDescription(c: GrantContext): void {
  allowServiceAndClusterDescription(c);
  allowTaskListing(c);
}

function inAccountCluster(c: GrantContext) {
  return { ArnLike: { 'ecs:cluster': c.arn('ecs', 'cluster/*') } };
}

/**
 * What each handler calls, function by function (see lambdas/actions/*.ts). A new FunctionId does not
 * compile until its permissions are written here.
 */
export const PERMISSIONS: Readonly<Record<FunctionId, (c: GrantContext) => void>> = {
  // Schema check and normalization only: no AWS calls.
  validate: () => {},
  enrich: (c) => {
    c.allow({
      actions: ['ecs:DescribeTasks'],
      resources: [c.arn('ecs', 'task/*')],
      wildcardReason: ACCOUNT_CLUSTERS_REASON,
    });
    allowWorkloadDescription(c);
  },
  enrichImage: (c) => {
    c.allow({
      actions: ['ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:ListTagsForResource'],
      resources: [c.arn('ecr', 'repository/*')],
      wildcardReason: 'Inspector findings name any ECR repository of this account.',
    });
    allowTaskDiscovery(c);
    allowWorkloadDescription(c);
  },
  isolate: (c) => {
    c.allow({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroupRules', 'ec2:DescribeInstances'],
      resources: ['*'],
      wildcardReason: 'EC2 Describe* calls (read-only) support no resource type but *.',
    });
    const vpcIds = Object.keys(c.quarantineGroups);
    const revokes = ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'];
    // The security group is the resource that carries ec2:Vpc: with quarantineVpcIds set, revokes only
    // in those VPCs (lambdas/actions/network-isolation.ts refuses the others before calling).
    c.allow({
      actions: revokes,
      resources: [c.arn('ec2', 'security-group/*')],
      ...(vpcIds.length > 0 ? { conditions: { ArnLike: { 'ec2:Vpc': c.vpcArns(vpcIds) } } } : {}),
      wildcardReason:
        'Task-exclusive security groups are found at run time: any group of the isolation VPCs (ec2:Vpc).',
    });
    // group-uses.ts and instance-neighbours.ts: who else a group or a container instance reaches (reads).
    allowTaskDiscovery(c);
    c.allow({
      actions: ['ecs:ListServices'],
      resources: ['*'],
      conditions: inAccountCluster(c),
      wildcardReason: 'ecs:ListServices (read-only) is scoped by the ecs:cluster condition to this account.',
    });
    c.allow({
      actions: ['ecs:DescribeServices'],
      resources: [c.arn('ecs', 'service/*')],
      wildcardReason: ACCOUNT_CLUSTERS_REASON,
    });
    // Revoking by rule id also authorizes the rules; the group above is the required resource.
    c.allow({
      actions: revokes,
      resources: [c.arn('ec2', 'security-group-rule/*')],
      wildcardReason:
        'Rules are revoked by id together with their group, which the ec2:Vpc statement scopes.',
    });
    const quarantine = Object.values(c.quarantineGroups);
    if (quarantine.length > 0) {
      // Only the quarantine groups can be given to an instance; which attribute is changed IAM cannot
      // bound (ec2:Attribute is not confirmed for the groupSet form: README, What IAM enforces).
      c.allow({
        actions: ['ec2:ModifyInstanceAttribute'],
        resources: [
          c.arn('ec2', 'instance/*'),
          ...quarantine.map((id) => c.arn('ec2', `security-group/${id}`)),
        ],
        wildcardReason:
          'The container instance is found at run time; the groups are the quarantine groups only.',
      });
      c.allow({
        actions: ['ecs:UpdateContainerInstancesState'],
        resources: [c.arn('ecs', 'container-instance/*')],
        conditions: inAccountCluster(c),
        wildcardReason: 'The container instance of the task is found at run time; protected clusters denied.',
      });
      c.denyInProtectedClusters(['ecs:UpdateContainerInstancesState']);
    }
    c.denyOnExemptEc2Resources([
      ...revokes,
      ...(quarantine.length > 0 ? ['ec2:ModifyInstanceAttribute'] : []),
    ]);
    c.allow({
      actions: ['ecs:DescribeContainerInstances'],
      resources: [c.arn('ecs', 'container-instance/*')],
      wildcardReason:
        'The container instance of the task is found at run time, in any cluster of this account.',
    });
    c.putEvidence();
  },
  quarantine: (c) => {
    c.allow({
      actions: ['ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:BatchGetImage'],
      resources: [c.arn('ecr', 'repository/*')],
      wildcardReason: 'The quarantined image may live in any ECR repository of this account.',
    });
    c.allow({
      actions: ECR_WRITES,
      resources: [c.arn('ecr', 'repository/*')],
      wildcardReason:
        'Any repository of this account but the exempt ones (explicit Deny by name and by tag).',
    });
    c.denyOnExemptRepositories(ECR_WRITES);
    c.putEvidence();
    if (c.config.signing.revokeOnQuarantine) allowSignatureRevocation(c);
  },
  exposure: (c) => {
    allowTaskDiscovery(c);
    allowWorkloadDescription(c);
    c.listOrganizationAccounts();
  },
  notify: (c) => {
    c.publish();
    c.updateIncident();
  },
  reportFailure: (c) => {
    c.allow({
      // findFailedStep reads the history only (lambdas/actions/report-failure.ts): no DescribeExecution.
      actions: ['states:GetExecutionHistory'],
      resources: c.executionArns(),
      wildcardReason: 'Executions of shield-right state machines only (execution:<name>:<execution id>).',
    });
    c.publish();
    c.updateIncident();
  },
  // lambdas/actions/reconcile.ts and reconcile-resolved.ts: read-only listing, then StartExecution.
  reconcile: (c) => {
    c.allow({
      actions: ['inspector2:ListFindings', 'inspector2:ListCoverage'],
      resources: ['*'],
      wildcardReason: 'inspector2 ListFindings and ListCoverage (read-only) support no resource type but *.',
    });
    c.allow({
      actions: ['guardduty:ListDetectors'],
      resources: ['*'],
      wildcardReason: 'guardduty:ListDetectors (read-only) supports no resource type but *.',
    });
    c.allow({
      actions: ['guardduty:ListFindings', 'guardduty:GetFindings'],
      resources: [c.arn('guardduty', 'detector/*')],
      wildcardReason: 'The detector ids are listed at run time: any detector of this account and Region.',
    });
    c.allow({
      actions: ['states:StartExecution'],
      resources: c.stateMachineArns(['RuntimeThreatResponse', 'VulnerableImageResponse']),
    });
    allowTaskDiscovery(c);
    // The exposure scan module is bundled whole (lambdas/actions/exposure.ts); the sweep scans unguarded.
    allowWorkloadDescription(c);
    c.readIncidents();
    // The sweep's watermark (SWEEP#reconcile) and the incidents it marks resolved.
    c.updateIncident(['incident', 'sweep']);
    c.publish();
  },
  checkImagePush: (c) => {
    // Reads only: the quarantine is applied again by the quarantine function, with its own role.
    c.allow({
      actions: ['ecr:DescribeImages'],
      resources: [c.arn('ecr', 'repository/*')],
      wildcardReason: 'A push event names any ECR repository of this account.',
    });
    c.readIncident();
    c.readEvidence();
  },
  notifyBypass: (c) => {
    c.readIncident();
    c.publish();
    c.updateIncident();
  },
  // lambdas/verify-image: reads only, but for the verdict cache (TRUST#<digest>#…, LeadingKeys).
  verifyImages: (c) => {
    allowTaskDescription(c);
    // Service membership of the starting task (lambdas/actions/service-membership.ts).
    allowTaskListing(c);
    c.allow({
      actions: [
        'ecr:BatchGetImage',
        'ecr:DescribeImageSigningStatus',
        'ecr:GetDownloadUrlForLayer',
        'ecr:ListImageReferrers',
      ],
      resources: [c.arn('ecr', 'repository/*')],
      wildcardReason: 'A starting task may run an image of any ECR repository of this account (read only).',
    });
    c.allow({
      actions: ['signer:GetRevocationStatus'],
      resources: ['*'],
      wildcardReason: 'signer:GetRevocationStatus (read only) supports no resource type but *.',
    });
    c.readIncident();
    c.updateIncident(['trust']);
  },
  // Records the outcome of a stop (status, quarantine) on its incident, as Notify does.
  notifyTrust: (c) => {
    c.publish();
    c.updateIncident();
  },
  // lambdas/actions/security-hub-step.ts: Security Hub only with securityHub on (security-hub-access.ts).
  updateSecurityHub: (c) => {
    c.updateIncident();
    c.grantSecurityHub();
  },
  // lambdas/actions/member-ecs-call.ts: StopTask/TagResource only in member accounts, as the member role
  // (which grants them, scoped and conditioned: member-role.ts); the central role gets only sts:AssumeRole
  // on it (member-access.ts), nothing in this account.
  memberEcsCall: () => {},
};
