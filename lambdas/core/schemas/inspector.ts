/**
 * The EventBridge `Inspector2 Finding` event of an ECR image finding, in valibot. The normalizer
 * (lambdas/core/vulnerability.ts) reads it in stages, in the order its checks have always reported: the
 * envelope and finding, the ECR image resource, the image's identity, then (once the accounts are known
 * to be ours) the vulnerability details. Enumerations Inspector added over time are read leniently.
 */
import * as v from 'valibot';
import { INSPECTOR_SEVERITIES } from '../../../definitions/config';
import { isObject } from '../read';
import { describe, exactly, freeText, got, MAX_LIST, numberIn, raw, record, text } from './fields';

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PARTITION = /^aws(-cn|-us-gov|-iso[a-z-]*)?$/;
// The finding id part is free-form (the AWS docs samples carry `{{FINDING_ID}}`): only the prefix is checked.
const FINDING_ARN = /^arn:([a-z-]+):inspector2:([a-z0-9-]+):(\d{12}):finding\/\S+$/;
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// Real digests are 64 lowercase hex; documentation samples end in `EXAMPLE`. The alphabet is what keeps
// the digest safe in keys and ids, and ECR answers ImageNotFound for a made-up one.
const DIGEST = /^sha256:[A-Za-z0-9]{32,64}$/;
const STATUSES = ['ACTIVE', 'SUPPRESSED', 'CLOSED'] as const;
export const ECR_IMAGE = 'AWS_ECR_CONTAINER_IMAGE';

/** Partition, region and account of a finding ARN (already matched by FINDING_ARN). */
function arnParts(arn: string): { arn: string; partition: string; region: string; account: string } {
  const [, partition = '', region = '', account = ''] = FINDING_ARN.exec(arn) ?? [];
  return { arn, partition, region, account };
}

const FindingArnSchema = v.pipe(
  text(FINDING_ARN),
  v.transform(arnParts),
  v.check(
    ({ partition }) => PARTITION.test(partition),
    (issue) => `${describe(arnParts(String(issue.input?.arn)).partition)} is not a valid value`,
  ),
  v.check(
    ({ region }) => REGION.test(region),
    (issue) => `${describe(arnParts(String(issue.input?.arn)).region)} is not a valid value`,
  ),
);

const oneOf = <const T extends string>(allowed: readonly T[]) =>
  v.pipe(text(), v.picklist(allowed, got(`expected one of ${allowed.join(', ')}`)));

/** Enumerations Inspector added over time: an absent or new value is UNKNOWN rather than a rejection. */
const flag = <const T extends string>(known: readonly T[]) =>
  v.optional(
    v.pipe(
      v.unknown(),
      v.transform((value): T | 'UNKNOWN' => known.find((k) => k === value) ?? 'UNKNOWN'),
    ),
    'UNKNOWN',
  );

/** The finding's account defaults to the event's. */
function withEnvelopeDefaults(event: Record<string, unknown>): Record<string, unknown> {
  const { detail } = event;
  if (!isObject(detail)) return event;
  return { ...event, detail: { ...detail, awsAccountId: detail.awsAccountId ?? event.account } };
}

/** The envelope and the finding: what it is, where, and how severe. */
export const InspectorEventSchema = v.pipe(
  record({}),
  v.transform(withEnvelopeDefaults),
  record({
    source: exactly('aws.inspector2'),
    'detail-type': exactly('Inspector2 Finding'),
    account: text(ACCOUNT),
    id: raw,
    time: raw,
    detail: record({
      findingArn: FindingArnSchema,
      awsAccountId: text(ACCOUNT),
      severity: oneOf(INSPECTOR_SEVERITIES),
      status: oneOf(STATUSES),
      resources: v.custom<unknown[]>(Array.isArray, got('expected an array')),
      title: freeText,
      description: freeText,
      exploitAvailable: flag(['YES', 'NO']),
      fixAvailable: flag(['YES', 'NO', 'PARTIAL']),
      firstObservedAt: raw,
      lastObservedAt: raw,
      updatedAt: raw,
    }),
  }),
);

/** Whether a resource of the finding is an ECR image (Lambda, EC2 and code repositories are not ours). */
export const EcrResourceTypeSchema = record({ type: v.literal(ECR_IMAGE) });

const imageTags = v.optional(
  v.pipe(
    v.unknown(),
    v.transform((value) =>
      Array.isArray(value)
        ? value
            .filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= 300)
            .slice(0, MAX_LIST)
        : [],
    ),
  ),
  [],
);

const count = v.optional(
  v.pipe(
    v.unknown(),
    v.transform((value) => {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
    }),
  ),
);

/** The ECR image resource; its identity fields fall back to the resource id (ImageIdentitySchema). */
export const EcrResourceSchema = record({
  id: raw,
  details: record({
    awsEcrContainerImage: record({
      repositoryName: raw,
      registry: raw,
      imageHash: raw,
      imageTags,
      pushedAt: raw,
      lastInUseAt: raw,
      inUseCount: count,
    }),
  }),
});

export const ImageIdentitySchema = record({
  repositoryName: text(REPOSITORY),
  registry: text(ACCOUNT),
  imageHash: text(DIGEST),
});

/** Packages are clipped to MAX_LIST rather than rejected. */
const packages = v.nullish(
  v.pipe(
    v.custom<unknown[]>(Array.isArray, got('expected an array')),
    v.transform((list) => list.slice(0, MAX_LIST)),
    v.array(record({ name: text(), version: freeText, fixedInVersion: freeText, packageManager: freeText })),
  ),
  [],
);

/** The vulnerability, its packages and scores: both objects are checked before any of their fields. */
export const VulnerabilityDetailsSchema = v.pipe(
  record({ packageVulnerabilityDetails: v.nullish(record({})), epss: v.nullish(record({})) }),
  record({
    packageVulnerabilityDetails: v.nullish(
      record({ vulnerabilityId: freeText, sourceUrl: freeText, vulnerablePackages: packages }),
    ),
    inspectorScore: v.nullish(numberIn(0, 10)),
    epss: v.nullish(record({ score: v.nullish(numberIn(0, 1)) })),
  }),
);
