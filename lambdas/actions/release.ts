/**
 * Release of a containment, from the evidence saved before it was made: security-group rules or the
 * container instance's groups restored, the image un-archived and its tags moved back, the service tag
 * removed, the incident marked RELEASED and the release notified. Every step is idempotent, so a release
 * that stopped half way (an image still activating, a failed call) is finished by running it again; the
 * incident is marked RELEASED only when nothing is left to undo. A stopped task is never restarted: its
 * service has replaced it. SDK clients are passed in, so a Lambda can run this as well as the CLI.
 */
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  ModifyInstanceAttributeCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  type ECRClient,
  type ImageDetail,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import {
  type ECSClient,
  ListTagsForResourceCommand,
  UntagResourceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsErrorName, errorMessage, ReleaseRefusedError } from '../core/errors';
import { asciiText, chatCode, chatText, LIMITS, plainText } from '../core/escape';
import { isObject } from '../core/read';
import { evidenceKey, getEvidence } from './evidence';
import { ISOLATION_EVIDENCE, type IsolationRecord } from './isolate';
import { type PublishOutcome, publishNotification } from './notify';
import { QUARANTINE_EVIDENCE_PREFIX, type QuarantineRecord } from './quarantine';

/** Statuses that leave something in place to undo; RESOLVED image incidents may still be quarantined. */
export const RELEASABLE_STATUSES: readonly string[] = ['CONTAINED', 'ISOLATED', 'QUARANTINED', 'RESOLVED'];
export const RELEASED_STATUS = 'RELEASED';
/** Incident ids are GuardDuty finding ids or `img-<digest prefix>`: anything else is refused. */
export const INCIDENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface ReleaseDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly evidenceBucket: string;
  readonly table: string;
  readonly topicArn: string;
  readonly region: string;
  readonly now: () => number;
  /** Told what is about to happen, for progress on a terminal. */
  readonly onStep?: (text: string) => void;
}

export interface ReleaseRequest {
  readonly incidentId: string;
  /** Read the evidence and say what would be undone, changing nothing. */
  readonly dryRun?: boolean;
  /** Who released it, recorded on the incident. */
  readonly actor?: string;
}

export type ReleaseAction =
  | 'restore-security-group-rules'
  | 'restore-container-instance'
  | 'restore-image'
  | 'remove-service-tag'
  | 'mark-released'
  | 'notify';

/** `pending`: started but not finished (an image still activating): run the release again later. */
export type ReleaseStepStatus = 'done' | 'already-done' | 'skipped' | 'planned' | 'pending' | 'failed';

export interface ReleaseStep {
  readonly action: ReleaseAction;
  readonly target: string;
  readonly status: ReleaseStepStatus;
  readonly detail?: string;
}

export interface ReleaseResult {
  readonly incidentId: string;
  readonly previousStatus: string;
  readonly released: boolean;
  readonly dryRun: boolean;
  readonly steps: ReleaseStep[];
  readonly notification?: PublishOutcome;
}

export interface IncidentItem {
  readonly incidentId: string;
  readonly status: string;
  readonly item: Record<string, unknown>;
  readonly outcome?: Record<string, unknown>;
}

interface ReleaseEvidence {
  readonly isolation?: IsolationRecord;
  readonly quarantines: QuarantineRecord[];
  /** Services the response tagged (from the evidence of each execution), when the tag step succeeded. */
  readonly serviceArns: string[];
}

/** A failed call as a step detail: the action that failed and AWS's words. */
export function failure(action: string, err: unknown): string {
  return `${action} failed: ${awsErrorName(err)}: ${errorMessage(err)}`;
}

export async function loadIncident(
  ddb: DynamoDBClient,
  table: string,
  incidentId: string,
): Promise<IncidentItem | undefined> {
  const out = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: `INCIDENT#${incidentId}` } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const item = unmarshall(out.Item) as Record<string, unknown>;
  let outcome: Record<string, unknown> | undefined;
  if (typeof item.outcome === 'string') {
    try {
      const parsed: unknown = JSON.parse(item.outcome);
      if (isObject(parsed)) outcome = parsed;
    } catch {
      // A malformed outcome only hides the action summary; the evidence still drives the release.
    }
  }
  return {
    incidentId,
    status: typeof item.status === 'string' ? item.status : 'UNKNOWN',
    item,
    ...(outcome ? { outcome } : {}),
  };
}

/** Every evidence key under `prefix` (ListObjectsV2, paginated). */
export async function listEvidenceKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(ContinuationToken ? { ContinuationToken } : {}),
      }),
    );
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

function isQuarantineRecord(value: unknown): value is QuarantineRecord {
  return (
    isObject(value) &&
    typeof value.repository === 'string' &&
    typeof value.registryId === 'string' &&
    typeof value.digest === 'string' &&
    typeof value.quarantineTag === 'string' &&
    Array.isArray(value.originalTags)
  );
}

function serviceArnOf(evidence: unknown): string | undefined {
  const assessment = isObject(evidence) ? evidence.assessment : undefined;
  const enrichment = isObject(assessment) ? assessment.enrichment : undefined;
  const service = isObject(enrichment) ? enrichment.service : undefined;
  return isObject(service) && typeof service.arn === 'string' ? service.arn : undefined;
}

/** The quarantine records among an incident's evidence `keys` (`incidents/<id>/quarantine/….json`), read. */
async function readQuarantineRecords(
  s3: S3Client,
  bucket: string,
  incidentId: string,
  keys: readonly string[],
): Promise<QuarantineRecord[]> {
  const prefix = evidenceKey(incidentId, QUARANTINE_EVIDENCE_PREFIX);
  const quarantineKeys = keys.filter((k) => k.startsWith(prefix) && k.endsWith('.json'));
  const records = await Promise.all(quarantineKeys.map((key) => getEvidence<unknown>(s3, bucket, key)));
  return records.filter(isQuarantineRecord);
}

async function loadEvidence(deps: ReleaseDeps, incident: IncidentItem): Promise<ReleaseEvidence> {
  const prefix = evidenceKey(incident.incidentId, '');
  const keys = await listEvidenceKeys(deps.s3, deps.evidenceBucket, prefix);
  const read = (key: string) => getEvidence<unknown>(deps.s3, deps.evidenceBucket, key);
  const isolationKey = keys.find((k) => k === `${prefix}${ISOLATION_EVIDENCE}`);
  const tagged = isObject(incident.outcome?.tagService) && incident.outcome.tagService.status === 'done';
  // Each execution's evidence names the service it would tag; only read when the tag was really set.
  const executionKeys = tagged ? keys.filter((k) => /^[^/]+\/[^/]+\/[^/]+\/evidence\.json$/.test(k)) : [];
  const [isolation, quarantines, executions] = await Promise.all([
    isolationKey ? read(isolationKey) : Promise.resolve(undefined),
    readQuarantineRecords(deps.s3, deps.evidenceBucket, incident.incidentId, keys),
    Promise.all(executionKeys.map(read)),
  ]);
  return {
    ...(isObject(isolation) && typeof isolation.kind === 'string'
      ? { isolation: isolation as unknown as IsolationRecord }
      : {}),
    quarantines,
    serviceArns: [
      ...new Set(executions.map(serviceArnOf).filter((a): a is string => a !== undefined)),
    ].sort(),
  };
}

/** A saved rule as the permission that recreates it (one peer per rule, as DescribeSecurityGroupRules lists them). */
export function ipPermissionOf(rule: SecurityGroupRule): IpPermission | undefined {
  const protocol = rule.IpProtocol ?? '-1';
  const base: IpPermission = {
    IpProtocol: protocol,
    ...(protocol !== '-1' && rule.FromPort !== undefined ? { FromPort: rule.FromPort } : {}),
    ...(protocol !== '-1' && rule.ToPort !== undefined ? { ToPort: rule.ToPort } : {}),
  };
  const description = rule.Description ? { Description: rule.Description } : {};
  if (rule.CidrIpv4) return { ...base, IpRanges: [{ CidrIp: rule.CidrIpv4, ...description }] };
  if (rule.CidrIpv6) return { ...base, Ipv6Ranges: [{ CidrIpv6: rule.CidrIpv6, ...description }] };
  if (rule.PrefixListId)
    return { ...base, PrefixListIds: [{ PrefixListId: rule.PrefixListId, ...description }] };
  const ref = rule.ReferencedGroupInfo;
  if (ref?.GroupId) {
    return {
      ...base,
      UserIdGroupPairs: [
        {
          GroupId: ref.GroupId,
          ...(ref.UserId ? { UserId: ref.UserId } : {}),
          ...(ref.VpcPeeringConnectionId ? { VpcPeeringConnectionId: ref.VpcPeeringConnectionId } : {}),
          ...description,
        },
      ],
    };
  }
  return undefined;
}

async function authorize(
  ec2: EC2Client,
  groupId: string,
  egress: boolean,
  permissions: IpPermission[],
): Promise<{ added: number; present: number }> {
  const send = async (IpPermissions: IpPermission[]): Promise<void> => {
    if (egress) await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions }));
    else await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions }));
  };
  try {
    await send(permissions);
    return { added: permissions.length, present: 0 };
  } catch (err) {
    if (awsErrorName(err) !== 'InvalidPermission.Duplicate') throw err;
    if (permissions.length === 1) return { added: 0, present: 1 };
    // One rule already back fails the whole call: add them one by one, keeping the ones present.
  }
  let added = 0;
  let present = 0;
  for (const permission of permissions) {
    const one = await authorize(ec2, groupId, egress, [permission]);
    added += one.added;
    present += one.present;
  }
  return { added, present };
}

async function restoreRules(ec2: EC2Client, record: IsolationRecord): Promise<ReleaseStep> {
  const target = `ENI ${record.eniId ?? 'unknown'}`;
  const byGroup = new Map<string, { ingress: IpPermission[]; egress: IpPermission[] }>();
  let unknown = 0;
  for (const rule of record.rules ?? []) {
    const permission = ipPermissionOf(rule);
    if (!rule.GroupId || !permission) {
      unknown += 1;
      continue;
    }
    const entry = byGroup.get(rule.GroupId) ?? { ingress: [], egress: [] };
    (rule.IsEgress ? entry.egress : entry.ingress).push(permission);
    byGroup.set(rule.GroupId, entry);
  }
  let added = 0;
  let present = 0;
  for (const [groupId, { ingress, egress }] of byGroup) {
    for (const [isEgress, permissions] of [
      [false, ingress],
      [true, egress],
    ] as const) {
      if (permissions.length === 0) continue;
      const action = `ec2:AuthorizeSecurityGroup${isEgress ? 'Egress' : 'Ingress'}`;
      try {
        const r = await authorize(ec2, groupId, isEgress, permissions);
        added += r.added;
        present += r.present;
      } catch (err) {
        return {
          action: 'restore-security-group-rules',
          target,
          status: 'failed',
          detail: failure(`${action} on ${groupId}`, err),
        };
      }
    }
  }
  const groups = [...byGroup.keys()].join(', ');
  const notes = [
    `${added} rule(s) restored${present > 0 ? `, ${present} already present` : ''} in ${groups || 'no group'}`,
    ...(unknown > 0 ? [`${unknown} saved rule(s) with an unknown peer left out`] : []),
  ];
  return {
    action: 'restore-security-group-rules',
    target,
    status: added === 0 && present > 0 ? 'already-done' : 'done',
    detail: notes.join('; '),
  };
}

async function restoreContainerInstance(deps: ReleaseDeps, record: IsolationRecord): Promise<ReleaseStep> {
  const target = `instance ${record.ec2InstanceId ?? 'unknown'}`;
  const groups = record.originalGroupIds ?? [];
  if (!record.ec2InstanceId || groups.length === 0 || !record.containerInstanceArn || !record.clusterArn) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: 'the isolation evidence is incomplete',
    };
  }
  try {
    await deps.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: record.ec2InstanceId, Groups: groups }),
    );
  } catch (err) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: failure('ec2:ModifyInstanceAttribute', err),
    };
  }
  try {
    await deps.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: record.clusterArn,
        containerInstances: [record.containerInstanceArn],
        status: 'ACTIVE',
      }),
    );
  } catch (err) {
    return {
      action: 'restore-container-instance',
      target,
      status: 'failed',
      detail: `groups ${groups.join(', ')} restored; ${failure('ecs:UpdateContainerInstancesState', err)}`,
    };
  }
  return {
    action: 'restore-container-instance',
    target,
    status: 'done',
    detail: `groups ${groups.join(', ')} restored, container instance ACTIVE again`,
  };
}

function plannedSteps(evidence: ReleaseEvidence): ReleaseStep[] {
  const steps: ReleaseStep[] = [];
  const iso = evidence.isolation;
  if (iso?.kind === 'security-group-rules') {
    steps.push({
      action: 'restore-security-group-rules',
      target: `ENI ${iso.eniId ?? 'unknown'}`,
      status: 'planned',
      detail: `authorize ${iso.rules?.length ?? 0} saved rule(s)`,
    });
  } else if (iso?.kind === 'container-instance') {
    steps.push({
      action: 'restore-container-instance',
      target: `instance ${iso.ec2InstanceId ?? 'unknown'}`,
      status: 'planned',
      detail: `groups back to ${(iso.originalGroupIds ?? []).join(', ')}, container instance ACTIVE`,
    });
  }
  for (const q of evidence.quarantines) {
    steps.push({
      action: 'restore-image',
      target: `${q.repository}@${q.digest}`,
      status: 'planned',
      detail: `storage class STANDARD, tags ${q.originalTags.join(', ') || '(none)'} back, ${q.quarantineTag} removed`,
    });
  }
  for (const arn of evidence.serviceArns) {
    steps.push({
      action: 'remove-service-tag',
      target: arn,
      status: 'planned',
      detail: 'untag shield-right:incident',
    });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------------------
// The image: back to STANDARD, original tags back on the digest, quarantine tag removed.

// The manifest types quarantine.ts accepts when it reads a manifest to add a tag.
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];
const GONE = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

async function describeImage(
  ecr: ECRClient,
  record: QuarantineRecord,
  imageId: { imageDigest: string } | { imageTag: string },
): Promise<ImageDetail | undefined> {
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        registryId: record.registryId,
        repositoryName: record.repository,
        imageIds: [imageId],
      }),
    );
    return out.imageDetails?.[0];
  } catch (err) {
    if (GONE.has(awsErrorName(err))) return undefined;
    throw err;
  }
}

/** Puts `tags` back on the digest, never moving a tag that now names another image (a newer build). */
async function restoreTags(ecr: ECRClient, record: QuarantineRecord, tags: string[], notes: string[]) {
  const repo = { registryId: record.registryId, repositoryName: record.repository };
  const got = await ecr.send(
    new BatchGetImageCommand({
      ...repo,
      imageIds: [{ imageDigest: record.digest }],
      acceptedMediaTypes: MANIFEST_TYPES,
    }),
  );
  const image = got.images?.[0];
  if (!image?.imageManifest) throw new Error(`the manifest of ${record.digest} could not be read`);
  const restored: string[] = [];
  for (const tag of tags) {
    const current = (await describeImage(ecr, record, { imageTag: tag }))?.imageDigest;
    if (current && current !== record.digest) {
      notes.push(`tag ${tag} now names ${current}: left there`);
      continue;
    }
    try {
      await ecr.send(
        new PutImageCommand({
          ...repo,
          imageManifest: image.imageManifest,
          ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
          imageTag: tag,
          imageDigest: record.digest,
        }),
      );
      restored.push(tag);
    } catch (err) {
      const name = awsErrorName(err);
      // Already back (a retried release, or a tag the quarantine could not remove): that is success.
      if (name === 'ImageAlreadyExistsException') restored.push(tag);
      else if (name === 'ImageTagAlreadyExistsException')
        notes.push(`tag ${tag} is immutable and taken: left out`);
      else throw err;
    }
  }
  return restored;
}

export async function restoreImage(ecr: ECRClient, record: QuarantineRecord): Promise<ReleaseStep> {
  const target = `${record.repository}@${record.digest}`;
  const step = (status: ReleaseStepStatus, notes: string[]): ReleaseStep => ({
    action: 'restore-image',
    target,
    status,
    ...(notes.length > 0 ? { detail: notes.join('; ') } : {}),
  });
  const notes: string[] = [];
  let action = 'ecr:DescribeImages';
  try {
    const detail = await describeImage(ecr, record, { imageDigest: record.digest });
    if (!detail) return step('failed', ['the image no longer exists in its repository']);
    let status = detail.imageStatus ?? 'ACTIVE';
    let changed = false;
    if (status === 'ARCHIVED' && record.imageStatusBefore !== 'ARCHIVED') {
      action = 'ecr:UpdateImageStorageClass';
      const out = await ecr.send(
        new UpdateImageStorageClassCommand({
          registryId: record.registryId,
          repositoryName: record.repository,
          imageId: { imageDigest: record.digest },
          targetStorageClass: 'STANDARD',
        }),
      );
      status = out.imageStatus ?? 'ACTIVATING';
      changed = true;
      notes.push('storage class back to STANDARD');
    }
    if (status !== 'ACTIVE') {
      // Archived before the quarantine: it stays archived, and its tags were never moved.
      if (record.imageStatusBefore === 'ARCHIVED')
        return step('already-done', ['left ARCHIVED, as it was before']);
      notes.push(
        `the image is ${status}: ECR takes up to 20 minutes; run the release again to move the tags back`,
      );
      return step('pending', notes);
    }
    const tagged = new Set(detail.imageTags ?? []);
    const missing = record.originalTags.filter((t) => !tagged.has(t));
    action = 'ecr:PutImage';
    const restored = missing.length > 0 ? await restoreTags(ecr, record, missing, notes) : [];
    if (restored.length > 0) notes.push(`tag(s) ${restored.join(', ')} back`);
    const kept = record.originalTags.filter((t) => tagged.has(t) || restored.includes(t));
    if (tagged.has(record.quarantineTag)) {
      if (kept.length === 0) {
        notes.push(
          `${record.quarantineTag} kept: it is the only tag, and removing it would delete the image`,
        );
      } else {
        action = 'ecr:BatchDeleteImage';
        const out = await ecr.send(
          new BatchDeleteImageCommand({
            registryId: record.registryId,
            repositoryName: record.repository,
            imageIds: [{ imageTag: record.quarantineTag }],
          }),
        );
        const failed = out.failures?.[0];
        if (failed)
          notes.push(`${record.quarantineTag} not removed: ${failed.failureReason ?? failed.failureCode}`);
        else {
          notes.push(`${record.quarantineTag} removed`);
          changed = true;
        }
      }
    }
    return step(changed || restored.length > 0 ? 'done' : 'already-done', notes);
  } catch (err) {
    return step('failed', [...notes, failure(action, err)]);
  }
}

/** The tag key the runtime workflow sets on the service (cdk/constructs/response-workflows INCIDENT_TAG_KEY). */
export const INCIDENT_TAG_KEY = 'shield-right:incident';

export async function restoreServiceTag(
  ecs: ECSClient,
  arn: string,
  incidentId: string,
): Promise<ReleaseStep> {
  const step = (status: ReleaseStepStatus, detail: string): ReleaseStep => ({
    action: 'remove-service-tag',
    target: arn,
    status,
    detail,
  });
  let action = 'ecs:ListTagsForResource';
  try {
    const out = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    const tag = (out.tags ?? []).find((t) => t.key === INCIDENT_TAG_KEY);
    if (!tag) return step('already-done', `no ${INCIDENT_TAG_KEY} tag`);
    // A later incident re-tagged the service: that tag is not ours to remove.
    if (tag.value !== incidentId)
      return step('skipped', `the tag now names incident ${tag.value ?? ''}: left in place`);
    action = 'ecs:UntagResource';
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [INCIDENT_TAG_KEY] }));
    return step('done', `${INCIDENT_TAG_KEY} removed`);
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ServiceNotFoundException' || name === 'ClusterNotFoundException')
      return step('skipped', 'the service no longer exists');
    return step('failed', failure(action, err));
  }
}

// ---------------------------------------------------------------------------------------------------------
// The notification: threaded with the incident's other messages, values escaped like every notification.

const SEVERITY_OF_LABEL: Record<string, number> = { CRITICAL: 9, HIGH: 7, MEDIUM: 4, LOW: 1 };

export interface ReleaseMessage {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;
}

export function releaseNotification(input: {
  readonly incident: IncidentItem;
  readonly steps: readonly ReleaseStep[];
  readonly actor?: string;
}): ReleaseMessage {
  const { incident, steps } = input;
  const item = incident.item;
  const id = incident.incidentId;
  const type = typeof item.findingType === 'string' ? item.findingType : 'incident';
  const cluster = typeof item.clusterArn === 'string' ? (item.clusterArn.split('/').pop() ?? '') : '';
  const where = cluster
    ? ` in ${cluster}`
    : typeof item.repository === 'string'
      ? ` in ${item.repository}`
      : '';
  const who = input.actor ?? 'shield-right';
  const undone = steps.filter((s) => s.action !== 'mark-released' && s.action !== 'notify');
  const chatLines = [
    `*Incident:* ${chatCode(id, LIMITS.short)} · ${chatText(type)}${chatText(where)}`,
    `*Was:* ${chatText(incident.status, LIMITS.short)} · *released by* ${chatText(who)}`,
    '*Undone*',
    ...undone.map(
      (s) =>
        `${chatText(s.action, LIMITS.short)} ${chatCode(s.target, LIMITS.path)}: ${chatText(s.status, LIMITS.short)}${s.detail ? ` · ${chatText(s.detail, LIMITS.text)}` : ''}`,
    ),
    'Stopped tasks are not restarted: their services start replacements.',
  ];
  const emailLines = [
    `shield-right: containment released for incident ${plainText(id, LIMITS.short)} (${plainText(type)}${plainText(where)})`,
    `Was: ${plainText(incident.status, LIMITS.short)}; released by ${plainText(who)}`,
    '',
    'UNDONE',
    ...undone.map(
      (s) =>
        `  - ${s.action} ${plainText(s.target, LIMITS.path)}: ${s.status}${s.detail ? ` (${plainText(s.detail, LIMITS.text)})` : ''}`,
    ),
    '',
    'Stopped tasks are not restarted: their services start replacements.',
    'A repeat of this finding is notified, not contained again automatically.',
  ];
  const title = `:unlock: shield-right: containment released for incident ${chatText(id, LIMITS.short)}`;
  const chat = {
    version: '1.0',
    source: 'custom',
    id: `${id}:released`,
    content: {
      textType: 'client-markdown',
      title,
      description: chatLines.join('\n'),
      nextSteps: [
        'Keep watching the service: a repeat of this finding is notified, not contained again automatically.',
      ],
      keywords: ['shield-right', 'released'],
    },
    metadata: {
      threadId: id,
      summary: `containment released for incident ${chatText(id, LIMITS.short)}`,
      eventType: 'released',
      relatedResources: undone.map((s) => s.target).slice(0, 20),
      additionalContext: { incidentId: id, previousStatus: asciiText(incident.status, LIMITS.short) },
    },
  };
  const severity =
    typeof item.severity === 'number'
      ? item.severity
      : (SEVERITY_OF_LABEL[typeof item.severityLabel === 'string' ? item.severityLabel : ''] ?? 0);
  const str = (value: unknown, fallback: string) => ({
    DataType: 'String' as const,
    StringValue: asciiText(value, LIMITS.name) || fallback,
  });
  return {
    subject: asciiText(`[shield-right] released: ${type}${where} (${id})`, 99) || '[shield-right] released',
    message: JSON.stringify({ default: JSON.stringify(chat), email: emailLines.join('\n') }),
    attributes: {
      // The same attributes as every notification, so subscription filters (minimum severity) let it through.
      severity: { DataType: 'Number', StringValue: String(Math.round(severity * 10) / 10) },
      severityLabel: str(item.severityLabel, severity >= 7 ? 'HIGH' : 'UNKNOWN'),
      findingType: str(type, 'unknown'),
      action: str('released', 'released'),
      cluster: str(cluster, 'none'),
      account: str(
        /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(String(item.clusterArn ?? item.executionArn ?? ''))?.[1],
        'unknown',
      ),
    },
  };
}

const FINISHED: ReadonlySet<ReleaseStepStatus> = new Set(['done', 'already-done', 'skipped']);

async function markReleased(
  deps: Pick<ReleaseDeps, 'dynamodb' | 'table' | 'now'>,
  incident: Pick<IncidentItem, 'incidentId' | 'status'>,
  steps: readonly ReleaseStep[],
  actor: string,
): Promise<ReleaseStep> {
  const target = `incident ${incident.incidentId}`;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: `INCIDENT#${incident.incidentId}` } },
        UpdateExpression:
          'SET #status = :released, releasedAt = :now, releasedBy = :actor, releasedFrom = :previous, releaseSteps = :steps, updatedAt = :now',
        // Someone else changed the incident meanwhile: better to refuse than overwrite their status.
        ConditionExpression: '#status = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':released': { S: RELEASED_STATUS },
          ':now': { S: new Date(deps.now()).toISOString() },
          ':actor': { S: actor },
          ':previous': { S: incident.status },
          ':steps': { S: JSON.stringify(steps) },
        },
      }),
    );
  } catch (err) {
    return { action: 'mark-released', target, status: 'failed', detail: failure('dynamodb:UpdateItem', err) };
  }
  return {
    action: 'mark-released',
    target,
    status: 'done',
    detail: `status ${incident.status} → ${RELEASED_STATUS}`,
  };
}

/** Every quarantined image back to how it was, one after the other (see restoreImage). */
async function restoreImages(
  deps: Pick<ReleaseDeps, 'ecr' | 'onStep'>,
  records: readonly QuarantineRecord[],
): Promise<ReleaseStep[]> {
  const steps: ReleaseStep[] = [];
  for (const record of records) {
    deps.onStep?.(`restoring ${record.repository}@${record.digest}`);
    steps.push(await restoreImage(deps.ecr, record));
  }
  return steps;
}

/** Undoes what the response did to an incident, as recorded in its evidence. Throws ReleaseRefusedError. */
export async function releaseIncident(deps: ReleaseDeps, request: ReleaseRequest): Promise<ReleaseResult> {
  const { incidentId } = request;
  if (!INCIDENT_ID.test(incidentId)) throw new ReleaseRefusedError(`${incidentId} is not an incident id`);
  deps.onStep?.('reading the incident');
  const incident = await loadIncident(deps.dynamodb, deps.table, incidentId);
  if (!incident) throw new ReleaseRefusedError(`no incident ${incidentId} in table ${deps.table}`);
  if (incident.status === RELEASED_STATUS) {
    throw new ReleaseRefusedError(
      `incident ${incidentId} was already released at ${String(incident.item.releasedAt ?? 'an unknown time')} by ${String(incident.item.releasedBy ?? 'someone')}`,
    );
  }
  if (!RELEASABLE_STATUSES.includes(incident.status)) {
    throw new ReleaseRefusedError(
      `incident ${incidentId} is ${incident.status}: nothing was contained, so there is nothing to release (releasable: ${RELEASABLE_STATUSES.join(', ')})`,
    );
  }
  deps.onStep?.('reading the evidence');
  const evidence = await loadEvidence(deps, incident);
  const planned = plannedSteps(evidence);
  if (planned.length === 0) {
    throw new ReleaseRefusedError(
      `incident ${incidentId} is ${incident.status} but no isolation, quarantine or service tag is recorded in s3://${deps.evidenceBucket}/incidents/${incidentId}/: nothing to undo (a stopped task is not restarted; its service replaces it)`,
    );
  }
  const base = { incidentId, previousStatus: incident.status };
  if (request.dryRun) return { ...base, released: false, dryRun: true, steps: planned };

  const steps: ReleaseStep[] = [];
  const iso = evidence.isolation;
  if (iso?.kind === 'security-group-rules') {
    deps.onStep?.('restoring security group rules');
    steps.push(await restoreRules(deps.ec2, iso));
  } else if (iso?.kind === 'container-instance') {
    deps.onStep?.('restoring the container instance');
    steps.push(await restoreContainerInstance(deps, iso));
  }
  steps.push(...(await restoreImages(deps, evidence.quarantines)));
  for (const arn of evidence.serviceArns) {
    deps.onStep?.(`untagging ${arn}`);
    steps.push(await restoreServiceTag(deps.ecs, arn, incidentId));
  }
  const complete = steps.every((s) => FINISHED.has(s.status));
  if (!complete) return { ...base, released: false, dryRun: false, steps };

  deps.onStep?.('marking the incident released');
  const mark = await markReleased(deps, incident, steps, request.actor ?? 'shield-right');
  steps.push(mark);
  if (mark.status !== 'done') return { ...base, released: false, dryRun: false, steps };
  deps.onStep?.('notifying');
  const rendered = releaseNotification({
    incident,
    steps,
    ...(request.actor ? { actor: request.actor } : {}),
  });
  const notification = await publishNotification(deps.sns, deps.topicArn, rendered);
  steps.push({
    action: 'notify',
    target: deps.topicArn,
    status: notification.published ? 'done' : 'failed',
    ...(notification.error ? { detail: notification.error } : {}),
  });
  return { ...base, released: true, dryRun: false, steps, notification };
}

// ---------------------------------------------------------------------------------------------------------
// The image part alone, for the vulnerable-image workflow (inspector.releaseOnClose): no incident read, no
// notification of its own (the workflow's resolved notification says what happened).

/** What releasing an incident's images needs: ECR, the evidence (read only) and the incident table (one write). */
export type ImageReleaseDeps = Pick<
  ReleaseDeps,
  'ecr' | 's3' | 'dynamodb' | 'evidenceBucket' | 'table' | 'now' | 'onStep'
>;

export interface ImageReleaseOptions {
  /**
   * The status the incident must still have to be marked RELEASED (the caller has checked it, e.g. the
   * workflow's QUARANTINED): if it changed meanwhile, the images are restored but the status is left alone.
   */
  readonly expectedStatus: string;
  /** Who released it, recorded on the incident. */
  readonly actor: string;
}

/**
 * `done`: every image restored and the incident RELEASED. `skipped`: no quarantine recorded, nothing done.
 * `pending`: an image is still being restored from the archive: release again later. `failed`: a step failed.
 */
export type ImageReleaseStatus = 'done' | 'skipped' | 'pending' | 'failed';

export interface ImageReleaseResult {
  readonly status: ImageReleaseStatus;
  readonly incidentId: string;
  readonly released: boolean;
  /** Why the quarantine is not (entirely) lifted; absent when `done`. */
  readonly reason?: string;
  readonly steps: ReleaseStep[];
}

/**
 * Lifts the image quarantine of an incident from its quarantine records (`incidents/<id>/quarantine/…`):
 * storage class back to STANDARD, original tags back, quarantine tag removed unless it is the only tag;
 * then marks the incident RELEASED if it is still `expectedStatus`. Like releaseIncident, every step can be
 * repeated. Throws ReleaseRefusedError for a malformed incident id only.
 */
export async function releaseImages(
  deps: ImageReleaseDeps,
  incidentId: string,
  options: ImageReleaseOptions,
): Promise<ImageReleaseResult> {
  if (!INCIDENT_ID.test(incidentId)) throw new ReleaseRefusedError(`${incidentId} is not an incident id`);
  deps.onStep?.('reading the quarantine records');
  const prefix = evidenceKey(incidentId, QUARANTINE_EVIDENCE_PREFIX);
  const keys = await listEvidenceKeys(deps.s3, deps.evidenceBucket, prefix);
  const records = await readQuarantineRecords(deps.s3, deps.evidenceBucket, incidentId, keys);
  if (records.length === 0) {
    return {
      status: 'skipped',
      incidentId,
      released: false,
      reason: `no image quarantine is recorded in s3://${deps.evidenceBucket}/${prefix}`,
      steps: [],
    };
  }
  const steps = await restoreImages(deps, records);
  const unfinished = steps.filter((s) => !FINISHED.has(s.status));
  if (unfinished.length > 0) {
    const status = unfinished.some((s) => s.status === 'failed') ? 'failed' : 'pending';
    return { status, incidentId, released: false, reason: reasonOf(unfinished), steps };
  }
  deps.onStep?.('marking the incident released');
  const mark = await markReleased(deps, { incidentId, status: options.expectedStatus }, steps, options.actor);
  steps.push(mark);
  if (mark.status !== 'done') {
    return {
      status: 'failed',
      incidentId,
      released: false,
      reason: `the images were restored, but the incident was not marked ${RELEASED_STATUS} (it may no longer be ${options.expectedStatus}): ${mark.detail ?? 'unknown error'}`,
      steps,
    };
  }
  return { status: 'done', incidentId, released: true, steps };
}

function reasonOf(steps: readonly ReleaseStep[]): string {
  return steps.map((s) => `${s.target}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`).join('; ');
}
