/**
 * Sandbox Inspector: findings keyed by ARN, listed through ListFindings filter criteria, sort criteria and
 * pagination; scan coverage of ECR images through ListCoverage. Findings are stored as the API sends them
 * and returned in the SDK shape (timestamps as Dates). As Inspector does, the ACTIVE findings of an ECR
 * image that is no longer scanned (archived) read CLOSED, and its coverage reads INACTIVE with reason
 * IMAGE_ARCHIVED: Inspector closes the findings of a resource no longer eligible for scanning, and does
 * not scan archived images (inspector2 model, `ScanStatusReason`).
 */
import { CoveredResource$, Finding$ } from '@aws-sdk/client-inspector2';
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

/** `SortField` values the sandbox sorts by, and where each is in a finding. */
const SORT_FIELDS: Record<string, { path: string; toValue: (v: unknown) => number }> = {
  FIRST_OBSERVED_AT: { path: 'firstObservedAt', toValue: epochMs },
  LAST_OBSERVED_AT: { path: 'lastObservedAt', toValue: epochMs },
  INSPECTOR_SCORE: { path: 'inspectorScore', toValue: Number },
  EPSS_SCORE: { path: 'epss.score', toValue: Number },
};

function sortFindings(findings: InspectorFinding[], raw: unknown): InspectorFinding[] {
  if (raw === undefined) return findings;
  const criteria = isRecord(raw) ? raw : {};
  const order = criteria.sortOrder;
  if (order !== 'ASC' && order !== 'DESC') throw validation('sortCriteria.sortOrder must be ASC or DESC');
  const field = typeof criteria.field === 'string' ? SORT_FIELDS[criteria.field] : undefined;
  if (!field) {
    throw validation(`The Inspector sandbox does not sort by ${String(criteria.field)}`);
  }
  const key = (f: InspectorFinding) => {
    const value = field.toValue(valuesAtPath(f, field.path.split('.'))[0]);
    // Findings without the field sort last either way.
    return Number.isNaN(value) ? undefined : value;
  };
  const direction = order === 'DESC' ? -1 : 1;
  return [...findings].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0);
    return (x - y) * direction;
  });
}

/** An ECR image's scan status as `ListCoverage` reports it (`CoveredResource.scanStatus`, `lastScannedAt`). */
export interface ImageCoverage {
  readonly statusCode: 'ACTIVE' | 'INACTIVE';
  /** `ScanStatusReason`: `SUCCESSFUL`, `PENDING_INITIAL_SCAN`, `SCAN_IN_PROGRESS`, … */
  readonly reason: string;
  readonly lastScannedAt?: string;
}

/** Coverage criteria the sandbox applies, and where each is in a covered resource (CoverageStringFilter). */
const COVERAGE_FIELDS: Record<string, string> = {
  resourceType: 'resourceType',
  resourceId: 'resourceId',
  accountId: 'accountId',
  scanType: 'scanType',
  scanStatusCode: 'scanStatus.statusCode',
  scanStatusReason: 'scanStatus.reason',
  ecrRepositoryName: 'resourceMetadata.ecrRepository.name',
};

function matchesCoverage(resource: Record<string, unknown>, criteria: Record<string, unknown>): boolean {
  for (const [field, rawFilters] of Object.entries(criteria)) {
    if (rawFilters === undefined) continue;
    const path = COVERAGE_FIELDS[field];
    if (path === undefined) {
      throw validation(`The Inspector sandbox does not support the coverage criterion ${field}`);
    }
    if (!Array.isArray(rawFilters))
      throw validation(`Invalid filterCriteria.${field}: expected a list of filters`);
    for (const raw of rawFilters) {
      // CoverageStringComparison is EQUALS or NOT_EQUALS only.
      if (isRecord(raw) && raw.comparison !== 'EQUALS' && raw.comparison !== 'NOT_EQUALS') {
        throw validation(`Invalid filterCriteria.${field}: comparison must be EQUALS or NOT_EQUALS`);
      }
    }
    if (!matchesStrings(valuesAtPath(resource, path.split('.')), rawFilters, field)) return false;
  }
  return true;
}

function pageToken(token: unknown, length: number): number {
  if (token === undefined) return 0;
  const decoded = typeof token === 'string' ? Buffer.from(token, 'base64').toString('utf8') : '';
  const start = /^offset:\d+$/.test(decoded) ? Number(decoded.slice('offset:'.length)) : Number.NaN;
  if (!Number.isInteger(start) || start > length) throw validation('Invalid nextToken');
  return start;
}

function maxResultsOf(input: Input, fallback: number, max: number): number {
  const maxResults = input.maxResults ?? fallback;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw validation(`maxResults must be between 1 and ${max}`);
  }
  return maxResults;
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
  private readonly coverageSchema = NormalizedSchema.of(CoveredResource$);
  /** Scan coverage of ECR images, keyed `repository/digest`. */
  private readonly coverage = new Map<string, { repository: string; digest: string; scan: ImageCoverage }>();

  constructor(
    private readonly ctx: AccountContext,
    private readonly links: Inspector2Links = {},
  ) {
    this.operations = {
      ListFindings: (input) => this.listFindings(input),
      ListCoverage: (input) => this.listCoverage(input),
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

  /** Records Inspector's scan status of an ECR image (what ListCoverage reports for it). */
  putCoverage(repository: string, digest: string, scan: ImageCoverage): void {
    this.coverage.set(`${repository}/${digest}`, { repository, digest, scan: { ...scan } });
  }

  snapshot(): unknown {
    // Dates inside findings become ISO strings, which the SDK-shape conversion reads back as Dates.
    return {
      findings: JSON.parse(JSON.stringify([...this.findings.values()])),
      coverage: [...this.coverage.values()],
    };
  }

  restore(state: unknown): void {
    this.findings.clear();
    this.coverage.clear();
    const findings = isRecord(state) && Array.isArray(state.findings) ? state.findings : [];
    for (const finding of findings) if (isRecord(finding)) this.putFinding(finding);
    const coverage = isRecord(state) && Array.isArray(state.coverage) ? state.coverage : [];
    for (const c of coverage) {
      if (
        isRecord(c) &&
        typeof c.repository === 'string' &&
        typeof c.digest === 'string' &&
        isRecord(c.scan)
      ) {
        const { statusCode, reason, lastScannedAt } = c.scan;
        if ((statusCode === 'ACTIVE' || statusCode === 'INACTIVE') && typeof reason === 'string') {
          this.putCoverage(c.repository, c.digest, {
            statusCode,
            reason,
            ...(typeof lastScannedAt === 'string' ? { lastScannedAt } : {}),
          });
        }
      }
    }
  }

  /**
   * A covered ECR image in the API's shape. Its resource id is the image ARN, as in a finding's
   * `resources[].id` (assumed: the coverage page does not show the format). An image ECR holds archived
   * reads INACTIVE/IMAGE_ARCHIVED whatever was recorded.
   */
  private coveredResource(entry: { repository: string; digest: string; scan: ImageCoverage }) {
    const { accountId, region, partition } = this.ctx;
    const ecr = this.links.ecrImage?.(entry.repository, entry.digest);
    const scan: ImageCoverage =
      ecr !== undefined && ecr.status !== 'ACTIVE'
        ? {
            statusCode: 'INACTIVE',
            reason: 'IMAGE_ARCHIVED',
            ...(entry.scan.lastScannedAt ? { lastScannedAt: entry.scan.lastScannedAt } : {}),
          }
        : entry.scan;
    return {
      resourceType: 'AWS_ECR_CONTAINER_IMAGE',
      resourceId: `arn:${partition}:ecr:${region}:${accountId}:repository/${entry.repository}/${entry.digest}`,
      accountId,
      scanType: 'PACKAGE',
      scanStatus: { statusCode: scan.statusCode, reason: scan.reason },
      resourceMetadata: { ecrRepository: { name: entry.repository }, ecrImage: {} },
      ...(scan.lastScannedAt ? { lastScannedAt: scan.lastScannedAt } : {}),
    };
  }

  private listCoverage(input: Input): unknown {
    const maxResults = maxResultsOf(input, 200, 200);
    const criteria = input.filterCriteria === undefined ? {} : input.filterCriteria;
    if (!isRecord(criteria)) throw validation('filterCriteria must be an object');
    const matching = [...this.coverage.values()]
      .map((entry) => this.coveredResource(entry))
      .filter((resource) => matchesCoverage(resource, criteria));
    const start = pageToken(input.nextToken, matching.length);
    const end = start + maxResults;
    return {
      coveredResources: matching.slice(start, end).map((r) => wireToSdk(this.coverageSchema, r)),
      ...(end < matching.length ? { nextToken: Buffer.from(`offset:${end}`).toString('base64') } : {}),
    };
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
    const maxResults = maxResultsOf(input, 50, 100);
    const criteria = input.filterCriteria === undefined ? {} : input.filterCriteria;
    if (!isRecord(criteria)) throw validation('filterCriteria must be an object');
    const matching = sortFindings(
      [...this.findings.values()]
        .map((finding) => this.asInspectorSeesIt(finding))
        .filter((finding) => matches(finding, criteria)),
      input.sortCriteria,
    );
    const start = pageToken(input.nextToken, matching.length);
    const end = start + maxResults;
    return {
      findings: matching.slice(start, end).map((f) => wireToSdk(this.findingSchema, structuredClone(f))),
      ...(end < matching.length ? { nextToken: Buffer.from(`offset:${end}`).toString('base64') } : {}),
    };
  }
}
