/**
 * Issue 13: the sandbox Inspector closes the findings of an archived ECR image, as Inspector does (it closes
 * the findings of a resource no longer eligible for scanning and does not scan archived images).
 */
import { SandboxAccount } from '../../local/sandbox/account';

const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ARCHIVED_AT = Date.UTC(2026, 10, 28, 10, 20);

function findingOn(digest: string, id: string): Record<string, unknown> {
  return {
    findingArn: `arn:aws:inspector2:us-east-1:111122223333:finding/${id}`,
    type: 'PACKAGE_VULNERABILITY',
    severity: 'CRITICAL',
    updatedAt: '2026-11-28T10:00:00.000Z',
    resources: [
      {
        type: 'AWS_ECR_CONTAINER_IMAGE',
        id: `arn:aws:ecr:us-east-1:111122223333:repository/${REPOSITORY}/${digest}`,
        details: { awsEcrContainerImage: { repositoryName: REPOSITORY, imageHash: digest } },
      },
    ],
  };
}

async function statuses(account: SandboxAccount): Promise<Record<string, string>> {
  const out = (await account.call('inspector2', 'ListFindings', {})) as {
    findings: { findingArn: string; status: string }[];
  };
  return Object.fromEntries(out.findings.map((f) => [f.findingArn.split('/').at(-1) ?? '', f.status]));
}

describe('sandbox Inspector: findings of an archived image', () => {
  it('reads the ACTIVE findings of an image archived in ECR as CLOSED, from the archive time', async () => {
    const account = new SandboxAccount({ clock: () => ARCHIVED_AT });
    account.ecr.putImage({ repository: REPOSITORY, tags: ['v1'], digest: DIGEST });
    const other = account.ecr.putImage({ repository: REPOSITORY, tags: ['v2'] });
    account.inspector2.putFinding(findingOn(DIGEST, 'archived'));
    account.inspector2.putFinding(findingOn(other, 'active'));
    account.inspector2.putFinding(findingOn(`sha256:${'cd'.repeat(32)}`, 'unknown-to-ecr'));
    expect(await statuses(account)).toEqual({
      archived: 'ACTIVE',
      active: 'ACTIVE',
      'unknown-to-ecr': 'ACTIVE',
    });

    await account.call('ecr', 'UpdateImageStorageClass', {
      repositoryName: REPOSITORY,
      imageId: { imageDigest: DIGEST },
      targetStorageClass: 'ARCHIVE',
    });

    expect(await statuses(account)).toEqual({
      archived: 'CLOSED',
      active: 'ACTIVE',
      'unknown-to-ecr': 'ACTIVE',
    });
    const closed = (await account.call('inspector2', 'ListFindings', {
      filterCriteria: { findingStatus: [{ comparison: 'EQUALS', value: 'CLOSED' }] },
    })) as { findings: { findingArn: string; updatedAt: Date }[] };
    expect(closed.findings.map((f) => f.findingArn.split('/').at(-1))).toEqual(['archived']);
    expect(closed.findings[0]?.updatedAt.getTime()).toBe(ARCHIVED_AT);
  });
});
