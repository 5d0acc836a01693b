import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import {
  ECSClient,
  ListTagsForResourceCommand,
  UntagResourceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { release } from '../../bin/commands/release';
import type { QuarantineRecord } from '../../lambdas/actions/image-quarantine';
import { type IsolationRecord, ipPermissionOf } from '../../lambdas/actions/network-isolation';
import { type ReleaseDeps, releaseIncident } from '../../lambdas/actions/release-image';
import { ReleaseRefusedError } from '../../lambdas/core/errors';
import { shieldRightStack, streams } from '../helpers/cli';
import { jsonBody } from '../helpers/s3';

const ddb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);
const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const sns = mockClient(SNSClient);
const cfn = mockClient(CloudFormationClient);

const ID = '5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7';
const BUCKET = 'evidence-bucket';
const TABLE = 'incidents';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:shield-right';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const OTHER = `sha256:${'cd34'.repeat(16)}`;
const QTAG = `quarantine-${ID.slice(0, 12)}-${'ab12'.repeat(3)}`;
const SERVICE = 'arn:aws:ecs:us-east-1:111122223333:service/prod/payments-api';
const MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';
const PREFIX = `incidents/${ID}/`;

const deps: ReleaseDeps = {
  ec2: new EC2Client({ region: 'us-east-1' }),
  ecs: new ECSClient({ region: 'us-east-1' }),
  ecr: new ECRClient({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  sns: new SNSClient({ region: 'us-east-1' }),
  evidenceBucket: BUCKET,
  table: TABLE,
  topicArn: TOPIC,
  region: 'us-east-1',
  now: () => Date.UTC(2026, 10, 28, 12),
};

const rules: SecurityGroupRule[] = [
  {
    SecurityGroupRuleId: 'sgr-1',
    GroupId: 'sg-task',
    IsEgress: false,
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    CidrIpv4: '10.0.0.0/16',
    Description: 'https',
  },
  {
    SecurityGroupRuleId: 'sgr-2',
    GroupId: 'sg-task',
    IsEgress: false,
    IpProtocol: 'tcp',
    FromPort: 8080,
    ToPort: 8080,
    ReferencedGroupInfo: { GroupId: 'sg-lb', UserId: '111122223333' },
  },
  {
    SecurityGroupRuleId: 'sgr-3',
    GroupId: 'sg-task',
    IsEgress: true,
    IpProtocol: '-1',
    FromPort: -1,
    ToPort: -1,
    CidrIpv4: '0.0.0.0/0',
  },
  {
    SecurityGroupRuleId: 'sgr-4',
    GroupId: 'sg-task',
    IsEgress: true,
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    PrefixListId: 'pl-s3',
  },
];

const quarantine: QuarantineRecord = {
  repository: 'payments-api',
  registryId: '111122223333',
  digest: DIGEST,
  originalTags: ['v1.4.2', 'latest'],
  quarantineTag: QTAG,
  imageStatusBefore: 'ACTIVE',
  tagMutability: 'MUTABLE',
};

function givenIncident(
  status: string,
  outcome: Record<string, unknown> = { tagService: { status: 'done' } },
): void {
  ddb.on(GetItemCommand).resolves({
    Item: marshall({
      pk: `INCIDENT#${ID}`,
      incidentId: ID,
      status,
      severity: 8,
      findingType: 'CryptoCurrency:Runtime/BitcoinTool.B',
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
      outcome: JSON.stringify(outcome),
    }),
  });
}

function givenEvidence(objects: Record<string, unknown>): void {
  const keys = Object.keys(objects);
  // Two pages, so the listing must follow the continuation token.
  const half = Math.ceil(keys.length / 2);
  s3.on(ListObjectsV2Command)
    .resolvesOnce({
      Contents: keys.slice(0, half).map((Key) => ({ Key })),
      IsTruncated: true,
      NextContinuationToken: 'p2',
    })
    .resolvesOnce({ Contents: keys.slice(half).map((Key) => ({ Key })), IsTruncated: false });
  for (const [Key, value] of Object.entries(objects))
    s3.on(GetObjectCommand, { Key }).resolves({ Body: jsonBody(value) });
}

const isolation: IsolationRecord = { kind: 'security-group-rules', eniId: 'eni-1', rules };
const evidence = {
  [`${PREFIX}${ID}-0001/evidence.json`]: { assessment: { enrichment: { service: { arn: SERVICE } } } },
  [`${PREFIX}isolation.json`]: isolation,
  [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: quarantine,
};

/** ECR as the quarantine left it: archived, only the quarantine tag; `latest` now names a newer build. */
function givenQuarantinedImage(after: 'ACTIVE' | 'ACTIVATING' = 'ACTIVE'): void {
  ecr.on(DescribeImagesCommand, { imageIds: [{ imageDigest: DIGEST }] }).resolves({
    imageDetails: [{ imageDigest: DIGEST, imageTags: [QTAG], imageStatus: 'ARCHIVED' }],
  });
  ecr
    .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'v1.4.2' }] })
    .rejects(
      Object.assign(new Error('no image with tag v1.4.2'), { name: 'ImageNotFoundException', $metadata: {} }),
    );
  ecr.on(DescribeImagesCommand, { imageIds: [{ imageTag: 'latest' }] }).resolves({
    imageDetails: [{ imageDigest: OTHER, imageTags: ['latest'] }],
  });
  ecr.on(UpdateImageStorageClassCommand).resolves({ imageStatus: after });
  ecr.on(BatchGetImageCommand).resolves({
    images: [
      { imageManifest: MANIFEST, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ],
  });
  ecr.on(PutImageCommand).resolves({});
  ecr.on(BatchDeleteImageCommand).resolves({ imageIds: [{ imageTag: QTAG }], failures: [] });
}

beforeEach(() => {
  for (const m of [ddb, s3, ec2, ecs, ecr, sns, cfn]) m.reset();
  ecs.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'shield-right:incident', value: ID }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  // No other incident holds the digests (one hold per digest: lambdas/core/image-holds.ts).
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('ipPermissionOf', () => {
  test('turns each saved rule back into the permission that creates it', () => {
    // Arrange / Act
    const permissions = rules.map(ipPermissionOf);

    // Assert
    expect(permissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'https' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        UserIdGroupPairs: [{ GroupId: 'sg-lb', UserId: '111122223333' }],
      },
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: 'pl-s3' }] },
    ]);
  });

  test('keeps IPv6 ranges and gives up on a rule without a known peer', () => {
    expect(ipPermissionOf({ IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIpv6: '::/0' })).toEqual({
      IpProtocol: 'udp',
      FromPort: 53,
      ToPort: 53,
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    });
    expect(ipPermissionOf({ IpProtocol: 'tcp', FromPort: 1, ToPort: 1 })).toBeUndefined();
  });
});

describe('releaseIncident', () => {
  test('restores rules, image and tags, removes the service tag, marks RELEASED and notifies', async () => {
    // Arrange
    givenIncident('CONTAINED');
    givenEvidence(evidence);
    givenQuarantinedImage();

    // Act
    const result = await releaseIncident(deps, { incidentId: ID, actor: 'alice' });

    // Assert
    expect(result.released).toBe(true);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-task',
      IpPermissions: [
        ipPermissionOf(rules[0] as SecurityGroupRule),
        ipPermissionOf(rules[1] as SecurityGroupRule),
      ],
    });
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupEgressCommand, {
      GroupId: 'sg-task',
      IpPermissions: [
        ipPermissionOf(rules[2] as SecurityGroupRule),
        ipPermissionOf(rules[3] as SecurityGroupRule),
      ],
    });
    expect(ecr).toHaveReceivedCommandWith(UpdateImageStorageClassCommand, {
      imageId: { imageDigest: DIGEST },
      targetStorageClass: 'STANDARD',
    });
    // v1.4.2 is free and goes back; `latest` now names a newer build and must stay there.
    const puts = ecr.commandCalls(PutImageCommand).map((c) => c.args[0].input);
    expect(puts).toEqual([
      expect.objectContaining({ imageTag: 'v1.4.2', imageDigest: DIGEST, imageManifest: MANIFEST }),
    ]);
    expect(ecr).toHaveReceivedCommandWith(BatchDeleteImageCommand, { imageIds: [{ imageTag: QTAG }] });
    expect(ecs).toHaveReceivedCommandWith(UntagResourceCommand, {
      resourceArn: SERVICE,
      tagKeys: ['shield-right:incident'],
    });
    // The release is marked started before anything is undone (its own re-push must not read as a bypass).
    const [started, update] = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(started?.UpdateExpression).toContain('releaseStartedAt = :now');
    const [markCall] = ddb.commandCalls(UpdateItemCommand);
    const [rePush] = ecr.commandCalls(PutImageCommand);
    expect(markCall && rePush && markCall.calledBefore(rePush)).toBe(true);
    expect(update?.ConditionExpression).toBe('#status = :previous');
    expect(update?.ExpressionAttributeValues?.[':released']).toEqual({ S: 'RELEASED' });
    expect(update?.ExpressionAttributeValues?.[':previous']).toEqual({ S: 'CONTAINED' });
    expect(update?.ExpressionAttributeValues?.[':actor']).toEqual({ S: 'alice' });
    const image = result.steps.find((s) => s.action === 'restore-image');
    expect(image?.detail).toContain(`tag latest now names ${OTHER}: left there`);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.MessageStructure).toBe('json');
    expect(publish?.MessageAttributes?.severity).toEqual({ DataType: 'Number', StringValue: '8' });
    const chat = JSON.parse(JSON.parse(publish?.Message ?? '{}').default);
    expect(chat.metadata.threadId).toBe(ID);
    expect(result.steps.map((s) => [s.action, s.status])).toEqual([
      ['restore-security-group-rules', 'done'],
      ['restore-image', 'done'],
      ['remove-service-tag', 'done'],
      ['mark-released', 'done'],
      ['notify', 'done'],
    ]);
  });

  test('adds rules one by one when some are already back, counting those as present', async () => {
    // Arrange
    givenIncident('ISOLATED', {});
    givenEvidence({ [`${PREFIX}isolation.json`]: isolation });
    const duplicate = Object.assign(new Error('the specified rule already exists'), {
      name: 'InvalidPermission.Duplicate',
      $metadata: {},
    });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(duplicate)
      .resolvesOnce({})
      .rejectsOnce(duplicate);
    ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({});

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(3);
    expect(result.steps[0]).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('3 rule(s) restored, 1 already present'),
    });
    expect(result.released).toBe(true);
  });

  test('puts a container instance back in its groups and ACTIVE', async () => {
    // Arrange
    givenIncident('ISOLATED', {});
    const record: IsolationRecord = {
      kind: 'container-instance',
      containerInstanceArn: 'arn:aws:ecs:us-east-1:111122223333:container-instance/prod/ci-1',
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
      ec2InstanceId: 'i-0abc',
      originalGroupIds: ['sg-a', 'sg-b'],
      quarantineGroupId: 'sg-quarantine',
    };
    givenEvidence({ [`${PREFIX}isolation.json`]: record });

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: 'i-0abc',
      Groups: ['sg-a', 'sg-b'],
    });
    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, {
      cluster: record.clusterArn,
      containerInstances: [record.containerInstanceArn],
      status: 'ACTIVE',
    });
    expect(result.released).toBe(true);
  });

  test('an image still activating leaves the release pending and the incident as it was', async () => {
    // Arrange
    givenIncident('CONTAINED', {});
    givenEvidence({ [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: quarantine });
    givenQuarantinedImage('ACTIVATING');

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(result.released).toBe(false);
    expect(result.steps).toEqual([expect.objectContaining({ action: 'restore-image', status: 'pending' })]);
    expect(ecr.commandCalls(PutImageCommand)).toHaveLength(0);
    // Only the release-started mark: the status stays as it was.
    expect(ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.UpdateExpression)).toEqual([
      expect.stringContaining('releaseStartedAt'),
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a tag already back (ImageAlreadyExistsException) counts as restored', async () => {
    // Arrange
    givenIncident('QUARANTINED', {});
    givenEvidence({
      [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: { ...quarantine, originalTags: ['v1.4.2'] },
    });
    givenQuarantinedImage();
    ecr
      .on(PutImageCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ImageAlreadyExistsException', $metadata: {} }));

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(result.steps[0]).toMatchObject({
      status: 'done',
      detail: expect.stringContaining('tag(s) v1.4.2 back'),
    });
    expect(ecr).toHaveReceivedCommandWith(BatchDeleteImageCommand, { imageIds: [{ imageTag: QTAG }] });
  });

  test('keeps the quarantine tag when no original tag could go back, so the image is not deleted', async () => {
    // Arrange
    givenIncident('QUARANTINED', {});
    givenEvidence({
      [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: { ...quarantine, originalTags: ['latest'] },
    });
    givenQuarantinedImage();

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(ecr.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
    expect(result.steps[0]?.detail).toContain(`${QTAG} kept`);
  });

  test('leaves a service tag that now names another incident', async () => {
    // Arrange
    givenIncident('CONTAINED');
    givenEvidence({ [`${PREFIX}${ID}-0001/evidence.json`]: evidence[`${PREFIX}${ID}-0001/evidence.json`] });
    ecs
      .on(ListTagsForResourceCommand)
      .resolves({ tags: [{ key: 'shield-right:incident', value: 'other-incident' }] });

    // Act
    const result = await releaseIncident(deps, { incidentId: ID });

    // Assert
    expect(ecs.commandCalls(UntagResourceCommand)).toHaveLength(0);
    expect(result.steps[0]).toMatchObject({ action: 'remove-service-tag', status: 'skipped' });
  });

  test('escapes recorded values in the chat notification', async () => {
    // Arrange
    givenIncident('QUARANTINED', {});
    givenEvidence({
      [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: { ...quarantine, originalTags: ['<!channel>'] },
    });
    givenQuarantinedImage();
    ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: '<!channel>' }] })
      .rejects(Object.assign(new Error('none'), { name: 'ImageNotFoundException', $metadata: {} }));

    // Act
    await releaseIncident(deps, { incidentId: ID });

    // Assert
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    const chat = JSON.parse(message.default);
    expect(chat.content.description).not.toContain('<!channel>');
    expect(chat.content.description).toContain('&lt;!channel&gt;');
    expect(message.email).toContain('<!channel>');
  });

  test('a dry run reads the evidence and changes nothing', async () => {
    // Arrange
    givenIncident('CONTAINED');
    givenEvidence(evidence);

    // Act
    const result = await releaseIncident(deps, { incidentId: ID, dryRun: true });

    // Assert
    expect(result.steps.map((s) => [s.action, s.status])).toEqual([
      ['restore-security-group-rules', 'planned'],
      ['restore-image', 'planned'],
      ['remove-service-tag', 'planned'],
    ]);
    for (const m of [ec2, ecr, ecs, sns]) expect(m.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  test.each([
    ['NOTIFIED', evidence, /nothing was contained/],
    ['RELEASED', evidence, /already released/],
    ['CONTAINED', {}, /nothing to undo/],
  ])('refuses an incident %s (evidence keys: %#)', async (status, objects, message) => {
    // Arrange
    givenIncident(status, {});
    givenEvidence(objects);

    // Act / Assert
    await expect(releaseIncident(deps, { incidentId: ID })).rejects.toThrow(message);
    expect(ec2.calls()).toHaveLength(0);
    expect(ecr.calls()).toHaveLength(0);
  });

  test('refuses an unknown incident', async () => {
    ddb.on(GetItemCommand).resolves({});
    await expect(releaseIncident(deps, { incidentId: ID })).rejects.toBeInstanceOf(ReleaseRefusedError);
  });
});

describe('shield-right release', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves(
      shieldRightStack({
        runtime: 'arn:aws:states:us-east-1:111122223333:stateMachine:Runtime',
        image: 'arn:aws:states:us-east-1:111122223333:stateMachine:Image',
        table: TABLE,
        bucket: BUCKET,
        topicArn: TOPIC,
      }),
    );
  });

  test('releases with the resources named by the stack outputs', async () => {
    // Arrange
    givenIncident('CONTAINED');
    givenEvidence(evidence);
    givenQuarantinedImage();
    const { io, out } = streams();

    // Act
    const code = await release([ID], io);

    // Assert
    expect(code).toBe(0);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, { TableName: TABLE });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, Prefix: PREFIX });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
    expect(out()).toContain(`Released incident ${ID} (was CONTAINED)`);
  });

  test('a refusal is a message and exit code 1', async () => {
    // Arrange
    givenIncident('NOTIFIED', {});
    givenEvidence(evidence);
    const { io, err } = streams();

    // Act
    const code = await release([ID], io);

    // Assert
    expect(code).toBe(1);
    expect(err()).toMatch(/release refused: incident .* is NOTIFIED/);
  });

  test('an unfinished release exits 1 and says to run it again', async () => {
    // Arrange
    givenIncident('CONTAINED', {});
    givenEvidence({ [`${PREFIX}quarantine/payments-api/${DIGEST}.json`]: quarantine });
    givenQuarantinedImage('ACTIVATING');
    const { io, out } = streams();

    // Act
    const code = await release([ID, '--json'], io);

    // Assert
    expect(code).toBe(1);
    expect(JSON.parse(out())).toMatchObject({ released: false, steps: [{ status: 'pending' }] });
  });

  test('access denied names the action that was refused', async () => {
    // Arrange
    givenIncident('CONTAINED', {});
    s3.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('User is not authorized to perform: s3:ListBucket'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { io, err } = streams();

    // Act
    const code = await release([ID], io);

    // Assert
    expect(code).toBe(1);
    expect(err()).toContain('access denied for s3:ListObjectsV2');
  });
});
