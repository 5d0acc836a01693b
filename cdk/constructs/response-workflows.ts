/**
 * The Standard state machines of the WORKFLOWS manifest, each loaded from its ASL file with `${…}`
 * substitutions. A definition read from a file gives CDK nothing to derive IAM from, so every grant
 * here is explicit: the workflow's functions and its `serviceActions`, nothing else.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, CfnCondition, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type ShieldRightConfig, securityHubUpdates } from '../../definitions/config';
import {
  type FunctionId,
  type ResourceSubstitution,
  substitutionKeys,
  WORKFLOWS,
  type WorkflowName,
  type WorkflowSpec,
} from '../../definitions/functions';
import { NO_TASK_CREDENTIALS, taskCredentialsRoleArns } from '../../definitions/organization';
import { leadingKeysCondition, type TableKeyPrefix } from '../../definitions/table-keys';
import { denyInProtectedClusters, denyOnExemptServices } from './guardrails';
import { actsInMembers, allowMemberAssume, fixedRoleName } from './member-access';
import { Acknowledgments, accountArn, allow, grantKeyVia, REPO_ROOT } from './permissions';

/** The only tag key the workflows write on services (the TagService state); the role may set no other. */
export const INCIDENT_TAG_KEY = 'shield-right:incident';

/**
 * The incident-table items each workflow writes (PutItem/UpdateItem) and deletes, by key prefix: IAM
 * allows item writes only there (`dynamodb:LeadingKeys`). Reads (GetItem) are not restricted.
 */
export const WORKFLOW_ITEM_KEYS: Readonly<
  Record<
    WorkflowName,
    { readonly write: readonly TableKeyPrefix[]; readonly delete: readonly TableKeyPrefix[] }
  >
> = {
  // RecordIncident/ReopenIncident/RecordRepeat, ClaimContainment (task claim and the cap counters, then
  // their trims), ClaimCapNotice (the scope's "limit reached" notice).
  RuntimeThreatResponse: { write: ['incident', 'taskClaim', 'cap', 'capNotice'], delete: [] },
  // RecordIncident/AppendFinding/…, ClaimQuarantine (image claim, account cap), ClaimCapNotice, and each
  // StopExposedTasks item's claim of its task (the runtime workflow's key); ReopenIncident deletes the
  // image claim it re-takes.
  VulnerableImageResponse: {
    write: ['incident', 'imageClaim', 'taskClaim', 'cap', 'capNotice'],
    delete: ['imageClaim'],
  },
  ImagePushCheck: { write: [], delete: [] },
  // ClaimTask: the runtime workflow's task claim of the task it stops, and the High band's cap counters;
  // RecordIncident (the incident of a stop); CountCapRefusal/ClaimCapNotice (the cluster's "limit reached" notice).
  ImageTrustResponse: { write: ['incident', 'taskClaim', 'cap', 'capNotice'], delete: [] },
};

/** Key prefixes the workflows write under: evidence of an incident and events that failed validation. */
export const WORKFLOW_OBJECT_PREFIXES = ['incidents/', 'rejected/'] as const;

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** The `${…}` placeholders of an ASL definition, in order of first appearance. */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** State machine names, fixed so IAM can name their executions without depending on the machines. */
export function stateMachineNames(prefix: string): Record<WorkflowName, string> {
  const names = {} as Record<WorkflowName, string>;
  for (const name of Object.keys(WORKFLOWS) as WorkflowName[]) names[name] = `${prefix}-${name}`.slice(0, 80);
  return names;
}

export interface ResponseWorkflowsProps {
  readonly names: Readonly<Record<WorkflowName, string>>;
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
  /** Function ARN per `${…}` key (ResponseFunctions.arnSubstitutions()). */
  readonly functionArns: Readonly<Record<string, string>>;
  readonly table: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /**
   * The protections IAM enforces besides the code (protected clusters, the exemption tag); with
   * memberAccountRoleName, the workflows that act in member accounts assume the member role there.
   */
  readonly config: ShieldRightConfig;
}

export class ResponseWorkflows extends Construct {
  readonly stateMachines: Readonly<Record<WorkflowName, sfn.StateMachine>>;
  readonly logGroups: Readonly<Record<WorkflowName, logs.LogGroup>>;
  /**
   * Whether a Task's Credentials.RoleArn is available: the commercial partition only (docs/aws-behaviours.md
   * X3). A condition, not a synth-time choice: the partition is a token in an environment-agnostic stack.
   */
  readonly taskCredentialsAvailable: CfnCondition;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ResponseWorkflowsProps,
  ) {
    super(scope, id);
    this.taskCredentialsAvailable = new CfnCondition(this, 'TaskCredentialsAvailable', {
      expression: Fn.conditionEquals(Aws.PARTITION, 'aws'),
    });
    const machines = {} as Record<WorkflowName, sfn.StateMachine>;
    const logGroups = {} as Record<WorkflowName, logs.LogGroup>;
    for (const spec of Object.values(WORKFLOWS)) {
      const name = props.names[spec.name];
      const definition = loadDefinition(spec);
      const logGroup = new logs.LogGroup(this, `${spec.name}Logs`, {
        // The vendedlogs prefix keeps the account's CloudWatch Logs resource policy from growing per group.
        logGroupName: `/aws/vendedlogs/states/${name}`,
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const config = props.config;
      const roleName = config ? fixedRoleName(this, config, spec.name) : undefined;
      const machine = new sfn.StateMachine(this, spec.name, {
        stateMachineName: name,
        // A fixed name where the member role's trust policy names it (Credentials.RoleArn on StopTask/TagResource).
        ...(roleName
          ? {
              role: new iam.Role(this, `${spec.name}Role`, {
                roleName,
                assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
              }),
            }
          : {}),
        stateMachineType: sfn.StateMachineType.STANDARD,
        // Inline rather than an S3 asset: a changed definition shows in `cdk diff`.
        definitionBody: sfn.DefinitionBody.fromString(definition),
        definitionSubstitutions: this.substitutionsFor(spec, definition),
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
      this.grant(spec, machine);
      machines[spec.name] = machine;
      logGroups[spec.name] = logGroup;
    }
    this.stateMachines = machines;
    this.logGroups = logGroups;
  }

  /** The substitution map of one workflow; a missing value or an unknown placeholder fails the synth. */
  private substitutionsFor(spec: WorkflowSpec, definition: string): Record<string, string> {
    const resources: Record<ResourceSubstitution, string> = {
      IncidentTableName: this.props.table.tableName,
      EvidenceBucketName: this.props.bucket.bucketName,
      Partition: Stack.of(this).partition,
      SecurityHub: securityHubUpdates(this.props.config),
      // definitions/organization.ts taskCredentialsRoleArns, decided by CloudFormation from AWS::Partition.
      TaskCredentialsRoleArns: Fn.conditionIf(
        this.taskCredentialsAvailable.logicalId,
        taskCredentialsRoleArns('aws'),
        NO_TASK_CREDENTIALS,
      ).toString(),
    };
    const available: Record<string, string> = { ...this.props.functionArns, ...resources };
    const keys = substitutionKeys(spec);
    const substitutions: Record<string, string> = {};
    for (const key of keys) {
      const value = available[key];
      if (value === undefined)
        throw new Error(`shield-right: ${spec.name}: no value for substitution \${${key}}`);
      substitutions[key] = value;
    }
    const unknown = placeholdersOf(definition).filter((p) => !keys.includes(p));
    if (unknown.length > 0) {
      throw new Error(`shield-right: ${spec.file} uses \${${unknown.join('}, ${')}} not listed in WORKFLOWS`);
    }
    return substitutions;
  }

  private grant(spec: WorkflowSpec, machine: sfn.StateMachine): void {
    const { functions, table, bucket, key, config } = this.props;
    const acks = new Acknowledgments(machine);
    for (const id of spec.functions) {
      functions[id].grantInvoke(machine);
      acks.addWildcards(
        [`${functions[id].functionArn}:*`],
        'grantInvoke also covers versions and aliases of the function (FunctionArn:*); only its own.',
      );
    }
    acks.add(
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray tracing accept only *.',
    );

    const dynamodbActions = spec.serviceActions.filter((a) => a.startsWith('dynamodb:'));
    for (const action of spec.serviceActions) {
      if (action.startsWith('dynamodb:')) continue;
      switch (action) {
        case 's3:PutObject':
          allow(machine.grantPrincipal, acks, {
            actions: [action],
            resources: WORKFLOW_OBJECT_PREFIXES.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
            wildcardReason: 'Objects are keyed incidents/<incidentId>/… and rejected/<execution>.json.',
          });
          grantKeyVia(machine.grantPrincipal, key, 's3');
          break;
        case 'ecs:StopTask':
          allow(machine.grantPrincipal, acks, {
            actions: [action],
            resources: [accountArn(this, 'ecs', 'task/*')],
            conditions: { ArnLike: { 'ecs:cluster': accountArn(this, 'ecs', 'cluster/*') } },
            wildcardReason:
              'The task named by a finding, in a cluster of this account; protected clusters denied.',
          });
          denyInProtectedClusters(this, machine.grantPrincipal, config, ['ecs:StopTask']);
          break;
        case 'ecs:TagResource':
          allow(machine.grantPrincipal, acks, {
            actions: [action],
            resources: [accountArn(this, 'ecs', 'service/*')],
            conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [INCIDENT_TAG_KEY] } },
            wildcardReason: `The service of the task, in this account; only the ${INCIDENT_TAG_KEY} tag key.`,
          });
          denyInProtectedClusters(this, machine.grantPrincipal, config, ['ecs:TagResource']);
          denyOnExemptServices(machine.grantPrincipal, config, ['ecs:TagResource']);
          break;
        default:
          throw new Error(`shield-right: ${spec.name}: no IAM mapping for service action ${action}`);
      }
    }
    if (dynamodbActions.length > 0) {
      // TransactWriteItems has no IAM action of its own: it needs PutItem and UpdateItem (and DeleteItem),
      // each checked per item, LeadingKeys included. Not table.grant: with a GSI it adds `index/*`, and
      // the workflows only address the table's items.
      const items = WORKFLOW_ITEM_KEYS[spec.name];
      const kind = (a: string) =>
        a === 'dynamodb:GetItem'
          ? 'read'
          : a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'
            ? 'write'
            : a === 'dynamodb:DeleteItem'
              ? 'delete'
              : 'other';
      const reads = dynamodbActions.filter((a) => kind(a) === 'read');
      const writes = dynamodbActions.filter((a) => kind(a) === 'write');
      const deletes = dynamodbActions.filter((a) => kind(a) === 'delete');
      const other = dynamodbActions.filter((a) => kind(a) === 'other');
      if (other.length > 0)
        throw new Error(`shield-right: ${spec.name}: no item-key scope for ${other.join(', ')}`);
      if (reads.length > 0)
        allow(machine.grantPrincipal, acks, { actions: reads, resources: [table.tableArn] });
      for (const [actions, prefixes] of [
        [writes, items.write],
        [deletes, items.delete],
      ] as const) {
        if (actions.length === 0) continue;
        if (prefixes.length === 0)
          throw new Error(`shield-right: ${spec.name}: ${actions.join(', ')} on no key prefix`);
        allow(machine.grantPrincipal, acks, {
          actions,
          resources: [table.tableArn],
          conditions: leadingKeysCondition(prefixes),
        });
      }
      grantKeyVia(machine.grantPrincipal, key, 'dynamodb');
    }
    if (this.props.config && actsInMembers(this.props.config, spec.name))
      allowMemberAssume(this, machine.grantPrincipal, acks, this.props.config);
    acks.apply();
  }
}

function loadDefinition(spec: WorkflowSpec): string {
  const file = path.join(REPO_ROOT, spec.file);
  if (!existsSync(file)) {
    throw new Error(
      `shield-right: ${spec.name}: state machine definition ${spec.file} (definitions/functions.ts) does not exist`,
    );
  }
  return readFileSync(file, 'utf8');
}
