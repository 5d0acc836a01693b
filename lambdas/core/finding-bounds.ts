/**
 * Bounds on the normalized finding, so the workflow's state stays well under Step Functions' 256 KiB limit
 * for any event EventBridge can deliver (an event is at most 256 KB): free text is cut at a fixed length and
 * lists at a fixed count, each cut recorded in `truncated` (the raw event, uncut, is kept as evidence). What
 * is not free text (ids, ARNs, image references, tags) is never cut, since a cut identifier could name
 * another resource: a finding that is still over FINDING_BUDGET_BYTES after the cuts is rejected loudly.
 */
import { InvalidFindingError } from './errors';
import type { ProcessInfo, RuntimeFinding } from './finding';
import type { VulnerabilityFinding, VulnerablePackage } from './vulnerability';

/** Long free text (description, command line). */
export const LONG_TEXT_MAX = 4096;
/** Short free text (names, paths, users, versions). */
export const SHORT_TEXT_MAX = 512;
/** Lists from the finding (containers, packages, discrepancies). ECS allows 10 containers per task definition. */
export const LIST_MAX = 50;
/** The most a normalized finding may weigh as JSON (UTF-8 bytes) once bounded; more is rejected. */
export const FINDING_BUDGET_BYTES = 48 * 1024;

/** Collects the cuts made while bounding one finding. */
class Cuts {
  readonly paths: string[] = [];

  text(path: string, value: string | undefined, max: number): string | undefined {
    if (value === undefined || value.length <= max) return value;
    this.paths.push(path);
    // Never split a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
    return value.slice(0, end);
  }

  list<T>(path: string, values: readonly T[], max: number = LIST_MAX): T[] {
    if (values.length <= max) return [...values];
    this.paths.push(path);
    return values.slice(0, max);
  }
}

function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function boundProcess(cuts: Cuts, process: ProcessInfo): ProcessInfo {
  const short = (key: keyof ProcessInfo & string, value: string | undefined) =>
    cuts.text(`process.${key}`, value, SHORT_TEXT_MAX);
  const { parent } = process;
  return defined({
    name: short('name', process.name),
    executablePath: short('executablePath', process.executablePath),
    executableSha256: short('executableSha256', process.executableSha256),
    pid: short('pid', process.pid),
    user: short('user', process.user),
    commandLine: cuts.text('process.commandLine', process.commandLine, LONG_TEXT_MAX),
    parent: parent
      ? defined({
          name: cuts.text('process.parent.name', parent.name, SHORT_TEXT_MAX),
          executablePath: cuts.text('process.parent.executablePath', parent.executablePath, SHORT_TEXT_MAX),
          pid: cuts.text('process.parent.pid', parent.pid, SHORT_TEXT_MAX),
        })
      : undefined,
  });
}

/** Throws when the bounded finding is still over FINDING_BUDGET_BYTES (only non-text fields are left). */
function withinBudget<T>(finding: T): T {
  const bytes = Buffer.byteLength(JSON.stringify(finding), 'utf8');
  if (bytes > FINDING_BUDGET_BYTES) {
    throw new InvalidFindingError(
      'detail',
      `the normalized finding is ${bytes} bytes once its free text is cut, over the ${FINDING_BUDGET_BYTES}-byte budget (ids, ARNs, images or tags too long)`,
    );
  }
  return finding;
}

export function boundRuntimeFinding(finding: RuntimeFinding): RuntimeFinding {
  const cuts = new Cuts();
  const { involvedContainer: involved, process, discrepancies } = finding;
  const bounded: RuntimeFinding = defined({
    ...finding,
    title: cuts.text('title', finding.title, SHORT_TEXT_MAX),
    description: cuts.text('description', finding.description, LONG_TEXT_MAX),
    // Arrays only: a finding that lacks one (schema drift) is left for the steps' own input checks to refuse.
    containers: Array.isArray(finding.containers)
      ? cuts.list('containers', finding.containers)
      : finding.containers,
    involvedContainer: involved
      ? defined({
          name: cuts.text('involvedContainer.name', involved.name, SHORT_TEXT_MAX),
          image: cuts.text('involvedContainer.image', involved.image, LONG_TEXT_MAX),
        })
      : undefined,
    process: process ? boundProcess(cuts, process) : undefined,
    discrepancies: discrepancies
      ? cuts
          .list('discrepancies', discrepancies, 10)
          .map((d, i) => cuts.text(`discrepancies[${i}]`, d, SHORT_TEXT_MAX) ?? '')
      : undefined,
  });
  return withinBudget(cuts.paths.length > 0 ? { ...bounded, truncated: cuts.paths } : bounded);
}

export function boundVulnerabilityFinding(finding: VulnerabilityFinding): VulnerabilityFinding {
  const cuts = new Cuts();
  const packages = (Array.isArray(finding.packages) ? cuts.list('packages', finding.packages) : []).map(
    (p, i): VulnerablePackage =>
      defined({
        name: cuts.text(`packages[${i}].name`, p.name, SHORT_TEXT_MAX) ?? '',
        version: cuts.text(`packages[${i}].version`, p.version, SHORT_TEXT_MAX),
        fixedInVersion: cuts.text(`packages[${i}].fixedInVersion`, p.fixedInVersion, SHORT_TEXT_MAX),
        packageManager: cuts.text(`packages[${i}].packageManager`, p.packageManager, SHORT_TEXT_MAX),
      }),
  );
  const bounded: VulnerabilityFinding = defined({
    ...finding,
    title: cuts.text('title', finding.title, SHORT_TEXT_MAX),
    description: cuts.text('description', finding.description, LONG_TEXT_MAX),
    vulnerabilityId: cuts.text('vulnerabilityId', finding.vulnerabilityId, SHORT_TEXT_MAX),
    sourceUrl: cuts.text('sourceUrl', finding.sourceUrl, LONG_TEXT_MAX),
    packages,
  });
  return withinBudget(cuts.paths.length > 0 ? { ...bounded, truncated: cuts.paths } : bounded);
}
