import 'aws-sdk-client-mock-jest';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  type ImageDetail,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ImageQuarantineStrategy } from '../../definitions/config';
import {
  type QuarantineDeps,
  type QuarantineRecord,
  type QuarantineRequest,
  quarantineImages,
  quarantineTagForDigest,
} from '../../lambdas/actions/image-quarantine';
import type { QuarantineTarget } from '../../lambdas/core/policy';
import { fakeBucket } from '../helpers/s3';

const ecrMock = mockClient(ECRClient);
const s3Mock = mockClient(S3Client);

const REGISTRY = '111122223333';
const BUCKET = 'evidence';
const DIGEST = `sha256:${'1234abcd'.repeat(8)}`;
const OTHER_DIGEST = `sha256:${'9876fedc'.repeat(8)}`;
const QTAG = `quarantine-inc000000001-${'1234abcd'.repeat(2).slice(0, 12)}`;
const MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';

const deps: QuarantineDeps = {
  ecr: new ECRClient({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  evidenceBucket: BUCKET,
};

const target: QuarantineTarget = {
  containerName: 'app',
  registryId: REGISTRY,
  region: 'us-east-1',
  repository: 'team/payments-api',
  digest: DIGEST,
  tag: 'v1.4.2',
};

function request(strategy: ImageQuarantineStrategy = 'both', targets = [target]): QuarantineRequest {
  return { incidentId: 'INC000000001', strategy, quarantineTag: 'quarantine-inc000000001', targets };
}

let order: string[];

function image(detail: Partial<ImageDetail> = {}): void {
  ecrMock.on(DescribeImagesCommand).resolves({
    imageDetails: [
      {
        registryId: REGISTRY,
        repositoryName: target.repository,
        imageDigest: DIGEST,
        imageTags: ['v1.4.2', 'latest'],
        imageStatus: 'ACTIVE',
        ...detail,
      },
    ],
  });
}

beforeEach(() => {
  ecrMock.reset();
  s3Mock.reset();
  order = [];
  const record =
    (name: string) =>
    (input: object): object => {
      order.push(name);
      return name === 'BatchDeleteImage' ? { imageIds: [], failures: [] } : { input };
    };
  s3Mock.on(PutObjectCommand).callsFake(record('PutObject'));
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [{ repositoryName: target.repository, imageTagMutability: 'MUTABLE' }],
  });
  ecrMock.on(BatchGetImageCommand).resolves({
    images: [
      { imageManifest: MANIFEST, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ],
  });
  ecrMock.on(PutImageCommand).callsFake(record('PutImage'));
  ecrMock.on(BatchDeleteImageCommand).callsFake(record('BatchDeleteImage'));
  ecrMock.on(UpdateImageStorageClassCommand).callsFake(record('UpdateImageStorageClass'));
});

function evidence(): QuarantineRecord {
  const body = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.Body;
  return JSON.parse(typeof body === 'string' ? body : '{}') as QuarantineRecord;
}

describe('quarantineImages', () => {
  it('writes evidence, adds the quarantine tag before deleting the old tags, then archives', async () => {
    image();

    const result = await quarantineImages(deps, request('both'));

    expect(order).toEqual(['PutObject', 'PutImage', 'BatchDeleteImage', 'UpdateImageStorageClass']);
    expect(result).toEqual({
      status: 'done',
      images: [
        {
          repository: 'team/payments-api',
          registryId: REGISTRY,
          digest: DIGEST,
          status: 'done',
          movedTags: [
            { from: 'v1.4.2', to: QTAG },
            { from: 'latest', to: QTAG },
          ],
          archived: true,
        },
      ],
    });
    expect(ecrMock).toHaveReceivedCommandWith(PutImageCommand, {
      registryId: REGISTRY,
      repositoryName: 'team/payments-api',
      imageManifest: MANIFEST,
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageTag: QTAG,
      imageDigest: DIGEST,
    });
    expect(ecrMock).toHaveReceivedCommandWith(BatchDeleteImageCommand, {
      repositoryName: 'team/payments-api',
      imageIds: [{ imageTag: 'v1.4.2' }, { imageTag: 'latest' }],
    });
    expect(ecrMock).toHaveReceivedCommandWith(UpdateImageStorageClassCommand, {
      repositoryName: 'team/payments-api',
      imageId: { imageDigest: DIGEST },
      targetStorageClass: 'ARCHIVE',
    });
  });

  it('saves what release needs: original tags, quarantine tag, status, mutability and the manifest', async () => {
    image({ imageTags: ['v1.4.2', 'quarantine-older-aaaaaaaaaaaa'] });

    await quarantineImages(deps, request('both'));

    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: `incidents/INC000000001/quarantine/team_payments-api/${DIGEST}.json`,
    });
    expect(evidence()).toEqual({
      repository: 'team/payments-api',
      registryId: REGISTRY,
      digest: DIGEST,
      originalTags: ['v1.4.2'],
      quarantineTag: QTAG,
      imageStatusBefore: 'ACTIVE',
      tagMutability: 'MUTABLE',
      manifest: MANIFEST,
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(ecrMock).toHaveReceivedCommandWith(BatchDeleteImageCommand, {
      imageIds: [{ imageTag: 'v1.4.2' }],
    });
  });

  it('looks the digest up whatever its status and reads its manifest before saving and archiving', async () => {
    // Arrange
    image();
    ecrMock.on(BatchGetImageCommand).callsFake(() => {
      order.push('BatchGetImage');
      return { images: [{ imageManifest: MANIFEST }] };
    });

    // Act
    await quarantineImages(deps, request('archive'));

    // Assert
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      imageIds: [{ imageDigest: DIGEST }],
      filter: { imageStatus: 'ANY' },
    });
    expect(order).toEqual(['BatchGetImage', 'PutObject', 'UpdateImageStorageClass']);
    expect(evidence().manifest).toBe(MANIFEST);
  });

  it.each(['ImageNotFound', 'ImageInaccessible'] as const)(
    'reads a manifest failure %s on an image archived meanwhile as already archived',
    async (failureCode) => {
      // Arrange
      ecrMock
        .on(DescribeImagesCommand)
        .resolvesOnce({
          imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2'], imageStatus: 'ACTIVE' }],
        })
        .resolves({
          imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2'], imageStatus: 'ARCHIVED' }],
        });
      ecrMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode }] });

      // Act
      const result = await quarantineImages(deps, request('both'));

      // Assert
      expect(result.images[0]).toMatchObject({ status: 'already-done', archived: true });
      expect(ecrMock).not.toHaveReceivedCommand(PutImageCommand);
      expect(ecrMock).not.toHaveReceivedCommand(UpdateImageStorageClassCommand);
    },
  );

  it('notes a refused archive instead of failing after the tags were moved', async () => {
    // Arrange
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2'], imageStatus: 'ACTIVE' }] });
    ecrMock
      .on(UpdateImageStorageClassCommand)
      .rejects(
        Object.assign(new Error('not supported'), { name: 'ImageStorageClassUpdateNotSupportedException' }),
      );

    // Act
    const result = await quarantineImages(deps, request('both'));

    // Assert
    expect(result.images[0]).toMatchObject({
      status: 'done',
      archived: false,
      movedTags: [{ from: 'v1.4.2', to: QTAG }],
      reason: expect.stringContaining('not archived (the image is ACTIVE)'),
    });
  });

  it('treats an existing quarantine tag as success (a retried step)', async () => {
    image();
    ecrMock
      .on(PutImageCommand)
      .rejects(Object.assign(new Error('tag exists'), { name: 'ImageAlreadyExistsException' }));

    const result = await quarantineImages(deps, request('both'));

    expect(result.status).toBe('done');
    expect(result.images[0]?.movedTags).toHaveLength(2);
    expect(ecrMock).toHaveReceivedCommand(BatchDeleteImageCommand);
  });

  it('does not delete old tags when adding the quarantine tag fails otherwise', async () => {
    image();
    ecrMock
      .on(PutImageCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(quarantineImages(deps, request('both'))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(ecrMock).not.toHaveReceivedCommand(BatchDeleteImageCommand);
    expect(ecrMock).not.toHaveReceivedCommand(UpdateImageStorageClassCommand);
  });

  it('refuses to retag when the manifest cannot be read, before deleting anything', async () => {
    image();
    ecrMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });

    await expect(quarantineImages(deps, request('both'))).rejects.toThrow(/manifest .* could not be read/);
    expect(ecrMock).not.toHaveReceivedCommand(BatchDeleteImageCommand);
  });

  it('still archives, with a note, when an immutable repository refuses tag deletion', async () => {
    image();
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ repositoryName: target.repository, imageTagMutability: 'IMMUTABLE' }],
    });
    ecrMock
      .on(BatchDeleteImageCommand)
      .rejects(Object.assign(new Error('tags are immutable'), { name: 'InvalidParameterException' }));

    const result = await quarantineImages(deps, request('both'));

    const [quarantined] = result.images;
    expect(quarantined).toMatchObject({ status: 'done', archived: true, movedTags: [] });
    expect(quarantined?.reason).toBe('old tags kept (InvalidParameterException: tags are immutable)');
    expect(ecrMock).toHaveReceivedCommand(UpdateImageStorageClassCommand);
    expect(evidence().tagMutability).toBe('IMMUTABLE');
  });

  it('reports tags ECR refused to delete and moves only the others', async () => {
    image();
    ecrMock.on(BatchDeleteImageCommand).resolves({
      imageIds: [{ imageTag: 'v1.4.2' }],
      failures: [{ imageId: { imageTag: 'latest' }, failureCode: 'ImageTagDoesNotMatchDigest' }],
    });

    const result = await quarantineImages(deps, request('retag'));

    expect(result.images[0]?.movedTags).toEqual([{ from: 'v1.4.2', to: QTAG }]);
    expect(result.images[0]?.reason).toBe('tags not removed: latest');
  });

  it('reports already-done for an ARCHIVED image and changes nothing', async () => {
    image({ imageStatus: 'ARCHIVED', imageTags: [QTAG] });

    const result = await quarantineImages(deps, request('both'));

    expect(result.status).toBe('already-done');
    expect(result.images[0]).toMatchObject({ status: 'already-done', archived: true, movedTags: [] });
    expect(ecrMock).not.toHaveReceivedCommand(PutImageCommand);
    expect(ecrMock).not.toHaveReceivedCommand(BatchDeleteImageCommand);
    expect(ecrMock).not.toHaveReceivedCommand(UpdateImageStorageClassCommand);
  });

  it.each(['ImageNotFoundException', 'RepositoryNotFoundException'])(
    'reports not-possible, writing nothing, on %s',
    async (name) => {
      ecrMock.on(DescribeImagesCommand).rejects(Object.assign(new Error(`${name} raised`), { name }));

      const result = await quarantineImages(deps, request('both'));

      expect(result).toEqual({
        status: 'not-possible',
        images: [
          {
            repository: 'team/payments-api',
            registryId: REGISTRY,
            digest: DIGEST,
            status: 'not-possible',
            movedTags: [],
            archived: false,
            reason: `${name} raised`,
          },
        ],
      });
      expect(s3Mock).not.toHaveReceivedAnyCommand();
      expect(ecrMock).not.toHaveReceivedCommand(PutImageCommand);
    },
  );

  it('reports not-possible when ECR describes no image', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] });

    const result = await quarantineImages(deps, request('both'));

    expect(result.status).toBe('not-possible');
    expect(result.images[0]?.reason).toBe('image not found in the repository');
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });

  it('propagates other describe errors (throttling) so the step is retried', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    await expect(quarantineImages(deps, request('both'))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });

  it('retag only moves the tags and does not archive', async () => {
    image();

    const result = await quarantineImages(deps, request('retag'));

    expect(order).toEqual(['PutObject', 'PutImage', 'BatchDeleteImage']);
    expect(result.images[0]).toMatchObject({ status: 'done', archived: false });
  });

  it('archive only archives and keeps the tags', async () => {
    image();

    const result = await quarantineImages(deps, request('archive'));

    expect(order).toEqual(['PutObject', 'UpdateImageStorageClass']);
    expect(result.images[0]).toMatchObject({ status: 'done', archived: true, movedTags: [] });
  });

  it('none does nothing at all', async () => {
    const result = await quarantineImages(deps, request('none'));

    expect(result).toEqual({ status: 'skipped', images: [] });
    expect(ecrMock).not.toHaveReceivedAnyCommand();
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });

  it('skips when there are no targets', async () => {
    expect(await quarantineImages(deps, request('both', []))).toEqual({ status: 'skipped', images: [] });
  });

  it('never quarantines by tag: without a digest the target is not possible and ECR is not called', async () => {
    image();
    const byTag: QuarantineTarget = { ...target, digest: undefined };

    const result = await quarantineImages(deps, request('archive', [byTag]));

    expect(ecrMock).not.toHaveReceivedAnyCommand();
    expect(result.images[0]).toMatchObject({ status: 'not-possible', reason: 'the image digest is unknown' });
  });

  it('gives each digest of one incident its own quarantine tag and evidence', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolvesOnce({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['a'], imageStatus: 'ACTIVE' }] })
      .resolvesOnce({
        imageDetails: [{ imageDigest: OTHER_DIGEST, imageTags: ['b'], imageStatus: 'ACTIVE' }],
      });

    const result = await quarantineImages(
      deps,
      request('retag', [target, { ...target, containerName: 'sidecar', digest: OTHER_DIGEST }]),
    );

    const tags = result.images.map((i) => i.movedTags[0]?.to);
    expect(tags).toEqual([QTAG, quarantineTagForDigest('quarantine-inc000000001', OTHER_DIGEST)]);
    expect(new Set(tags).size).toBe(2);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
  });

  it('is done overall when one image is done and another not possible', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolvesOnce({ imageDetails: [{ imageDigest: DIGEST, imageTags: [], imageStatus: 'ACTIVE' }] })
      .rejectsOnce(Object.assign(new Error('gone'), { name: 'ImageNotFoundException' }));

    const result = await quarantineImages(
      deps,
      request('archive', [target, { ...target, digest: OTHER_DIGEST }]),
    );

    expect(result.status).toBe('done');
    expect(result.images.map((i) => i.status)).toEqual(['done', 'not-possible']);
  });
});

describe('quarantineImages: a retried step', () => {
  /** A bucket that remembers objects and honours IfNoneMatch, so two attempts see each other's evidence. */

  it('keeps the original tags in the evidence when the first attempt failed after moving them', async () => {
    const objects = fakeBucket(s3Mock);
    ecrMock
      .on(DescribeImagesCommand)
      .resolvesOnce({
        imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2', 'latest'], imageStatus: 'ACTIVE' }],
      })
      .resolvesOnce({ imageDetails: [{ imageDigest: DIGEST, imageTags: [QTAG], imageStatus: 'ACTIVE' }] });
    ecrMock
      .on(UpdateImageStorageClassCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({});
    await expect(quarantineImages(deps, request('both'))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });

    await quarantineImages(deps, request('both'));

    const saved = objects.get(`incidents/INC000000001/quarantine/team_payments-api/${DIGEST}.json`);
    expect(JSON.parse(saved ?? '{}')).toMatchObject({ originalTags: ['v1.4.2', 'latest'] });
  });
});

describe('quarantineTagForDigest', () => {
  it('suffixes the first 12 hex digits of the digest', () => {
    expect(quarantineTagForDigest('quarantine-abc', DIGEST)).toBe('quarantine-abc-1234abcd1234');
  });
});
