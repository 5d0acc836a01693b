/**
 * The EC2 and ECR sandbox services driven through the real SDK v3 clients (transport replaced), so
 * inputs, outputs and errors are exactly what the Lambda handlers see.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ImageStatusFilter,
  ListImagesCommand,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { Ec2Service } from '../../local/sandbox/ec2';
import { ECR_RESTORE_MS, EcrService } from '../../local/sandbox/ecr';
import {
  type ContainerSandbox,
  clockedContext,
  containerSandbox,
  REGISTRY,
} from '../helpers/container-sandbox';

describe('EC2', () => {
  function network(env: ContainerSandbox) {
    const groupId = env.ec2.putSecurityGroup({
      groupId: 'sg-task',
      groupName: 'task',
      vpcId: 'vpc-1',
      ingress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
    });
    const taskEni = env.ec2.putNetworkInterface({
      networkInterfaceId: 'eni-task',
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
      groups: [groupId],
      requesterManaged: true,
    });
    return { groupId, taskEni };
  }

  test('ModifyNetworkInterfaceAttribute is refused on a requester-managed ENI', async () => {
    const env = containerSandbox();
    const { taskEni } = network(env);
    env.ec2.putSecurityGroup({ groupId: 'sg-quarantine', vpcId: 'vpc-1', egress: [] });

    const described = await env.ec2Client.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [taskEni] }),
    );
    expect(described.NetworkInterfaces?.[0]).toMatchObject({
      RequesterManaged: true,
      Groups: [{ GroupId: 'sg-task', GroupName: 'task' }],
      VpcId: 'vpc-1',
    });
    await expect(
      env.ec2Client.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: taskEni,
          Groups: ['sg-quarantine'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AuthFailure' });
    await expect(
      env.ec2Client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-missing'] })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
  });

  test('a group used by one ENI can be emptied by revoking all of its rules', async () => {
    const env = containerSandbox();
    const { groupId } = network(env);

    const users = await env.ec2Client.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    expect(users.NetworkInterfaces?.map((eni) => eni.NetworkInterfaceId)).toEqual(['eni-task']);
    const { SecurityGroupRules: rules = [] } = await env.ec2Client.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    expect(rules).toHaveLength(2);
    expect(rules.find((rule) => rule.IsEgress)).toMatchObject({
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      CidrIpv4: '0.0.0.0/0',
    });
    const ids = (egress: boolean) =>
      rules.filter((rule) => rule.IsEgress === egress).map((rule) => rule.SecurityGroupRuleId ?? '');

    const ingress = await env.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(false) }),
    );
    await env.ec2Client.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(true) }),
    );

    expect(ingress.RevokedSecurityGroupRules?.[0]).toMatchObject({ CidrIpv4: '10.0.0.0/16', FromPort: 443 });
    const after = await env.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    expect(after.SecurityGroups?.[0]).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ids(false) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSecurityGroupRuleId.NotFound' });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
    await expect(
      env.ec2Client.send(
        new RevokeSecurityGroupEgressCommand({ GroupId: 'sg-gone', SecurityGroupRuleIds: ['x'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });

  test('AuthorizeSecurityGroupIngress canonicalizes CIDRs and refuses duplicates', async () => {
    const env = containerSandbox();
    const { groupId } = network(env);
    const permission = {
      IpProtocol: '6',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '192.168.1.7/24' }],
    };

    const added = await env.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );

    expect(added.SecurityGroupRules?.[0]).toMatchObject({ IpProtocol: 'tcp', CidrIpv4: '192.168.1.0/24' });
    await expect(
      env.ec2Client.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
  });

  test('ModifyInstanceAttribute replaces the groups of a single-ENI instance only', async () => {
    const env = containerSandbox();
    env.ec2.putSecurityGroup({ groupId: 'sg-host', vpcId: 'vpc-1' });
    env.ec2.putSecurityGroup({ groupId: 'sg-isolate', vpcId: 'vpc-1', egress: [] });
    const instanceId = env.ec2.putInstance({
      instanceId: 'i-host',
      vpcId: 'vpc-1',
      subnetId: 'subnet-1',
      groups: ['sg-host'],
    });

    await env.ec2Client.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: ['sg-isolate'] }),
    );

    const out = await env.ec2Client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance?.SecurityGroups).toEqual([{ GroupId: 'sg-isolate', GroupName: 'sg-isolate' }]);
    expect(instance?.NetworkInterfaces?.[0]?.Groups).toEqual([
      { GroupId: 'sg-isolate', GroupName: 'sg-isolate' },
    ]);

    // An awsvpc task ENI on the instance makes the instance-level change ambiguous: AWS refuses it.
    env.ec2.putNetworkInterface({
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
      groups: ['sg-host'],
      requesterManaged: true,
      attachmentInstanceId: instanceId,
    });
    await expect(
      env.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: ['sg-host'] })),
    ).rejects.toMatchObject({ name: 'InvalidInstanceID' });
  });

  test('snapshot and restore round-trip the state', () => {
    const env = containerSandbox();
    network(env);
    const copy = new Ec2Service(clockedContext());
    copy.restore(JSON.parse(JSON.stringify(env.ec2.snapshot())));
    expect(copy.snapshot()).toEqual(env.ec2.snapshot());
  });
});

describe('ECR', () => {
  test('retag flow: new tag, ImageAlreadyExistsException on retry, old tag deleted', async () => {
    // Prepare
    const env = containerSandbox();
    // A digest taken from a finding: the sandbox keeps it although it is not the hash of the manifest.
    const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'], digest: `sha256:${'ab'.repeat(32)}` });
    const got = await env.ecrClient.send(
      new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
    );
    const image = got.images?.[0];
    const put = {
      repositoryName: 'web',
      imageManifest: image?.imageManifest,
      imageManifestMediaType: image?.imageManifestMediaType,
      imageTag: 'quarantined-v1',
    };

    // Act
    const pushed = await env.ecrClient.send(new PutImageCommand(put));
    const retry = env.ecrClient.send(new PutImageCommand(put));
    const deleted = await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }),
    );

    // Assess
    expect(pushed.image?.imageId).toEqual({ imageDigest: digest, imageTag: 'quarantined-v1' });
    await expect(retry).rejects.toMatchObject({ name: 'ImageAlreadyExistsException' });
    expect(deleted).toMatchObject({ imageIds: [{ imageDigest: digest, imageTag: 'v1' }], failures: [] });
    const described = await env.ecrClient.send(
      new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
    );
    expect(described.imageDetails?.[0]?.imageTags).toEqual(['quarantined-v1']);
  });

  test('deleting the last tag of an image deletes the image', async () => {
    const env = containerSandbox();
    const digest = env.ecr.putImage({ repository: 'web', tags: ['only'] });

    await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'only' }] }),
    );

    const listed = await env.ecrClient.send(
      new ListImagesCommand({ repositoryName: 'web', filter: { imageStatus: 'ANY' } }),
    );
    expect(listed.imageIds).toEqual([]);
    await expect(
      env.ecrClient.send(
        new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
      ),
    ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
    const again = await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'only' }] }),
    );
    expect(again.failures?.[0]).toMatchObject({ failureCode: 'ImageNotFound' });
  });

  test('an IMMUTABLE repository refuses to move a tag unless an exclusion filter matches it', async () => {
    const env = containerSandbox();
    env.ecr.putRepository({
      name: 'locked',
      mutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusionFilters: ['latest*'],
    });
    env.ecr.putImage({ repository: 'locked', tags: ['v1', 'latest'] });
    const other = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      n: 2,
    });

    await expect(
      env.ecrClient.send(
        new PutImageCommand({ repositoryName: 'locked', imageManifest: other, imageTag: 'v1' }),
      ),
    ).rejects.toMatchObject({ name: 'ImageTagAlreadyExistsException' });
    const moved = await env.ecrClient.send(
      new PutImageCommand({ repositoryName: 'locked', imageManifest: other, imageTag: 'latest' }),
    );
    expect(moved.image?.imageId?.imageTag).toBe('latest');
    const repos = await env.ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['locked'] }));
    expect(repos.repositories?.[0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
      repositoryUri: `${REGISTRY}/locked`,
    });
    // Untagging is allowed in an immutable repository.
    await env.ecrClient.send(
      new BatchDeleteImageCommand({ repositoryName: 'locked', imageIds: [{ imageTag: 'v1' }] }),
    );
  });

  test('archiving makes an image ARCHIVED, unpullable and absent from BatchGetImage', async () => {
    const env = containerSandbox();
    const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'] });
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);

    const archived = await env.ecrClient.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'web',
        imageId: { imageTag: 'v1' },
        targetStorageClass: 'ARCHIVE',
      }),
    );

    expect(archived).toMatchObject({
      imageId: { imageDigest: digest, imageTag: 'v1' },
      imageStatus: 'ARCHIVED',
    });
    const described = await env.ecrClient.send(
      new DescribeImagesCommand({
        repositoryName: 'web',
        imageIds: [{ imageDigest: digest }],
        filter: { imageStatus: 'ANY' },
      }),
    );
    expect(described.imageDetails?.[0]).toMatchObject({ imageStatus: 'ARCHIVED', imageTags: ['v1'] });
    expect(described.imageDetails?.[0]?.lastArchivedAt).toBeInstanceOf(Date);
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(false);
    expect(env.ecr.imagePullable(`${REGISTRY}/web@${digest}`, undefined)).toBe(false);
    expect(env.ecr.imagePullable('docker.io/library/nginx:latest', undefined)).toBe(true);
    const listed = await env.ecrClient.send(new DescribeImagesCommand({ repositoryName: 'web' }));
    expect(listed.imageDetails).toEqual([]);
    const got = await env.ecrClient.send(
      new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(got).toMatchObject({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });

    await env.ecrClient.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'web',
        imageId: { imageDigest: digest },
        targetStorageClass: 'STANDARD',
      }),
    );
    env.ctx.advance(ECR_RESTORE_MS);
    expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, digest)).toBe(true);
  });

  describe('archived images (DescribeImagesFilter.imageStatus, UpdateImageStorageClass)', () => {
    async function archivedImage() {
      const env = containerSandbox();
      const digest = env.ecr.putImage({ repository: 'web', tags: ['v1'] });
      await env.ecrClient.send(
        new UpdateImageStorageClassCommand({
          repositoryName: 'web',
          imageId: { imageDigest: digest },
          targetStorageClass: 'ARCHIVE',
        }),
      );
      const describe = (imageStatus?: string) =>
        env.ecrClient.send(
          new DescribeImagesCommand({
            repositoryName: 'web',
            imageIds: [{ imageDigest: digest }],
            ...(imageStatus ? { filter: { imageStatus: imageStatus as ImageStatusFilter } } : {}),
          }),
        );
      const restore = () =>
        env.ecrClient.send(
          new UpdateImageStorageClassCommand({
            repositoryName: 'web',
            imageId: { imageDigest: digest },
            targetStorageClass: 'STANDARD',
          }),
        );
      return { env, digest, describe, restore };
    }

    test('DescribeImages by imageIds answers for ACTIVE images only unless filter.imageStatus says otherwise', async () => {
      // Arrange
      const { describe } = await archivedImage();

      // Act
      const unfiltered = describe();
      const active = describe('ACTIVE');
      const archived = await describe('ARCHIVED');
      const any = await describe('ANY');

      // Assert
      await expect(unfiltered).rejects.toMatchObject({ name: 'ImageNotFoundException' });
      await expect(active).rejects.toMatchObject({ name: 'ImageNotFoundException' });
      expect(archived.imageDetails?.[0]?.imageStatus).toBe('ARCHIVED');
      expect(any.imageDetails?.[0]?.imageStatus).toBe('ARCHIVED');
    });

    test('an imageStatus outside the model enum is InvalidParameterException', async () => {
      // Arrange
      const { env, describe } = await archivedImage();

      // Act
      const described = describe('DELETED');
      const listed = env.ecrClient.send(
        new ListImagesCommand({
          repositoryName: 'web',
          filter: { imageStatus: 'archived' as ImageStatusFilter },
        }),
      );

      // Assert
      await expect(described).rejects.toMatchObject({ name: 'InvalidParameterException' });
      await expect(listed).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });

    test('a restore is ACTIVATING, unpullable, until ECR_RESTORE_MS later on the sandbox clock', async () => {
      // Arrange
      const { env, digest, describe, restore } = await archivedImage();

      // Act
      const started = await restore();
      const during = await describe('ACTIVATING');
      const got = await env.ecrClient.send(
        new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: digest }] }),
      );
      const pullableDuring = env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined);
      env.ctx.advance(ECR_RESTORE_MS - 1);
      const almost = await describe('ANY');
      env.ctx.advance(1);
      const after = await describe();

      // Assert
      expect(started.imageStatus).toBe('ACTIVATING');
      expect(during.imageDetails?.[0]?.imageStatus).toBe('ACTIVATING');
      expect(got).toMatchObject({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });
      expect(pullableDuring).toBe(false);
      expect(almost.imageDetails?.[0]?.imageStatus).toBe('ACTIVATING');
      expect(after.imageDetails?.[0]).toMatchObject({ imageStatus: 'ACTIVE', imageTags: ['v1'] });
      expect(after.imageDetails?.[0]?.lastActivatedAt).toEqual(
        new Date(Date.parse('2025-06-01T12:00:00Z') + ECR_RESTORE_MS),
      );
      expect(env.ecr.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);
    });

    test('a restore in progress survives a snapshot', async () => {
      // Arrange
      const { env, restore } = await archivedImage();
      await restore();
      const copy = new EcrService(env.ctx);

      // Act
      copy.restore(JSON.parse(JSON.stringify(env.ecr.snapshot())));
      env.ctx.advance(ECR_RESTORE_MS);

      // Assert
      expect(copy.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);
    });

    test('re-pushing the manifest of an image being restored makes it ACTIVE at once', async () => {
      // Arrange
      const { env, digest, describe, restore } = await archivedImage();
      await restore();
      const manifest = JSON.parse(JSON.stringify(env.ecr.snapshot())).repositories[0].images[0].manifest;

      // Act
      await env.ecrClient.send(
        new PutImageCommand({ repositoryName: 'web', imageManifest: manifest, imageTag: 'v2' }),
      );

      // Assert
      const now = await describe();
      expect(now.imageDetails?.[0]).toMatchObject({ imageDigest: digest, imageStatus: 'ACTIVE' });
      expect(now.imageDetails?.[0]?.imageTags).toEqual(['v1', 'v2']);
    });

    test('a storage class change other than ACTIVE to ARCHIVE or ARCHIVED to STANDARD is not supported', async () => {
      // Arrange
      const { env, digest, restore } = await archivedImage();
      const other = env.ecr.putImage({ repository: 'web', tags: ['v9'] });
      const change = (imageDigest: string, targetStorageClass: 'ARCHIVE' | 'STANDARD') =>
        env.ecrClient.send(
          new UpdateImageStorageClassCommand({
            repositoryName: 'web',
            imageId: { imageDigest },
            targetStorageClass,
          }),
        );

      // Act
      const archiveAgain = change(digest, 'ARCHIVE');
      const standardActive = change(other, 'STANDARD');
      await restore();
      const whileActivating = change(digest, 'STANDARD');

      // Assert
      for (const refused of [archiveAgain, standardActive, whileActivating]) {
        await expect(refused).rejects.toMatchObject({
          name: 'ImageStorageClassUpdateNotSupportedException',
        });
      }
    });
  });

  test('unknown repositories are RepositoryNotFoundException; snapshot round-trips', async () => {
    const env = containerSandbox();
    env.ecr.putImage({ repository: 'web', tags: ['v1'] });
    await expect(
      env.ecrClient.send(new DescribeImagesCommand({ repositoryName: 'nope' })),
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    const copy = new EcrService(clockedContext());
    copy.restore(JSON.parse(JSON.stringify(env.ecr.snapshot())));
    expect(copy.snapshot()).toEqual(env.ecr.snapshot());
    expect(copy.imagePullable(`${REGISTRY}/web:v1`, undefined)).toBe(true);
  });
});
