/**
 * Sandbox Security Hub (CSPM, ASFF): the account's findings, as the administrator account sees them
 * (members' findings included, each with its own `AwsAccountId`). `GetFindings` filters string attributes
 * as the API documents (botocore securityhub 2018-10-26, `StringFilter.Comparison`): EQUALS, PREFIX and
 * CONTAINS on one field are joined by OR, their NOT_ forms by AND; at most 10 attributes and 20 values each.
 * `BatchUpdateFindings` updates `Workflow.Status` and `Note` and answers a finding it does not hold or a
 * duplicated identifier in `UnprocessedFindings` (FindingNotFound, DuplicatedFindingIdentifier), never by
 * failing the whole request. Filters the sandbox does not implement are refused loudly, never ignored.
 * A product's findings reach Security Hub some time after the provider's event: `importLater` holds one
 * back for a number of `GetFindings` calls (each stands for time passing), or for ever.
 * Security Hub (the newer one, OCSF) lives beside it (./securityhub-v2.ts), with its own operations. Which
 * of the two the account has enabled is the sandbox's setting (`enable`, default CSPM only): CSPM not enabled
 * answers InvalidAccessException ("Account … is not subscribed to AWS Security Hub"); Security Hub not enabled
 * answers DescribeSecurityHubV2 with ResourceNotFoundException, and GetFindingsV2/BatchUpdateFindingsV2 with
 * `v2DisabledAnswer` (what AWS answers there is not documented: AccessDeniedException, or an empty list).
 */
import { DelayedImports, stringComparison } from './securityhub-shared';
import { type NewOcsfFinding, SecurityHubV2Store } from './securityhub-v2';
import { isRecord } from './shared';
import { AwsError, type Operation, type SandboxService } from './types';

export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

export interface AsffFinding {
  Id: string;
  ProductArn: string;
  ProductName: string;
  AwsAccountId: string;
  GeneratorId?: string;
  Title?: string;
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Workflow: { Status: WorkflowStatus };
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
  UserDefinedFields?: Record<string, string>;
}

/** String attributes the sandbox filters on; the API has ~100 (AwsSecurityFindingFilters). */
const STRING_ATTRIBUTES = {
  Id: (f: AsffFinding) => f.Id,
  ProductArn: (f: AsffFinding) => f.ProductArn,
  ProductName: (f: AsffFinding) => f.ProductName,
  AwsAccountId: (f: AsffFinding) => f.AwsAccountId,
  GeneratorId: (f: AsffFinding) => f.GeneratorId,
  Title: (f: AsffFinding) => f.Title,
  RecordState: (f: AsffFinding) => f.RecordState,
  WorkflowStatus: (f: AsffFinding) => f.Workflow.Status,
} as const satisfies Record<string, (f: AsffFinding) => string | undefined>;

type Attribute = keyof typeof STRING_ATTRIBUTES;
type NewFinding = Omit<AsffFinding, 'Workflow' | 'RecordState'> & Partial<Pick<AsffFinding, 'Workflow'>>;
const MAX_FILTER_ATTRIBUTES = 10;
const MAX_FILTER_VALUES = 20;
const MAX_UPDATE_IDENTIFIERS = 100;
/** The stored `Note.Text` is at most 512 characters (API reference, `Note`). */
export const NOTE_TEXT_MAX = 512;
const WORKFLOW_STATUSES: ReadonlySet<string> = new Set(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']);

interface StringFilter {
  Value: string;
  Comparison: string;
}

function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInputException', message);
}

function isAttribute(name: string): name is Attribute {
  return Object.hasOwn(STRING_ATTRIBUTES, name);
}

function matchOne(value: string | undefined, filter: StringFilter): boolean {
  return stringComparison(value, filter.Comparison, filter.Value, invalidInput);
}

const NEGATIVE = new Set(['NOT_EQUALS', 'PREFIX_NOT_EQUALS', 'NOT_CONTAINS']);

/** OR over the positive comparisons of one field, AND over its negative ones (StringFilter.Comparison). */
function matchField(value: string | undefined, filters: readonly StringFilter[]): boolean {
  const positive = filters.filter((f) => !NEGATIVE.has(f.Comparison));
  const negative = filters.filter((f) => NEGATIVE.has(f.Comparison));
  return (
    (positive.length === 0 || positive.some((f) => matchOne(value, f))) &&
    negative.every((f) => matchOne(value, f))
  );
}

function parseFilters(input: unknown): Array<[Attribute, StringFilter[]]> {
  if (input === undefined) return [];
  if (!isRecord(input)) throw invalidInput('Filters must be an object');
  const entries = Object.entries(input).filter(([, v]) => v !== undefined);
  if (entries.length > MAX_FILTER_ATTRIBUTES) {
    throw invalidInput(`at most ${MAX_FILTER_ATTRIBUTES} finding attributes may be filtered`);
  }
  return entries.map(([name, list]) => {
    if (!isAttribute(name)) throw invalidInput(`filter ${name} is not implemented by the sandbox`);
    if (!Array.isArray(list) || list.length > MAX_FILTER_VALUES) {
      throw invalidInput(`${name}: 1 to ${MAX_FILTER_VALUES} filter values`);
    }
    const filters = list.map((f): StringFilter => {
      if (!isRecord(f) || typeof f.Value !== 'string' || typeof f.Comparison !== 'string') {
        throw invalidInput(`${name}: each filter needs Value and Comparison`);
      }
      return { Value: f.Value, Comparison: f.Comparison };
    });
    return [name, filters];
  });
}

function key(id: string, productArn: string): string {
  return `${productArn}\u0000${id}`;
}

/** Which Security Hub the account has enabled, and what a disabled Security Hub (V2) answers its finding calls. */
export interface SecurityHubEnablement {
  readonly cspm: boolean;
  readonly v2: boolean;
  readonly v2DisabledAnswer?: 'AccessDeniedException' | 'empty';
}

export class SecurityHubService implements SandboxService {
  readonly name = 'securityhub' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly findings = new Map<string, AsffFinding>();
  /** Findings not imported yet, and how many more `GetFindings` calls they stay out of the answers. */
  private readonly pending = new DelayedImports<NewFinding>();
  /** The OCSF copies (Security Hub V2). */
  readonly v2 = new SecurityHubV2Store();
  private enablement: SecurityHubEnablement = { cspm: true, v2: false };

  constructor(
    private readonly ctx: {
      now(): number;
      readonly accountId: string;
      readonly region: string;
      readonly partition: string;
    },
  ) {
    this.operations = {
      GetFindings: (input) => this.cspm(() => this.getFindings(input)),
      BatchUpdateFindings: (input) => this.cspm(() => this.batchUpdateFindings(input)),
      // Disabled and answering as if empty: an empty store answers (every finding unprocessed, not found).
      GetFindingsV2: (input) =>
        this.hubV2(
          () => this.v2.getFindings(input),
          () => new SecurityHubV2Store().getFindings(input),
        ),
      BatchUpdateFindingsV2: (input) =>
        this.hubV2(
          () => this.v2.batchUpdate(input),
          () => new SecurityHubV2Store().batchUpdate(input),
        ),
      DescribeSecurityHubV2: () => this.describeHubV2(),
    };
  }

  /** Which Security Hub is enabled (default: CSPM only). */
  enable(enablement: SecurityHubEnablement): void {
    this.enablement = enablement;
  }

  get enabled(): SecurityHubEnablement {
    return this.enablement;
  }

  private cspm(run: () => unknown): unknown {
    if (!this.enablement.cspm) {
      throw new AwsError(
        'InvalidAccessException',
        `Account ${this.ctx.accountId} is not subscribed to AWS Security Hub`,
        { statusCode: 401 },
      );
    }
    return run();
  }

  private hubV2(run: () => unknown, empty: () => unknown): unknown {
    if (this.enablement.v2) return run();
    if (this.enablement.v2DisabledAnswer === 'empty') return empty();
    throw new AwsError(
      'AccessDeniedException',
      `Security Hub is not enabled in account ${this.ctx.accountId} (sandbox answer: not documented by AWS)`,
      { statusCode: 403 },
    );
  }

  private describeHubV2(): unknown {
    if (!this.enablement.v2) {
      throw new AwsError(
        'ResourceNotFoundException',
        'Security Hub is not enabled in this account and Region',
        {
          statusCode: 404,
        },
      );
    }
    const { partition, region, accountId } = this.ctx;
    return { HubV2Arn: `arn:${partition}:securityhub:${region}:${accountId}:hubv2/sandbox` };
  }

  /** What a product integration imports into Security Hub (V2): the OCSF copy, New. */
  putOcsfFinding(finding: NewOcsfFinding): void {
    this.v2.put(finding);
  }

  /** Imports the OCSF copy only after `lookups` more `GetFindingsV2` calls (`never`: not at all). */
  importOcsfLater(finding: NewOcsfFinding, lookups: number | 'never'): void {
    this.v2.putLater(finding, lookups);
  }

  /** What a product integration (GuardDuty, Inspector) imports: a new finding starts NEW and ACTIVE. */
  putFinding(finding: NewFinding): void {
    this.findings.set(key(finding.Id, finding.ProductArn), {
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
      ...structuredClone(finding),
    });
  }

  /** Imports `finding` only after `lookups` more `GetFindings` calls (`never`: not imported at all). */
  importLater(finding: NewFinding, lookups: number | 'never'): void {
    this.pending.later(finding, lookups);
  }

  private importDue(): void {
    this.pending.lookup((finding) => this.putFinding(finding));
  }

  finding(id: string, productArn: string): AsffFinding | undefined {
    const found = this.findings.get(key(id, productArn));
    return found ? structuredClone(found) : undefined;
  }

  private getFindings(input: Record<string, unknown>): unknown {
    const filters = parseFilters(input.Filters);
    this.importDue();
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidInput('NextToken is not valid');
    const matching = [...this.findings.values()].filter((f) =>
      filters.every(([attribute, list]) => matchField(STRING_ATTRIBUTES[attribute](f), list)),
    );
    const page = matching.slice(start, start + max).map((f) => structuredClone(f));
    const next = start + max < matching.length ? String(start + max) : undefined;
    return { Findings: page, ...(next ? { NextToken: next } : {}) };
  }

  private batchUpdateFindings(input: Record<string, unknown>): unknown {
    const identifiers = Array.isArray(input.FindingIdentifiers) ? input.FindingIdentifiers : [];
    if (identifiers.length === 0 || identifiers.length > MAX_UPDATE_IDENTIFIERS) {
      throw invalidInput(`FindingIdentifiers: 1 to ${MAX_UPDATE_IDENTIFIERS} findings`);
    }
    const note = isRecord(input.Note) ? input.Note : undefined;
    if (note && typeof note.Text === 'string' && note.Text.length > NOTE_TEXT_MAX) {
      throw invalidInput(`Note.Text is longer than ${NOTE_TEXT_MAX} characters`);
    }
    const workflow = isRecord(input.Workflow) ? input.Workflow : undefined;
    const status = workflow?.Status;
    if (status !== undefined && (typeof status !== 'string' || !WORKFLOW_STATUSES.has(status))) {
      throw invalidInput(`Workflow.Status ${String(status)} is not a workflow status`);
    }
    const processed: Array<{ Id: string; ProductArn: string }> = [];
    const unprocessed: Array<Record<string, unknown>> = [];
    const ids = identifiers.map((raw) => {
      if (!isRecord(raw) || typeof raw.Id !== 'string' || typeof raw.ProductArn !== 'string') {
        throw invalidInput('FindingIdentifiers: each needs Id and ProductArn');
      }
      return { Id: raw.Id, ProductArn: raw.ProductArn };
    });
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(key(id.Id, id.ProductArn), (seen.get(key(id.Id, id.ProductArn)) ?? 0) + 1);
    for (const id of ids) {
      const k = key(id.Id, id.ProductArn);
      const finding = this.findings.get(k);
      const error =
        (seen.get(k) ?? 0) > 1
          ? ['DuplicatedFindingIdentifier', 'The request included the finding more than once']
          : !finding
            ? ['FindingNotFound', 'The FindingIdentifier did not match an existing finding']
            : undefined;
      if (error || !finding) {
        unprocessed.push({ FindingIdentifier: id, ErrorCode: error?.[0], ErrorMessage: error?.[1] });
        continue;
      }
      if (typeof status === 'string') finding.Workflow = { Status: status as WorkflowStatus };
      if (note && typeof note.Text === 'string' && typeof note.UpdatedBy === 'string') {
        finding.Note = {
          Text: note.Text,
          UpdatedBy: note.UpdatedBy,
          UpdatedAt: new Date(this.ctx.now()).toISOString(),
        };
      }
      if (isRecord(input.UserDefinedFields)) {
        const fields = Object.entries(input.UserDefinedFields).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        );
        finding.UserDefinedFields = { ...finding.UserDefinedFields, ...Object.fromEntries(fields) };
      }
      processed.push(id);
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  snapshot(): unknown {
    return { asff: [...this.findings.values()], ocsf: this.v2.snapshot(), enabled: this.enablement };
  }

  /** Also restores a state saved before Security Hub V2 support (an array of ASFF findings). */
  restore(state: unknown): void {
    this.findings.clear();
    const saved = isRecord(state) ? state : { asff: state };
    const asff = Array.isArray(saved.asff) ? (saved.asff as AsffFinding[]) : [];
    for (const f of asff) this.findings.set(key(f.Id, f.ProductArn), f);
    this.v2.restore(saved.ocsf);
    if (isRecord(saved.enabled)) {
      const { cspm, v2, v2DisabledAnswer } = saved.enabled;
      this.enablement = {
        cspm: cspm !== false,
        v2: v2 === true,
        ...(v2DisabledAnswer === 'empty' || v2DisabledAnswer === 'AccessDeniedException'
          ? { v2DisabledAnswer }
          : {}),
      };
    }
  }
}
