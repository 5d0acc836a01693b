/**
 * One Lambda function per entry of the FUNCTIONS manifest: the package's prebuilt bundle when there is one
 * (./prebuilt.ts), else bundled locally with esbuild. Each function has its own role granting exactly the
 * API calls its handler makes, scoped to this account's resources.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { reservedConcurrencyShares } from '../../definitions/concurrency';
import { policyEnvironment, type ShieldRightConfig } from '../../definitions/config';
import {
  FUNCTIONS,
  type FunctionEnv,
  type FunctionId,
  type FunctionSpec,
  type WorkflowName,
} from '../../definitions/functions';
import { leadingKeysCondition, type TableKeyPrefix } from '../../definitions/table-keys';
import {
  denyInProtectedClusters,
  denyOnExemptEc2Resources,
  denyOnExemptRepositories,
  vpcArns,
} from './guardrails';
import { actsInMembers, allowMemberAssume, fixedRoleName } from './member-access';
import { Acknowledgments, accountArn, allow, grantKeyVia, REPO_ROOT } from './permissions';
import { prebuiltBundle } from './prebuilt';
import { grantSecurityHubUpdates } from './security-hub-access';

export interface ResponseFunctionsProps {
  readonly config: ShieldRightConfig;
  readonly table: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly topic: sns.ITopic;
  readonly key: kms.IKey;
  /** Quarantine security group id per VPC id. */
  readonly quarantineGroups: Readonly<Record<string, string>>;
  /** Names the state machines will be given: report-failure reads their executions, built from these names. */
  readonly stateMachineNames: Readonly<Record<WorkflowName, string>>;
}

/** Evidence prefix the functions write under (`incidents/<incidentId>/…`). */
export const EVIDENCE_PREFIX = 'incidents/';

/** Bundling shared by every function: one minified CommonJS file with the AWS SDK v3 inside. */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Source maps name files and lines; the sources themselves would only double the bundle size.
  sourcesContent: false,
  // esbuild may not know node24 yet; node22 output runs unchanged on Node.js 24.
  target: 'node22',
  format: nodejs.OutputFormat.CJS,
  // The SDK's ES module builds tree-shake to the commands a function uses: the enrich bundle drops from
  // 567 KB to 353 KB and its module initialization from ~65 ms to ~36 ms (npm run bench).
  mainFields: ['module', 'main'],
  // Bundling the SDK (rather than the runtime's copy) pins its version and tree-shakes it: faster cold starts.
  externalModules: [],
  forceDockerBundling: false,
  logLevel: nodejs.LogLevel.ERROR,
};

/** Settings every function shares, apart from its code, role, log group and environment. */
export function functionDefaults(spec: FunctionSpec, reservedConcurrency?: number) {
  return {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    description: spec.description,
    timeout: Duration.seconds(spec.timeoutSeconds),
    memorySize: spec.memoryMb,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: reservedConcurrency }),
    tracing: lambda.Tracing.ACTIVE,
  } satisfies Partial<lambda.FunctionProps>;
}

/** The prebuilt bundle of the package, else the handler bundled from source by NodejsFunction. */
function handlerFunction(
  scope: Construct,
  id: string,
  spec: FunctionSpec,
  props: Omit<lambda.FunctionProps, 'code' | 'handler'>,
): lambda.Function {
  const bundle = prebuiltBundle(spec.id);
  if (bundle) {
    return new lambda.Function(scope, id, {
      ...props,
      code: lambda.Code.fromAsset(bundle),
      handler: 'index.handler',
    });
  }
  const entry = path.join(REPO_ROOT, spec.entry);
  if (!existsSync(entry)) {
    throw new Error(
      `shield-right: handler ${spec.entry} of function ${spec.id} (definitions/functions.ts) does not exist`,
    );
  }
  return new nodejs.NodejsFunction(scope, id, {
    ...props,
    entry,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    bundling: BUNDLING,
  });
}

const BASE_ENVIRONMENT: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'shield-right',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};

/** PascalCase construct id prefix of a function id (`enrichImage` → `EnrichImage`). */
export function constructPrefix(id: FunctionId): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

export class ResponseFunctions extends Construct {
  readonly functions: Readonly<Record<FunctionId, lambda.Function>>;
  readonly roles: Readonly<Record<FunctionId, iam.Role>>;
  readonly logGroups: Readonly<Record<FunctionId, logs.LogGroup>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ResponseFunctionsProps,
  ) {
    super(scope, id);
    const environment = this.environmentValues();
    const reserved = reservedConcurrencyShares(props.config.reservedConcurrency);
    const functions: Partial<Record<FunctionId, lambda.Function>> = {};
    const roles: Partial<Record<FunctionId, iam.Role>> = {};
    const logGroups: Partial<Record<FunctionId, logs.LogGroup>> = {};
    for (const spec of Object.values(FUNCTIONS)) {
      const prefix = constructPrefix(spec.id);
      const logGroup = new logs.LogGroup(this, `${prefix}Logs`, {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // A role of our own: the default one attaches AWSLambdaBasicExecutionRole, which writes to any log group.
      const roleName = fixedRoleName(this, props.config, spec.id);
      const role = new iam.Role(this, `${prefix}Role`, {
        ...(roleName ? { roleName } : {}),
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `shield-right ${spec.id}: ${spec.description}`.slice(0, 1000),
      });
      logGroup.grantWrite(role);
      const fn = handlerFunction(this, `${prefix}Function`, spec, {
        ...functionDefaults(spec, reserved[spec.id]),
        role,
        logGroup,
        environment: {
          ...BASE_ENVIRONMENT,
          ...Object.fromEntries(spec.env.map((name) => [name, environment[name]])),
        },
      });
      const acks = new Acknowledgments(role);
      // X-Ray accepts trace segments only on `*`; active tracing adds that statement to every role.
      acks.add(
        'AwsSolutions-IAM5[Resource::*]',
        'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) support no resource type but *.',
      );
      PERMISSIONS[spec.id](this.grantContext(role, acks));
      if (actsInMembers(props.config, spec.id)) allowMemberAssume(this, role, acks, props.config);
      acks.apply();
      functions[spec.id] = fn;
      roles[spec.id] = role;
      logGroups[spec.id] = logGroup;
    }
    this.functions = complete(functions);
    this.roles = complete(roles);
    this.logGroups = complete(logGroups);
  }

  /** `${…}` substitution of each function's ARN, as the state machine definitions name them. */
  arnSubstitutions(): Record<string, string> {
    return Object.fromEntries(
      Object.values(FUNCTIONS).map((spec) => [spec.substitution, this.functions[spec.id].functionArn]),
    );
  }

  private environmentValues(): Readonly<Record<FunctionEnv, string>> {
    const { config, bucket, table, topic, quarantineGroups } = this.props;
    const policy = policyEnvironment(config).SHIELD_RIGHT_POLICY;
    if (policy === undefined) throw new Error('shield-right: policyEnvironment() has no SHIELD_RIGHT_POLICY');
    return {
      SHIELD_RIGHT_POLICY: policy,
      EVIDENCE_BUCKET: bucket.bucketName,
      INCIDENT_TABLE: table.tableName,
      TOPIC_ARN: topic.topicArn,
      // The group ids are tokens: toJsonString renders them inside the JSON at deploy time.
      QUARANTINE_SECURITY_GROUPS: Stack.of(this).toJsonString(quarantineGroups),
      // Same-account response only until multi-account response (memberAccountRoleName) is built.
      ALLOWED_ACCOUNTS: '',
      // Built from the names: the state machines are created after the functions they invoke.
      STATE_MACHINE_ARNS: Stack.of(this).toJsonString(
        Object.fromEntries(
          Object.entries(this.props.stateMachineNames).map(([workflow, name]) => [
            workflow,
            accountArn(this, 'states', `stateMachine:${name}`),
          ]),
        ),
      ),
    };
  }

  private grantContext(role: iam.Role, acks: Acknowledgments): GrantContext {
    const { bucket, table, topic, key, stateMachineNames, config, quarantineGroups } = this.props;
    return {
      grantSecurityHub: () =>
        grantSecurityHubUpdates({
          config,
          principal: role,
          arn: (service, resource) => accountArn(this, service, resource),
          allow: (permission) => allow(role, acks, permission),
        }),
      revokeSigningJobs: () =>
        allowSigningJobRevocation(config, (permission) => allow(role, acks, permission)),
      listOrganizationAccounts: () => {
        if (!config.memberAccountRoleName) return;
        allow(role, acks, {
          actions: ['organizations:ListAccounts'],
          resources: ['*'],
          wildcardReason:
            "organizations:ListAccounts (read-only) supports no resource type but *: in organization mode the blast radius lists the organization's accounts.",
        });
      },
      arn: (service, resource) => accountArn(this, service, resource),
      allow: (permission) => allow(role, acks, permission),
      config,
      quarantineGroups,
      vpcArns: (ids) => vpcArns(this, ids),
      denyInProtectedClusters: (actions) => denyInProtectedClusters(this, role, config, actions),
      denyOnExemptRepositories: (actions) => denyOnExemptRepositories(this, role, config, actions),
      denyOnExemptEc2Resources: (actions) => denyOnExemptEc2Resources(role, config, actions),
      putEvidence: () => {
        // Not bucket.grantPut: it adds s3:Abort*, PutObjectLegalHold, PutObjectRetention and tagging calls
        // the handlers never make, and an unconditioned kms:GenerateDataKey*.
        allow(role, acks, {
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
          wildcardReason:
            'Evidence objects are keyed incidents/<incidentId>/…: the prefix is the narrowest scope.',
        });
        grantKeyVia(role, key, 's3');
      },
      readEvidence: () => {
        allow(role, acks, {
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
          wildcardReason:
            'Evidence objects are keyed incidents/<incidentId>/…: the prefix is the narrowest scope.',
        });
        grantKeyVia(role, key, 's3');
      },
      readIncident: () => {
        allow(role, acks, { actions: ['dynamodb:GetItem'], resources: [table.tableArn] });
        grantKeyVia(role, key, 'dynamodb');
      },
      updateIncident: (prefixes = ['incident']) => {
        // Not table.grant: with a GSI it adds `index/*`, and items are never written through an index.
        // Only the items under `prefixes` (dynamodb:LeadingKeys): claims and caps stay the workflows'.
        allow(role, acks, {
          actions: ['dynamodb:UpdateItem'],
          resources: [table.tableArn],
          conditions: leadingKeysCondition(prefixes),
        });
        grantKeyVia(role, key, 'dynamodb');
      },
      publish: () => {
        // topic.grantPublish would also grant kms:GenerateDataKey* usable outside SNS: exact actions instead.
        allow(role, acks, { actions: ['sns:Publish'], resources: [topic.topicArn] });
        grantKeyVia(role, key, 'sns');
      },
      executionArns: () =>
        Object.values(stateMachineNames).map((name) => accountArn(this, 'states', `execution:${name}:*`)),
      stateMachineArns: (only) =>
        Object.entries(stateMachineNames)
          .filter(([workflow]) => !only || only.includes(workflow as WorkflowName))
          .map(([, name]) => accountArn(this, 'states', `stateMachine:${name}`)),
      readIncidents: () => {
        allow(role, acks, {
          actions: ['dynamodb:GetItem', 'dynamodb:Query'],
          resources: [table.tableArn, `${table.tableArn}/index/byEntity`],
        });
        grantKeyVia(role, key, 'dynamodb');
      },
    };
  }
}

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
function allowSigningJobRevocation(
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

function complete<T>(partial: Partial<Record<FunctionId, T>>): Record<FunctionId, T> {
  const out = {} as Record<FunctionId, T>;
  for (const id of Object.keys(FUNCTIONS) as FunctionId[]) {
    const value = partial[id];
    if (value === undefined) throw new Error(`shield-right: function ${id} was not created`);
    out[id] = value;
  }
  return out;
}
