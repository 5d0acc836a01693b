/**
 * Sandbox Inspector: findings keyed by ARN, listed through ListFindings filter criteria and pagination.
 * Findings are stored as the API sends them and returned in the SDK shape (timestamps as Dates). As
 * Inspector does, the ACTIVE findings of an ECR image that is no longer scanned (archived) read CLOSED:
 * Inspector closes the findings of a resource no longer eligible for scanning, and does not scan archived
 * images (coverage scan status reason IMAGE_ARCHIVED in the inspector2 model).
 */
import { Finding$ } from '@aws-sdk/client-inspector2';
import { NormalizedSchema } from '@smithy/core/schema';
import { valuesAtPath, wireToSdk } from './guardduty';
import { isRecord } from './shared';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

type Input = Record<string, unknown>;
export type InspectorFinding = Record<string, unknown>;

const ECR_IMAGE = 'resources.details.awsEcrContainerImage';

/** Where each supported string criterion looks in a finding. */
const STRING_FIELDS: Record<string, string> = {
  findingArn: 'findingArn',
  awsAccountId: 'awsAccountId',
  findingType: 'type',
  severity: 'severity',
  findingStatus: 'status',
  title: 'title',
  resourceType: 'resources.type',
  resourceId: 'resources.id',
  ecrImageRegistry: `${ECR_IMAGE}.registry`,
  ecrImageRepositoryName: `${ECR_IMAGE}.repositoryName`,
  ecrImageHash: `${ECR_IMAGE}.imageHash`,
  ecrImageTags: `${ECR_IMAGE}.imageTags`,
  ecrImageArchitecture: `${ECR_IMAGE}.architecture`,
  vulnerabilityId: 'packageVulnerabilityDetails.vulnerabilityId',
  vulnerabilitySource: 'packageVulnerabilityDetails.source',
  vendorSeverity: 'packageVulnerabilityDetails.vendorSeverity',
  fixAvailable: 'fixAvailable',
  exploitAvailable: 'exploitAvailable',
};
const DATE_FIELDS = new Set(['firstObservedAt', 'lastObservedAt', 'updatedAt']);
const NUMBER_FIELDS: Record<string, string> = { inspectorScore: 'inspectorScore', epssScore: 'epss.score' };

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

function epochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/** Filters on one field: EQUALS and PREFIX alternatives are ORed, NOT_EQUALS ones must all hold. */
function matchesStrings(values: unknown[], filters: unknown[], field: string): boolean {
  const texts = values.map(String);
  let positive = false;
  let positiveMatched = false;
  for (const raw of filters) {
    const filter = isRecord(raw) ? raw : {};
    const value = filter.value;
    if (typeof value !== 'string') throw validation(`Invalid filterCriteria.${field}: value is required`);
    switch (filter.comparison) {
      case 'EQUALS':
        positive = true;
        positiveMatched ||= texts.includes(value);
        break;
      case 'PREFIX':
        positive = true;
        positiveMatched ||= texts.some((t) => t.startsWith(value));
        break;
      case 'NOT_EQUALS':
        if (texts.includes(value)) return false;
        break;
      default:
        throw validation(`Invalid filterCriteria.${field}: comparison must be EQUALS, PREFIX or NOT_EQUALS`);
    }
  }
  return !positive || positiveMatched;
}

function matchesRanges(
  values: number[],
  filters: unknown[],
  low: string,
  high: string,
  toNumber: (v: unknown) => number,
) {
  return filters.some((raw) => {
    const filter = isRecord(raw) ? raw : {};
    const from = filter[low] === undefined ? Number.NEGATIVE_INFINITY : toNumber(filter[low]);
    const to = filter[high] === undefined ? Number.POSITIVE_INFINITY : toNumber(filter[high]);
    return values.some((v) => v >= from && v <= to);
  });
}

function matches(finding: InspectorFinding, criteria: Record<string, unknown>): boolean {
  for (const [field, rawFilters] of Object.entries(criteria)) {
    if (rawFilters === undefined) continue;
    if (!Array.isArray(rawFilters))
      throw validation(`Invalid filterCriteria.${field}: expected a list of filters`);
    if (rawFilters.length === 0) continue;
    const stringPath = STRING_FIELDS[field];
    const numberPath = NUMBER_FIELDS[field];
    if (stringPath !== undefined) {
      if (!matchesStrings(valuesAtPath(finding, stringPath.split('.')), rawFilters, field)) return false;
    } else if (DATE_FIELDS.has(field)) {
      const times = valuesAtPath(finding, [field]).map(epochMs);
      if (!matchesRanges(times, rawFilters, 'startInclusive', 'endInclusive', epochMs)) return false;
    } else if (numberPath !== undefined) {
      const numbers = valuesAtPath(finding, numberPath.split('.')).map(Number);
      if (!matchesRanges(numbers, rawFilters, 'lowerInclusive', 'upperInclusive', Number)) return false;
    } else {
      // Better to refuse than to ignore a filter and return findings AWS would not.
      throw validation(`The Inspector sandbox does not support the filter criterion ${field}`);
    }
  }
  return true;
}

export interface Inspector2Links {
  /** An image of this account's ECR (`status` ACTIVE, ARCHIVED…), undefined when ECR does not hold it. */
  readonly ecrImage?: (
    repository: string,
    digest: string,
  ) => { readonly status: string; readonly lastArchivedAt?: string } | undefined;
}

export class Inspector2Service implements SandboxService {
  readonly name = 'inspector2' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly findings = new Map<string, InspectorFinding>();
  private readonly findingSchema = NormalizedSchema.of(Finding$);

  constructor(
    private readonly ctx: AccountContext,
    private readonly links: Inspector2Links = {},
  ) {
    this.operations = {
      ListFindings: (input) => this.listFindings(input),
    };
  }

  /** Stores a finding in the API shape; `findingArn` is its identity. */
  putFinding(finding: InspectorFinding): void {
    const arn = finding.findingArn;
    if (typeof arn !== 'string' || arn.length === 0)
      throw new Error('Inspector sandbox: a finding needs a findingArn');
    this.findings.set(
      arn,
      structuredClone({ awsAccountId: this.ctx.accountId, status: 'ACTIVE', ...finding }),
    );
  }

  snapshot(): unknown {
    // Dates inside findings become ISO strings, which the SDK-shape conversion reads back as Dates.
    return { findings: JSON.parse(JSON.stringify([...this.findings.values()])) };
  }

  restore(state: unknown): void {
    this.findings.clear();
    const findings = isRecord(state) && Array.isArray(state.findings) ? state.findings : [];
    for (const finding of findings) if (isRecord(finding)) this.putFinding(finding);
  }

  /** CLOSED when the finding is ACTIVE on an ECR image that ECR holds but no longer ACTIVE (archived). */
  private asInspectorSeesIt(finding: InspectorFinding): InspectorFinding {
    if (finding.status !== 'ACTIVE' || !this.links.ecrImage) return finding;
    const image = valuesAtPath(finding, ECR_IMAGE.split('.'))[0];
    if (!isRecord(image)) return finding;
    const { repositoryName, imageHash } = image;
    if (typeof repositoryName !== 'string' || typeof imageHash !== 'string') return finding;
    const ecr = this.links.ecrImage(repositoryName, imageHash);
    if (ecr === undefined || ecr.status === 'ACTIVE') return finding;
    return { ...finding, status: 'CLOSED', updatedAt: ecr.lastArchivedAt ?? finding.updatedAt };
  }

  private listFindings(input: Input): unknown {
    const maxResults = input.maxResults ?? 50;
    if (
      typeof maxResults !== 'number' ||
      !Number.isInteger(maxResults) ||
      maxResults < 1 ||
      maxResults > 100
    ) {
      throw validation('maxResults must be between 1 and 100');
    }
    const criteria = input.filterCriteria === undefined ? {} : input.filterCriteria;
    if (!isRecord(criteria)) throw validation('filterCriteria must be an object');
    const matching = [...this.findings.values()]
      .map((finding) => this.asInspectorSeesIt(finding))
      .filter((finding) => matches(finding, criteria));
    const token = input.nextToken;
    let start = 0;
    if (token !== undefined) {
      const decoded = typeof token === 'string' ? Buffer.from(token, 'base64').toString('utf8') : '';
      start = /^offset:\d+$/.test(decoded) ? Number(decoded.slice('offset:'.length)) : Number.NaN;
      if (!Number.isInteger(start) || start > matching.length) throw validation('Invalid nextToken');
    }
    const end = start + maxResults;
    return {
      findings: matching.slice(start, end).map((f) => wireToSdk(this.findingSchema, structuredClone(f))),
      ...(end < matching.length ? { nextToken: Buffer.from(`offset:${end}`).toString('base64') } : {}),
    };
  }
}
