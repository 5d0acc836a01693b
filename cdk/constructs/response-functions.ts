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
import { leadingKeysCondition } from '../../definitions/table-keys';
import { allowSigningJobRevocation, type GrantContext, PERMISSIONS } from './function-permissions';
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

function complete<T>(partial: Partial<Record<FunctionId, T>>): Record<FunctionId, T> {
  const out = {} as Record<FunctionId, T>;
  for (const id of Object.keys(FUNCTIONS) as FunctionId[]) {
    const value = partial[id];
    if (value === undefined) throw new Error(`shield-right: function ${id} was not created`);
    out[id] = value;
  }
  return out;
}
