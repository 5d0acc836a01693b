/**
 * Quarantine of a digest that is already archived (docs/aws-behaviours.md, "ECR archive"): DescribeImages
 * answers for ACTIVE images only unless asked for ANY, so the workflow must ask, or it reads the archived
 * digest as missing.
 */
import { Simulator } from '../../local/engine';
import { inspectorEvent } from '../../local/fixtures/events';

const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('quarantining an already-archived digest is recognised as already archived, not as a missing image', async () => {
  // Arrange
  const sim = new Simulator({
    clock: () => Date.UTC(2026, 10, 28, 10, 20),
    scenario: { repositories: [{ name: REPOSITORY, images: [{ tags: ['v1.4.1'], digest: DIGEST }] }] },
  });
  await sim.account.call('ecr', 'UpdateImageStorageClass', {
    repositoryName: REPOSITORY,
    imageId: { imageDigest: DIGEST },
    targetStorageClass: 'ARCHIVE',
  });

  // Act
  const result = await sim.processEvent(inspectorEvent({ digest: DIGEST }), 'archived');

  // Assert: enrichment finds it ARCHIVED (not missing), and nothing is archived or re-tagged again.
  expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
  const output = result.executions[0]?.output as {
    assessment: { enrichment: unknown; plan: { disposition: string; reasons: string[] } };
  };
  expect(output.assessment.enrichment).toMatchObject({ found: true, imageStatus: 'ARCHIVED' });
  expect(output.assessment.plan.disposition).toBe('already-quarantined');
  expect(output.assessment.plan.reasons).toEqual([expect.stringContaining('is already archived')]);
  const changes = result.apiCalls.filter(
    (c) =>
      c.service === 'ecr' &&
      ['UpdateImageStorageClass', 'PutImage', 'BatchDeleteImage'].includes(c.operation),
  );
  expect(changes).toEqual([]);
});
