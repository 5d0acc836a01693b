/** Inspector event fixtures (written from the Inspector Finding schema, not copied from any sample) shared by the vulnerability tests. */
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../../lambdas/core/vulnerability';

// Fixtures are written from the Inspector Finding schema (not copied from any sample).

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';
export const REGION = 'eu-west-1';
export const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
export const REPO = 'team/payments-api';
export const IMAGE_ID = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPO}/${DIGEST}`;
export const FINDING_ARN = `arn:aws:inspector2:${REGION}:${ACCOUNT}:finding/8d1c7b0e5f2a4c6d9e0f1a2b3c4d5e6f`;
export const EVENT_TIME = '2025-03-01T12:00:00Z';
export const NOW = Date.UTC(2025, 2, 2, 8, 30);

export type Json = Record<string, unknown>;

export function ecrResource(overrides: Json = {}, image: Json = {}): Json {
  return {
    type: 'AWS_ECR_CONTAINER_IMAGE',
    id: IMAGE_ID,
    partition: 'aws',
    region: REGION,
    details: {
      awsEcrContainerImage: {
        repositoryName: REPO,
        registry: ACCOUNT,
        imageHash: DIGEST,
        imageTags: ['v1.4.2', 'latest'],
        pushedAt: '2025-02-20T09:15:00Z',
        architecture: 'amd64',
        platform: 'ALPINE_LINUX_3_19',
        ...image,
      },
    },
    ...overrides,
  };
}

export function detail(overrides: Json = {}): Json {
  return {
    awsAccountId: ACCOUNT,
    findingArn: FINDING_ARN,
    type: 'PACKAGE_VULNERABILITY',
    severity: 'HIGH',
    status: 'ACTIVE',
    title: 'CVE-2025-0001 - zlib, busybox',
    description: 'A heap overflow in inflate lets a crafted stream corrupt memory.',
    firstObservedAt: '2025-02-20T09:20:00Z',
    lastObservedAt: '2025-03-01T11:59:00Z',
    updatedAt: '2025-03-01T11:59:30Z',
    inspectorScore: 8.1,
    epss: { score: 0.25 },
    exploitAvailable: 'YES',
    fixAvailable: 'PARTIAL',
    packageVulnerabilityDetails: {
      vulnerabilityId: 'CVE-2025-0001',
      source: 'NVD',
      sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2025-0001',
      vulnerablePackages: [
        { name: 'zlib', version: '1.3', fixedInVersion: '1.3.1-r0', packageManager: 'OS', arch: 'X86_64' },
        { name: 'busybox', version: '1.36.1', fixedInVersion: 'NotAvailable', packageManager: 'OS' },
      ],
    },
    resources: [ecrResource()],
    ...overrides,
  };
}

export function envelope(detailOverrides: Json = {}, envelopeOverrides: Json = {}): Json {
  return {
    version: '0',
    id: '7f0e9d8c-1b2a-4c3d-8e9f-0a1b2c3d4e5f',
    'detail-type': 'Inspector2 Finding',
    source: 'aws.inspector2',
    account: ACCOUNT,
    time: EVENT_TIME,
    region: REGION,
    resources: [IMAGE_ID],
    detail: detail(detailOverrides),
    ...envelopeOverrides,
  };
}

export const normalize = (event: unknown, allowedAccounts?: readonly string[]): VulnerabilityFinding =>
  normalizeVulnerabilityFinding(event, { now: () => NOW, ...(allowedAccounts ? { allowedAccounts } : {}) });

export function rejection(event: unknown): unknown {
  try {
    normalize(event);
  } catch (error) {
    return error;
  }
  throw new Error('expected the event to be rejected');
}
