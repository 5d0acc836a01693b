/**
 * Sandbox GuardDuty: detectors holding findings. Findings are stored in the API's wire (camelCase) shape,
 * as they appear in EventBridge events, and handed to callers in the SDK v3 output shape (PascalCase
 * members, Date timestamps) by walking the SDK's own schema, so nothing is lost or renamed by hand.
 * `ListFindings` accepts only the criteria attributes the API documents and compares `updatedAt` (epoch
 * milliseconds in the criterion, ISO text in the finding) as a time.
 */
import { Finding$ } from '@aws-sdk/client-guardduty';
import { NormalizedSchema } from '@smithy/core/schema';
import { isRecord } from './shared';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

type Input = Record<string, unknown>;
export type WireFinding = Record<string, unknown>;

/** A structure or map value: Dates (timestamps already in the SDK shape) are objects too, but never these. */
function isStructure(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !(value instanceof Date);
}

/**
 * Converts a value in a service's JSON wire shape to the SDK's output shape for `schema`: members are
 * renamed from their jsonName, timestamps become Dates and blobs bytes. Values already in the SDK shape
 * pass through unchanged.
 */
export function wireToSdk(schema: NormalizedSchema, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (!isStructure(value)) return value;
    const output: Record<string, unknown> = {};
    for (const [member, memberSchema] of schema.structIterator()) {
      const jsonName = memberSchema.getMergedTraits().jsonName ?? member;
      const converted = wireToSdk(memberSchema, value[jsonName] ?? value[member]);
      if (converted !== undefined) output[member] = converted;
    }
    return output;
  }
  if (schema.isListSchema()) {
    return Array.isArray(value) ? value.map((v) => wireToSdk(schema.getValueSchema(), v)) : value;
  }
  if (schema.isMapSchema()) {
    if (!isStructure(value)) return value;
    const valueSchema = schema.getValueSchema();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireToSdk(valueSchema, v)]));
  }
  if (schema.isTimestampSchema()) {
    // JSON protocols send epoch seconds unless the member says otherwise; ISO strings are accepted too.
    if (typeof value === 'number') return new Date(value * 1000);
    if (typeof value === 'string') return new Date(value);
    return value;
  }
  if (schema.isBlobSchema() && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  return value;
}

/** Values at a dotted path, descending into every element of arrays on the way. */
export function valuesAtPath(value: unknown, path: string[]): unknown[] {
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.flatMap((v) => valuesAtPath(v, path));
  if (head === undefined) return value === undefined || value === null ? [] : [value];
  return isStructure(value) ? valuesAtPath(value[head], rest) : [];
}

/**
 * The attributes `ListFindings` documents for `FindingCriteria` (botocore guardduty 2017-11-28,
 * `ListFindingsRequest.FindingCriteria` documentation). Anything else is refused: a criterion AWS does not
 * know must not filter offline and silently return something else online.
 */
export const DOCUMENTED_CRITERIA: ReadonlySet<string> = new Set([
  'accountId',
  'region',
  'confidence',
  'id',
  'resource.accessKeyDetails.accessKeyId',
  'resource.accessKeyDetails.principalId',
  'resource.accessKeyDetails.userName',
  'resource.accessKeyDetails.userType',
  'resource.instanceDetails.iamInstanceProfile.id',
  'resource.instanceDetails.imageId',
  'resource.instanceDetails.instanceId',
  'resource.instanceDetails.networkInterfaces.ipv6Addresses',
  'resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress',
  'resource.instanceDetails.networkInterfaces.publicDnsName',
  'resource.instanceDetails.networkInterfaces.publicIp',
  'resource.instanceDetails.networkInterfaces.securityGroups.groupId',
  'resource.instanceDetails.networkInterfaces.securityGroups.groupName',
  'resource.instanceDetails.networkInterfaces.subnetId',
  'resource.instanceDetails.networkInterfaces.vpcId',
  'resource.instanceDetails.tags.key',
  'resource.instanceDetails.tags.value',
  'resource.resourceType',
  'service.action.actionType',
  'service.action.awsApiCallAction.api',
  'service.action.awsApiCallAction.callerType',
  'service.action.awsApiCallAction.remoteIpDetails.city.cityName',
  'service.action.awsApiCallAction.remoteIpDetails.country.countryName',
  'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
  'service.action.awsApiCallAction.remoteIpDetails.organization.asn',
  'service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg',
  'service.action.awsApiCallAction.serviceName',
  'service.action.dnsRequestAction.domain',
  'service.action.dnsRequestAction.domainWithSuffix',
  'service.action.networkConnectionAction.blocked',
  'service.action.networkConnectionAction.connectionDirection',
  'service.action.networkConnectionAction.localPortDetails.port',
  'service.action.networkConnectionAction.protocol',
  'service.action.networkConnectionAction.remoteIpDetails.country.countryName',
  'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
  'service.action.networkConnectionAction.remoteIpDetails.organization.asn',
  'service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg',
  'service.action.networkConnectionAction.remotePortDetails.port',
  'service.additionalInfo.threatListName',
  'service.archived',
  'service.ebsVolumeScanDetails.scanId',
  'service.resourceRole',
  'severity',
  'type',
  'updatedAt',
]);

function badRequest(message: string): AwsError {
  return new AwsError('BadRequestException', message);
}

/** GuardDuty compares numbers and timestamps (epoch ms in criteria, ISO text in findings) numerically. */
function numeric(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return Date.parse(value);
  return Number(value);
}

interface CriterionCondition {
  Eq?: string[];
  Neq?: string[];
  Equals?: string[];
  NotEquals?: string[];
  Gt?: number;
  Gte?: number;
  Lt?: number;
  Lte?: number;
  GreaterThan?: number;
  GreaterThanOrEqual?: number;
  LessThan?: number;
  LessThanOrEqual?: number;
}

function matchesCriterion(finding: WireFinding, field: string, condition: CriterionCondition): boolean {
  const values = valuesAtPath(finding, field.split('.'));
  const equals = condition.Equals ?? condition.Eq;
  const notEquals = condition.NotEquals ?? condition.Neq;
  if (equals && !values.some((v) => equals.includes(String(v)))) return false;
  if (notEquals && values.some((v) => notEquals.includes(String(v)))) return false;
  const bounds: Array<[number | undefined, (a: number, b: number) => boolean]> = [
    [condition.GreaterThan ?? condition.Gt, (a, b) => a > b],
    [condition.GreaterThanOrEqual ?? condition.Gte, (a, b) => a >= b],
    [condition.LessThan ?? condition.Lt, (a, b) => a < b],
    [condition.LessThanOrEqual ?? condition.Lte, (a, b) => a <= b],
  ];
  for (const [bound, test] of bounds) {
    if (bound !== undefined && !values.some((v) => test(numeric(v), bound))) return false;
  }
  return true;
}

function pageOf<T>(items: T[], input: Input, max: number): { page: T[]; nextToken?: string } {
  const maxResults = input.MaxResults ?? max;
  if (typeof maxResults !== 'number' || maxResults < 1 || maxResults > max) {
    throw badRequest(
      'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
    );
  }
  const token = input.NextToken;
  const start = typeof token === 'string' && token.length > 0 ? Number.parseInt(token, 10) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw badRequest('The request is rejected because the input NextToken is invalid.');
  }
  const end = start + maxResults;
  return end < items.length
    ? { page: items.slice(start, end), nextToken: String(end) }
    : { page: items.slice(start) };
}

export class GuardDutyService implements SandboxService {
  readonly name = 'guardduty' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly detectors = new Map<string, Map<string, WireFinding>>();
  private readonly findingSchema = NormalizedSchema.of(Finding$);

  constructor(private readonly ctx: AccountContext) {
    this.operations = {
      ListDetectors: (input) => {
        const { page, nextToken } = pageOf([...this.detectors.keys()], input, 50);
        return { DetectorIds: page, ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      GetFindings: (input) => this.getFindings(input),
      ListFindings: (input) => this.listFindings(input),
    };
  }

  putDetector(id: string): void {
    if (!this.detectors.has(id)) this.detectors.set(id, new Map());
  }

  /** Stores a finding in the API's camelCase shape (as in the EventBridge event `detail`), keyed by `id`. */
  putFinding(detectorId: string, finding: WireFinding): void {
    const findings = this.detectors.get(detectorId);
    if (!findings) throw new Error(`GuardDuty sandbox: detector ${detectorId} was not provisioned`);
    const id = finding.id;
    if (typeof id !== 'string' || id.length === 0)
      throw new Error('GuardDuty sandbox: a finding needs an id');
    // GuardDuty always says whether a finding is archived; false until a suppression rule archives it.
    const service = isStructure(finding.service) ? finding.service : {};
    findings.set(
      id,
      structuredClone({
        accountId: this.ctx.accountId,
        region: this.ctx.region,
        ...finding,
        service: { archived: false, ...service },
      }),
    );
  }

  snapshot(): unknown {
    return {
      detectors: Object.fromEntries(
        [...this.detectors].map(([id, findings]) => [id, [...findings.values()]]),
      ),
    };
  }

  restore(state: unknown): void {
    this.detectors.clear();
    const detectors = isStructure(state) && isStructure(state.detectors) ? state.detectors : {};
    for (const [id, findings] of Object.entries(detectors)) {
      this.putDetector(id);
      for (const finding of Array.isArray(findings) ? findings : []) {
        if (isStructure(finding)) this.putFinding(id, finding);
      }
    }
  }

  private detector(input: Input): Map<string, WireFinding> {
    const id = input.DetectorId;
    const findings = typeof id === 'string' ? this.detectors.get(id) : undefined;
    if (!findings) {
      throw badRequest(
        'The request is rejected because the input detectorId is not owned by the current account.',
      );
    }
    return findings;
  }

  private sorted(findings: WireFinding[], input: Input): WireFinding[] {
    const criteria = isStructure(input.SortCriteria) ? input.SortCriteria : undefined;
    const attribute = criteria?.AttributeName;
    if (typeof attribute !== 'string') return findings;
    const direction = criteria?.OrderBy === 'DESC' ? -1 : 1;
    const key = (f: WireFinding) => valuesAtPath(f, attribute.split('.'))[0];
    return [...findings].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (typeof x === 'number' && typeof y === 'number') return (x - y) * direction;
      return String(x ?? '').localeCompare(String(y ?? '')) * direction;
    });
  }

  private getFindings(input: Input): unknown {
    const findings = this.detector(input);
    const ids = input.FindingIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 50) {
      throw badRequest(
        'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
      );
    }
    const found = ids.flatMap((id: unknown) => {
      const finding = typeof id === 'string' ? findings.get(id) : undefined;
      return finding ? [finding] : [];
    });
    return {
      Findings: this.sorted(found, input).map((f) => wireToSdk(this.findingSchema, structuredClone(f))),
    };
  }

  private listFindings(input: Input): unknown {
    const findings = this.detector(input);
    const criteria =
      isStructure(input.FindingCriteria) && isStructure(input.FindingCriteria.Criterion)
        ? input.FindingCriteria.Criterion
        : {};
    for (const field of Object.keys(criteria)) {
      if (!DOCUMENTED_CRITERIA.has(field)) {
        throw badRequest(
          `The request is rejected because the criterion ${field} is not a valid finding attribute.`,
        );
      }
    }
    const matching = [...findings.values()].filter((finding) =>
      Object.entries(criteria).every(([field, condition]) =>
        matchesCriterion(finding, field, (isStructure(condition) ? condition : {}) as CriterionCondition),
      ),
    );
    const { page, nextToken } = pageOf(this.sorted(matching, input), input, 50);
    return { FindingIds: page.map((f) => String(f.id)), ...(nextToken ? { NextToken: nextToken } : {}) };
  }
}
