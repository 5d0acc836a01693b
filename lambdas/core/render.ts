/**
 * The one notification renderer for every workflow: from what a workflow knows about an incident to the SNS
 * publish parameters, with an Amazon Q Developer custom notification for chat and plain text for email.
 * Pure: no AWS calls, no clock.
 *
 * Content is first built as a small document of segments that say what is trusted (our own words, URLs we
 * built) and what is not (anything from a finding, a tag or an error); the chat and email serializers then
 * escape each kind of segment for their medium, so no code path can forget to sanitize a value.
 */
import { asciiText, asText, chatCode, chatText, escapeEntities, LIMITS, plainText, truncate } from './escape';
import { describeFindingType, type RuntimeFinding } from './finding';
import type {
  ActionStatus,
  BlastRadius,
  ExecutionRef,
  ExposedTask,
  IsolationResult,
  QuarantineResult,
  ResponseResults,
  StepFailure,
} from './outcome';
import type { ActionName, ResponsePlan, TaskEnrichment } from './policy';
import type { ImagePlan, VulnerabilityFinding } from './vulnerability';

export const NOTIFICATION_KINDS = [
  'contained',
  'isolated',
  'notify-only',
  'exempt',
  'sample',
  'observe',
  'repeat',
  'already-contained',
  'image-quarantined',
  'vulnerability',
  'vulnerability-resolved',
  'invalid-input',
  'step-failed',
  'cap-reached',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * The automatic release of an image quarantine (inspector.releaseOnClose), as the vulnerable-image
 * workflow's ReleaseQuarantine step reports it (lambdas/actions/release.ts releaseImages, or `skipped`).
 */
export interface ReleaseReport {
  /** `done`: the quarantine was lifted and the incident RELEASED; anything else: it was not (see `reason`). */
  readonly status: string;
  readonly reason?: string;
  readonly steps?: readonly ReleaseReportStep[];
}

export interface ReleaseReportStep {
  readonly action: string;
  readonly target: string;
  readonly status: string;
  readonly detail?: string;
}

export interface NotificationInput {
  readonly kind: NotificationKind;
  /** Absent for `invalid-input`. */
  readonly finding?: RuntimeFinding | VulnerabilityFinding;
  readonly enrichment?: TaskEnrichment;
  /** The runtime plan, or the vulnerable-image plan (no isolate/stop/tagService, caps per account only). */
  readonly plan?: ResponsePlan | ImagePlan;
  readonly results?: ResponseResults;
  /** `vulnerability-resolved`: whether the image quarantine was released (absent: not attempted). */
  readonly release?: ReleaseReport;
  /** For `repeat` and `already-contained`: how often the finding has been seen, and the incident's status. */
  readonly repeat?: {
    readonly count: number;
    readonly previousCount?: number;
    readonly firstSeen?: string;
    readonly status?: string;
  };
  /** Inspector incidents that gathered several findings for one image. */
  readonly aggregated?: {
    readonly findingArns: readonly string[];
    readonly vulnerabilityIds: readonly string[];
  };
  /** Inspector: running tasks using the image. */
  readonly exposure?: BlastRadius;
  /** `step-failed` and `invalid-input`. */
  readonly failure?: StepFailure;
  /** `invalid-input`: what little is known of the raw event. */
  readonly rawEventSummary?: { readonly source?: string; readonly detailType?: string; readonly id?: string };
  readonly execution?: ExecutionRef;
  readonly evidence?: { readonly bucket: string; readonly key: string };
  /** Where shield-right runs: console links for the execution and the evidence. */
  readonly region: string;
  readonly accountId?: string;
}

/** Amazon Q Developer in chat applications custom notification. */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: string[];
    readonly keywords: string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: NotificationKind;
    readonly relatedResources: string[];
    readonly additionalContext: Record<string, string>;
  };
}

export type MessageAttributes = Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;

export interface RenderedNotification {
  /** SNS Subject: printable ASCII, one line, 1 to 99 characters. */
  readonly subject: string;
  /** SNS Message for `MessageStructure: 'json'`: `{ default: <chat JSON>, email: <plain text> }`. */
  readonly message: string;
  readonly chat: ChatNotification;
  readonly email: string;
  readonly attributes: MessageAttributes;
}

// Amazon Q Developer custom notification limits (title 250, description 8000 characters); the list sizes
// are our own, kept small so a message stays readable on a phone.
const TITLE_MAX = 250;
const DESCRIPTION_MAX = 8000;
const SUMMARY_MAX = 250;
const NEXT_STEP_MAX = 1000;
const NEXT_STEPS_MAX = 12;
const KEYWORD_MAX = 64;
const CONTEXT_VALUE_MAX = 256;
const RELATED_MAX = 20;
/** Entries shown of any list (exposed tasks, images, skipped actions, CVEs) before "and N more". */
export const LIST_MAX = 25;
/** Body budgets for the email variant, largest first, tried until the message fits. */
const EMAIL_BUDGETS = [60_000, 30_000, 10_000, 2_000] as const;
/** SNS allows 256 KB; stay well under it. */
export const MESSAGE_MAX_BYTES = 200 * 1024;
const SUBJECT_MAX = 99;

// ---------------------------------------------------------------------------------------------------------
// Document model: trusted literals, untrusted values, URLs we built, CLI commands.

type Seg =
  | { readonly k: 'lit'; readonly s: string }
  | { readonly k: 'label'; readonly s: string }
  | { readonly k: 'val'; readonly s: string; readonly max: number; readonly code: boolean }
  | { readonly k: 'url'; readonly s: string }
  | { readonly k: 'cmd'; readonly s: string };
type Line = readonly Seg[];

interface Section {
  readonly heading?: string;
  readonly lines: readonly Line[];
  readonly bullets?: boolean;
}

const t = (s: string): Seg => ({ k: 'lit', s });
const label = (s: string): Seg => ({ k: 'label', s });
const v = (s: unknown, max: number = LIMITS.name): Seg => ({ k: 'val', s: asText(s), max, code: false });
const c = (s: unknown, max: number = LIMITS.name): Seg => ({ k: 'val', s: asText(s), max, code: true });
const url = (s: string): Seg => ({ k: 'url', s });
const cmd = (s: string): Seg => ({ k: 'cmd', s });
/** `Label: value` as one line. */
const field = (name: string, ...value: Seg[]): Line => [label(`${name}:`), t(' '), ...value];

// Commands made only of id and ARN characters are shown verbatim so they can be copied; anything else is
// escaped like any other value.
const SAFE_COMMAND = /^[A-Za-z0-9 _:/.=@+,-]{1,1024}$/;

function segToChat(seg: Seg): string {
  switch (seg.k) {
    case 'lit':
      return escapeEntities(seg.s);
    case 'label':
      return `*${escapeEntities(seg.s)}*`;
    case 'val':
      return seg.code ? chatCode(seg.s, seg.max) : chatText(seg.s, seg.max);
    case 'url':
      return escapeEntities(seg.s);
    case 'cmd':
      return SAFE_COMMAND.test(seg.s) ? `\`${seg.s}\`` : chatCode(seg.s, LIMITS.path);
  }
}

function segToPlain(seg: Seg): string {
  switch (seg.k) {
    case 'lit':
    case 'label':
    case 'url':
      return seg.s;
    case 'val':
      return plainText(seg.s, seg.max);
    case 'cmd':
      return plainText(seg.s, LIMITS.path);
  }
}

const lineToChat = (line: Line): string => line.map(segToChat).join('');
const lineToPlain = (line: Line): string => line.map(segToPlain).join('');

/** Cuts serialized chat text to a UTF-16 length (the stricter unit) with an ellipsis. */
function fitUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** How one medium writes lines, headings, bullets and the note about lines left out. */
interface Medium {
  readonly line: (line: Line) => string;
  readonly heading: (heading: string) => string;
  readonly bullet: string;
  readonly omitted: (n: number) => string;
}

const CHAT: Medium = {
  line: lineToChat,
  heading: (h) => `*${escapeEntities(h)}*`,
  bullet: '• ',
  omitted: (n) => `_… ${n} more line(s) left out: the email and the evidence have them all._`,
};

const PLAIN: Medium = {
  line: lineToPlain,
  heading: (h) => h.toUpperCase(),
  bullet: '  - ',
  omitted: (n) => `… ${n} more line(s) left out: the evidence in S3 has the full finding.`,
};

/**
 * Sections within a budget (UTF-16 units): once it is spent, the remaining lines are dropped whole, never
 * cut, so a code span is never left open; a note says how many.
 */
function renderSections(sections: readonly Section[], medium: Medium, budget: number): string {
  const reserve = 120;
  const blocks: string[] = [];
  let used = 0;
  let omitted = 0;
  for (const section of sections) {
    const lines: string[] = [];
    const candidates = [
      ...(section.heading ? [medium.heading(section.heading)] : []),
      ...section.lines.map((line) => `${section.bullets ? medium.bullet : ''}${medium.line(line)}`),
    ];
    for (const line of candidates) {
      const cost = line.length + 2;
      if (omitted > 0 || used + cost > budget - reserve) {
        omitted++;
        continue;
      }
      lines.push(line);
      used += cost;
    }
    if (lines.length > 0) blocks.push(lines.join('\n'));
  }
  if (omitted > 0) blocks.push(medium.omitted(omitted));
  return fitUnits(blocks.join('\n\n'), budget);
}

// ---------------------------------------------------------------------------------------------------------
// Small formatting helpers.

const isRuntime = (f: NotificationInput['finding']): f is RuntimeFinding => f?.kind === 'runtime';
const isVulnerability = (f: NotificationInput['finding']): f is VulnerabilityFinding =>
  f?.kind === 'vulnerability';

function num(value: unknown, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '?';
}

function intOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

function count(value: unknown): string {
  return String(intOf(value) ?? '?');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The last path segment of an ARN: the task id, the cluster name. */
function arnTail(arn: string | undefined): string {
  if (!arn) return '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function clusterNameOf(arn: string | undefined): string {
  const m = /:cluster\/([^/]+)$/.exec(arn ?? '');
  return m?.[1] ?? arnTail(arn);
}

/** The first `max` items and a line saying how many more there are. */
function capped<T>(items: readonly T[], max: number, toLine: (item: T) => Line): Line[] {
  const lines = items.slice(0, max).map(toLine);
  if (items.length > max) lines.push([t(`… and ${items.length - max} more`)]);
  return lines;
}

const STATUS_WORDS: Record<ActionStatus, string> = {
  done: 'done',
  'already-done': 'already done',
  skipped: 'skipped',
  'not-possible': 'not possible',
  failed: 'FAILED',
};

function status(value: ActionStatus | undefined): Seg {
  const known = value !== undefined && Object.hasOwn(STATUS_WORDS, value) ? STATUS_WORDS[value] : undefined;
  return known ? t(known) : v(value ?? 'unknown', LIMITS.short);
}

const succeeded = (s: { readonly status: ActionStatus } | undefined): boolean =>
  s?.status === 'done' || s?.status === 'already-done';

const ACTION_WORDS: Record<ActionName, string> = {
  isolate: 'isolate the task',
  stop: 'stop the task',
  quarantine: 'quarantine the image',
  tagService: 'tag the service',
};

function actionWords(action: ActionName): Seg {
  return Object.hasOwn(ACTION_WORDS, action) ? t(ACTION_WORDS[action]) : v(action, LIMITS.short);
}

/** What the plan meant to do, or in observe/exempt what containment would have done. */
function plannedActions(plan: ResponsePlan | ImagePlan | undefined): ActionName[] {
  if (!plan) return [];
  const planned: ActionName[] = [];
  if ('isolate' in plan && plan.isolate) planned.push('isolate');
  if ('stop' in plan && plan.stop) planned.push('stop');
  if (plan.quarantine) planned.push('quarantine');
  if ('tagService' in plan && plan.tagService) planned.push('tagService');
  const would: readonly string[] = plan.wouldHaveDone;
  return planned.length > 0 ? planned : would.filter(isActionName);
}

function isActionName(value: string): value is ActionName {
  return value === 'isolate' || value === 'stop' || value === 'quarantine' || value === 'tagService';
}

function joinSegs(parts: readonly Seg[], separator: string): Seg[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [t(separator), part]));
}

// ---------------------------------------------------------------------------------------------------------
// Console links. Every value is percent-encoded, so no markup can ride in a URL.

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
// A vendor advisory URL shown as a link only when it holds nothing that could become markup.
const SAFE_URL = /^https:\/\/[A-Za-z0-9.-]+(?:\/[A-Za-z0-9._/%?=+:#-]*)?$/;

// `_` too: inside a link it could still pair up as italics in some clients.
function enc(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*~_]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Links are built only from values that look like what they claim to be: a link made of attacker garbage
// helps nobody, and a cut-off one misleads.
const LINKABLE = {
  findingId: /^[A-Za-z0-9_-]{1,128}$/,
  cluster: /^[A-Za-z0-9_-]{1,255}$/,
  taskId: /^[A-Za-z0-9_-]{1,128}$/,
  bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  key: /^[\x21-\x7E]{1,1024}$/,
  repository: /^[a-z0-9][a-z0-9._/-]{0,255}$/,
  digest: /^sha256:[a-f0-9]{64}$/,
} as const;

function regionOf(value: string | undefined, fallback: string): string {
  if (value && REGION.test(value)) return value;
  return REGION.test(fallback) ? fallback : 'us-east-1';
}

const consoleHost = (region: string): string => `https://${region}.console.aws.amazon.com`;

export function guardDutyFindingUrl(region: string, findingId: string): string {
  return `${consoleHost(region)}/guardduty/home?region=${region}#/findings?macros=current&fId=${enc(findingId)}`;
}

export function ecsTaskUrl(region: string, cluster: string, taskId: string): string {
  return `${consoleHost(region)}/ecs/v2/clusters/${enc(cluster)}/tasks/${enc(taskId)}/configuration?region=${region}`;
}

export function executionUrl(region: string, executionArn: string): string {
  const arn = enc(executionArn).replace(/%3A/g, ':');
  return `${consoleHost(region)}/states/home?region=${region}#/v2/executions/details/${arn}`;
}

export function evidenceUrl(region: string, bucket: string, key: string): string {
  return `https://s3.console.aws.amazon.com/s3/object/${enc(bucket)}?region=${region}&prefix=${enc(key).replace(/%2F/g, '/')}`;
}

/** Inspector's findings for one image (repository and digest). */
export function inspectorImageUrl(region: string, repository: string, digest: string): string {
  return `${consoleHost(region)}/inspector/v2/home?region=${region}#/findings/container-image/${enc(`${repository}/${digest}`)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Kinds.

interface KindText {
  readonly emoji: string;
  /** What happened, in the title. */
  readonly phrase: string;
  /** The same in the subject. */
  readonly short: string;
}

/** The words for a kind; an unknown kind (bad input) reads as a generic notice rather than throwing. */
function kindText(kind: NotificationKind): KindText {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind] : { emoji: ':bell:', phrase: 'notice', short: 'notice' };
}

const KINDS: Record<NotificationKind, KindText> = {
  contained: { emoji: ':shield:', phrase: 'contained: task stopped', short: 'contained' },
  isolated: { emoji: ':shield:', phrase: 'isolated: task cut off from the network', short: 'isolated' },
  'notify-only': { emoji: ':eyes:', phrase: 'notified only: no action taken', short: 'notify-only' },
  exempt: { emoji: ':eyes:', phrase: 'exempt: no action taken', short: 'exempt, not acted on' },
  sample: { emoji: ':test_tube:', phrase: 'GuardDuty sample finding: no action taken', short: 'sample' },
  observe: { emoji: ':eyes:', phrase: 'observe mode: no action taken', short: 'observed, no action' },
  repeat: { emoji: ':repeat:', phrase: 'Update', short: 'update' },
  'already-contained': {
    emoji: ':repeat:',
    phrase: 'seen again, already contained',
    short: 'already contained',
  },
  'image-quarantined': { emoji: ':shield:', phrase: 'image quarantined', short: 'image quarantined' },
  vulnerability: { emoji: ':package:', phrase: 'vulnerable image', short: 'vulnerable image' },
  'vulnerability-resolved': {
    emoji: ':white_check_mark:',
    phrase: 'vulnerability resolved',
    short: 'resolved',
  },
  'invalid-input': { emoji: ':warning:', phrase: 'invalid input: no action taken', short: 'invalid input' },
  'step-failed': { emoji: ':x:', phrase: 'workflow step failed', short: 'step failed' },
  'cap-reached': {
    emoji: ':warning:',
    phrase: 'blast-radius limit reached: no action taken, left for a human',
    short: 'cap reached, no action',
  },
};

/** A resolved vulnerability whose image quarantine was lifted by the workflow. */
const isReleased = (input: NotificationInput): boolean =>
  input.kind === 'vulnerability-resolved' && input.release?.status === 'done';

const RELEASED_TEXT: KindText = {
  emoji: ':white_check_mark:',
  phrase: 'vulnerability resolved, quarantine released',
  short: 'resolved, quarantine released',
};

/** The words for the notification: its kind's, or the released variant of a resolved vulnerability. */
function inputKindText(input: NotificationInput): KindText {
  return isReleased(input) ? RELEASED_TEXT : kindText(input.kind);
}

/** From the plan's disposition and what the actions reported, the notification to send. */
export function selectKind(plan: ResponsePlan, results?: ResponseResults): NotificationKind {
  const d = plan.disposition;
  if (d === 'sample' || d === 'exempt' || d === 'observe') return d;
  if (d !== 'contain' && d !== 'isolate') return 'notify-only';
  if (!results) return d === 'contain' ? 'contained' : 'isolated';
  if (succeeded(results.stop)) return 'contained';
  if (succeeded(results.isolate)) return 'isolated';
  if (succeeded(results.quarantine)) return 'image-quarantined';
  return 'notify-only';
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks shared by the kinds.

function repeatPhrase(input: NotificationInput): string {
  const r = input.repeat;
  const n = r?.count ?? (isRuntime(input.finding) ? input.finding.count : undefined);
  const noun = isVulnerability(input.finding) ? 'findings' : 'times';
  const was = r?.previousCount !== undefined ? ` (was ${count(r.previousCount)})` : '';
  return isVulnerability(input.finding) ? `now ${count(n)} ${noun}${was}` : `seen ${count(n)} ${noun}${was}`;
}

function severityText(f: RuntimeFinding | VulnerabilityFinding): Seg[] {
  if (isRuntime(f)) return [t(`${num(f.severity)} `), v(f.severityLabel, LIMITS.short)];
  const score = f.inspectorScore !== undefined ? [t(` (Inspector score ${num(f.inspectorScore)})`)] : [];
  return [v(f.severity, LIMITS.short), ...score];
}

/** The one-line headline shared by title, summary and the email's first line. */
function headline(input: NotificationInput): Line {
  const f = input.finding;
  const kind = inputKindText(input);
  const phrase = input.kind === 'repeat' ? repeatPhrase(input) : kind.phrase;
  const tail =
    input.kind === 'step-failed' && input.failure
      ? [t(' — step '), v(input.failure.state, LIMITS.short), t(' failed')]
      : [t(` — ${phrase}`)];
  if (isRuntime(f)) {
    return [
      ...(input.kind === 'repeat' ? [t('Update: ')] : []),
      ...severityText(f),
      t(' '),
      v(describeFindingType(f.type), LIMITS.short),
      t(' in '),
      v(f.cluster.name, LIMITS.short),
      ...tail,
    ];
  }
  if (isVulnerability(f)) {
    const ids = input.aggregated?.vulnerabilityIds ?? [];
    const more = ids.length > 1 ? [t(` and ${ids.length - 1} more`)] : [];
    return [
      ...(input.kind === 'repeat' ? [t('Update: ')] : []),
      ...severityText(f),
      t(' '),
      v(f.vulnerabilityId ?? ids[0] ?? 'vulnerability', LIMITS.short),
      ...more,
      t(' in '),
      v(f.image.repository, LIMITS.short),
      ...tail,
    ];
  }
  return [t('shield-right'), ...tail];
}

function subjectText(input: NotificationInput): string {
  const f = input.finding;
  const kind = inputKindText(input);
  const what =
    input.kind === 'step-failed' && input.failure
      ? `step ${plainText(input.failure.state, LIMITS.short)} failed for`
      : '';
  if (isRuntime(f)) {
    const severity = plainText(f.severityLabel, 16);
    const cluster = ` in ${plainText(f.cluster.name, 40)}`;
    if (input.kind === 'repeat') {
      return fitSubject(`[shield-right] Update: ${severity} `, f.type, `${cluster}, ${repeatPhrase(input)}`);
    }
    const prefix = what ? `[shield-right] ${what} ${severity} ` : `[shield-right] ${severity} `;
    return fitSubject(prefix, f.type, `${what ? '' : ` ${kind.short}`}${cluster}`);
  }
  if (isVulnerability(f)) {
    const id = plainText(f.vulnerabilityId ?? input.aggregated?.vulnerabilityIds[0] ?? 'vulnerability', 40);
    const body = `${plainText(f.severity, 16)} ${id} in ${plainText(f.image.repository, 64)}`;
    const running = input.exposure ? `, ${plural(input.exposure.tasks.length, 'running task')}` : '';
    if (input.kind === 'repeat') return `[shield-right] Update: ${body}, ${repeatPhrase(input)}`;
    return `[shield-right] ${what ? `${what} ` : ''}${body}${what ? '' : `: ${kind.short}${running}`}`;
  }
  return input.kind === 'step-failed' && input.failure
    ? `[shield-right] step ${plainText(input.failure.state, LIMITS.short)} failed`
    : `[shield-right] ${kind.short}: no action taken`;
}

/** The finding type gives way first when the subject is too long: severity, outcome and cluster matter more. */
function fitSubject(prefix: string, type: string, suffix: string): string {
  const room =
    SUBJECT_MAX - asciiText(prefix, SUBJECT_MAX).length - asciiText(suffix, SUBJECT_MAX).length - 2;
  return `${prefix}${asciiText(type, Math.max(12, room))}${suffix}`;
}

function processLines(f: RuntimeFinding): Line[] {
  const p = f.process;
  if (!p) return [];
  const lines: Line[] = [];
  const main: Seg[] = [c(p.name ?? 'unknown')];
  if (p.executablePath) main.push(t(' · '), c(p.executablePath, LIMITS.path));
  if (p.pid) main.push(t(' · pid '), v(p.pid, LIMITS.short));
  if (p.user) main.push(t(' · user '), c(p.user, LIMITS.short));
  lines.push(field('Process', ...main));
  if (p.commandLine) lines.push(field('Command line', c(p.commandLine, LIMITS.commandLine)));
  if (p.executableSha256) lines.push(field('Executable SHA-256', c(p.executableSha256, LIMITS.short)));
  if (p.parent) {
    const parent: Seg[] = [c(p.parent.name ?? 'unknown')];
    if (p.parent.executablePath) parent.push(t(' · '), c(p.parent.executablePath, LIMITS.path));
    if (p.parent.pid) parent.push(t(' · pid '), v(p.parent.pid, LIMITS.short));
    lines.push(field('Parent process', ...parent));
  }
  return lines;
}

function imageLines(f: RuntimeFinding, e: TaskEnrichment | undefined): Line[] {
  return capped(f.containers, 10, (container) => {
    const digest = e?.containers.find((x) => x.name === container.name)?.digest ?? container.image.digest;
    return field(
      'Image',
      c(container.image.uri, LIMITS.path),
      t(' · digest '),
      digest ? c(digest, LIMITS.short) : t('unknown'),
      t(' · container '),
      c(container.name),
    );
  });
}

function runtimeFacts(input: NotificationInput, f: RuntimeFinding): Section {
  const e = input.enrichment;
  const lines: Line[] = [
    field('Severity', ...severityText(f)),
    field('Finding', v(describeFindingType(f.type), LIMITS.short), t(' ('), c(f.type, LIMITS.short), t(')')),
  ];
  if (f.title) lines.push(field('Title', v(f.title, LIMITS.text)));
  lines.push(field('Account / region', c(f.accountId, LIMITS.short), t(' / '), c(f.region, LIMITS.short)));
  const where: Seg[] = [c(f.cluster.name)];
  const service = e?.service?.name ?? f.task?.serviceName;
  if (service) where.push(t(' · service '), c(service));
  if (f.task) where.push(t(' · task '), c(f.task.id, LIMITS.short));
  lines.push(field('Cluster', ...where));
  if (f.task && e) {
    const state: Seg[] = [v(e.lastStatus ?? 'unknown', LIMITS.short)];
    if (e.desiredStatus) state.push(t(' (desired '), v(e.desiredStatus, LIMITS.short), t(')'));
    const launch = e.launchType ?? f.task.launchType;
    if (launch) state.push(t(' · '), v(launch, LIMITS.short));
    state.push(t(' · network '), v(e.networkMode, LIMITS.short));
    if (e.eniId) state.push(t(' · ENI '), c(e.eniId, LIMITS.short));
    if (e.privateIp) state.push(t(' · IP '), c(e.privateIp, LIMITS.short));
    lines.push(field('Task', ...(e.found ? state : [t('not found (gone)')])));
    if (e.service) {
      lines.push(
        field(
          'Service tasks',
          t(`${count(e.service.runningCount)} running / ${count(e.service.desiredCount)} desired`),
        ),
      );
    }
  }
  lines.push(...imageLines(f, e), ...processLines(f));
  lines.push(
    field(
      'Seen',
      t(`${plural(intOf(f.count) ?? 1, 'time')}, first `),
      v(f.firstSeen, LIMITS.short),
      t(', last '),
      v(f.lastSeen, LIMITS.short),
    ),
  );
  if (f.description) lines.push(field('Description', v(f.description, LIMITS.text)));
  lines.push(field('Incident', c(f.incidentId, LIMITS.short)));
  return { lines };
}

function vulnerabilityFacts(input: NotificationInput, f: VulnerabilityFinding): Section[] {
  const lines: Line[] = [
    field('Severity', ...severityText(f)),
    field('Vulnerability', c(f.vulnerabilityId ?? 'unknown', LIMITS.short)),
  ];
  if (f.title) lines.push(field('Title', v(f.title, LIMITS.text)));
  const risk: Seg[] = [t('EPSS ')];
  risk.push(
    f.epssScore !== undefined ? t(`${num(f.epssScore, 3)} (${num(f.epssScore * 100)}%)`) : t('unknown'),
  );
  risk.push(
    t(' · exploit available '),
    v(f.exploitAvailable, 16),
    t(' · fix available '),
    v(f.fixAvailable, 16),
  );
  lines.push(field('Risk', ...risk));
  lines.push(field('Account / region', c(f.accountId, LIMITS.short), t(' / '), c(f.region, LIMITS.short)));
  const image: Seg[] = [c(f.image.repository), t('@'), c(f.image.digest, LIMITS.short)];
  if (f.image.tags.length > 0) {
    image.push(
      t(' · tags '),
      ...joinSegs(
        f.image.tags.slice(0, 10).map((tag) => c(tag, LIMITS.short)),
        ', ',
      ),
    );
    if (f.image.tags.length > 10) image.push(t(` and ${f.image.tags.length - 10} more`));
  }
  lines.push(field('Image', ...image));
  if (f.image.pushedAt) lines.push(field('Pushed', v(f.image.pushedAt, LIMITS.short)));
  if (f.description) lines.push(field('Description', v(f.description, LIMITS.text)));
  if (f.sourceUrl) {
    const safe = SAFE_URL.test(f.sourceUrl) && f.sourceUrl.length <= LIMITS.path;
    lines.push(field('Advisory', safe ? url(f.sourceUrl) : v(f.sourceUrl, LIMITS.path)));
  }
  lines.push(field('Incident', c(f.incidentId, LIMITS.short)));
  const sections: Section[] = [{ lines }];
  if (f.packages.length > 0) {
    sections.push({
      heading: 'Vulnerable packages',
      bullets: true,
      lines: capped(f.packages, LIST_MAX, (p) => [
        c(p.name),
        t(' installed '),
        c(p.version ?? 'unknown', LIMITS.short),
        t(' → fixed in '),
        p.fixedInVersion ? c(p.fixedInVersion, LIMITS.short) : t('no fix yet'),
        ...(p.packageManager ? [t(' ('), v(p.packageManager, LIMITS.short), t(')')] : []),
      ]),
    });
  }
  const ag = input.aggregated;
  if (ag && (ag.findingArns.length > 1 || ag.vulnerabilityIds.length > 1)) {
    const ids = ag.vulnerabilityIds.slice(0, LIST_MAX).map((id) => c(id, LIMITS.short));
    const more =
      ag.vulnerabilityIds.length > LIST_MAX ? [t(` and ${ag.vulnerabilityIds.length - LIST_MAX} more`)] : [];
    sections.push({
      heading: `This incident gathers ${plural(ag.findingArns.length, 'finding')} for this image`,
      lines: ids.length > 0 ? [[...joinSegs(ids, ', '), ...more]] : [],
    });
  }
  return sections;
}

function isolationLine(r: IsolationResult): Line {
  const segs: Seg[] = [label('Isolate task:'), t(' '), status(r.status)];
  if (r.method === 'security-group-rules-revoked') {
    segs.push(t(' — security group rules revoked'));
    if (r.revokedRuleCount !== undefined)
      segs.push(t(` (${plural(intOf(r.revokedRuleCount) ?? 0, 'rule')})`));
    if (r.eniId) segs.push(t(' on ENI '), c(r.eniId, LIMITS.short));
    const groups = (r.securityGroupIds ?? []).slice(0, 10);
    if (groups.length > 0)
      segs.push(
        t(', groups '),
        ...joinSegs(
          groups.map((g) => c(g, LIMITS.short)),
          ', ',
        ),
      );
  } else if (r.method === 'container-instance-quarantined') {
    segs.push(t(' — container instance quarantined'));
    if (r.ec2InstanceId) segs.push(t(' (EC2 '), c(r.ec2InstanceId, LIMITS.short), t(')'));
  }
  if (r.reason) segs.push(t(' — '), v(r.reason, LIMITS.text));
  if (r.evidenceKey) segs.push(t(' · saved for release in '), c(r.evidenceKey, LIMITS.path));
  return segs;
}

function quarantineLines(r: QuarantineResult): Line[] {
  const head: Line = [label('Quarantine image:'), t(' '), status(r.status)];
  const images = capped(r.images, LIST_MAX, (img) => {
    const segs: Seg[] = [
      t('  ◦ '),
      c(img.repository),
      t('@'),
      img.digest ? c(img.digest, LIMITS.short) : t('?'),
    ];
    segs.push(t(': '), status(img.status));
    const moved = img.movedTags.slice(0, 10);
    if (moved.length > 0) {
      segs.push(t(' — tags moved '), ...movedTagSegs(moved));
      if (img.movedTags.length > 10) segs.push(t(` and ${img.movedTags.length - 10} more`));
    }
    if (img.archived) segs.push(t(' · archived'));
    if (img.reason) segs.push(t(' — '), v(img.reason, LIMITS.text));
    return segs;
  });
  return [head, ...images];
}

/** Tag moves as `from → to`, separated by commas. */
function movedTagSegs(moves: readonly { readonly from: string; readonly to: string }[]): Seg[] {
  return moves.flatMap((m, i) => [
    ...(i > 0 ? [t(', ')] : []),
    c(m.from, LIMITS.short),
    t(' → '),
    c(m.to, LIMITS.short),
  ]);
}

function resultLines(results: ResponseResults | undefined, f: RuntimeFinding | undefined): Line[] {
  if (!results) return [];
  const lines: Line[] = [];
  if (results.stop) {
    const segs: Seg[] = [label('Stop task:'), t(' '), status(results.stop.status)];
    const id = arnTail(results.stop.taskArn) || f?.task?.id;
    if (id) segs.push(t(' — task '), c(id, LIMITS.short));
    if (results.stop.lastStatus) segs.push(t(', last status '), v(results.stop.lastStatus, LIMITS.short));
    if (results.stop.reason) segs.push(t(' — '), v(results.stop.reason, LIMITS.text));
    lines.push(segs);
  }
  if (results.isolate) lines.push(isolationLine(results.isolate));
  if (results.quarantine) lines.push(...quarantineLines(results.quarantine));
  if (results.tagService) {
    const segs: Seg[] = [label('Tag service:'), t(' '), status(results.tagService.status)];
    if (results.tagService.reason) segs.push(t(' — '), v(results.tagService.reason, LIMITS.text));
    lines.push(segs);
  }
  return lines;
}

const RELEASE_STEP_WORDS: Record<string, string> = {
  'restore-image': 'Release image:',
  'mark-released': 'Mark the incident released:',
};

const RELEASE_STATUS_WORDS: Record<string, string> = {
  ...STATUS_WORDS,
  pending: 'pending (run the release again)',
};

/** A release status in our words, or escaped when it is not one we know. */
function releaseStatus(value: string): Seg {
  const words = Object.hasOwn(RELEASE_STATUS_WORDS, value) ? RELEASE_STATUS_WORDS[value] : undefined;
  return words ? t(words) : v(value, LIMITS.short);
}

/** What the release of an image quarantine did, step by step. */
function releaseLines(release: ReleaseReport | undefined): Line[] {
  return capped(release?.steps ?? [], LIST_MAX, (step) => {
    const words = Object.hasOwn(RELEASE_STEP_WORDS, step.action)
      ? RELEASE_STEP_WORDS[step.action]
      : undefined;
    const segs: Seg[] = [
      ...(words ? [label(words)] : [label('Release:'), t(' '), v(step.action, LIMITS.short)]),
      t(' '),
      releaseStatus(step.status),
      t(' — '),
      c(step.target, LIMITS.path),
    ];
    if (step.detail) segs.push(t(': '), v(step.detail, LIMITS.text));
    return segs;
  });
}

function doneSection(input: NotificationInput): Section {
  const f = isRuntime(input.finding) ? input.finding : undefined;
  const lines = [...resultLines(input.results, f), ...releaseLines(input.release)];
  const heading = input.kind === 'step-failed' ? 'Done before the failure' : 'What was done';
  if (lines.length === 0) {
    const would = plannedActions(input.plan);
    // A failure report does not carry the results of the steps that finished before it.
    const nothing: Line = [
      t(
        input.kind === 'step-failed'
          ? 'Not known from this message: the execution history lists the steps that completed.'
          : 'Nothing was changed.',
      ),
    ];
    const wouldLine: Line[] =
      would.length > 0 && ['observe', 'exempt', 'cap-reached', 'step-failed'].includes(input.kind)
        ? [
            [
              label(input.kind === 'step-failed' ? 'Planned:' : 'Would have done:'),
              t(' '),
              ...joinSegs(would.map(actionWords), ', '),
            ],
          ]
        : [];
    return { heading, lines: [nothing, ...wouldLine] };
  }
  return { heading, lines, bullets: false };
}

function planSections(plan: ResponsePlan | ImagePlan | undefined): Section[] {
  if (!plan) return [];
  const sections: Section[] = [];
  if (plan.skipped.length > 0) {
    sections.push({
      heading: 'Skipped',
      bullets: true,
      lines: capped(plan.skipped, LIST_MAX, (s) => [
        actionWords(s.action),
        t(': '),
        v(s.reason, LIMITS.text),
      ]),
    });
  }
  if (plan.reasons.length > 0) {
    sections.push({
      heading: 'Why',
      bullets: true,
      lines: capped(plan.reasons, 10, (r) => [v(r, LIMITS.text)]),
    });
  }
  if (plan.recommendations.length > 0) {
    sections.push({
      heading: 'Recommendations',
      bullets: true,
      lines: capped(plan.recommendations, 10, (r) => [v(r, LIMITS.text)]),
    });
  }
  return sections;
}

function exposedTaskLine(task: ExposedTask): Line {
  const segs: Seg[] = [
    t('task '),
    c(arnTail(task.taskArn), LIMITS.short),
    t(' · cluster '),
    c(clusterNameOf(task.clusterArn)),
  ];
  if (task.serviceName) segs.push(t(' · service '), c(task.serviceName));
  segs.push(t(' · '), c(task.image, LIMITS.path));
  return segs;
}

function exposureSections(input: NotificationInput): Section[] {
  const radius = input.exposure ?? input.results?.blastRadius;
  if (!radius) return [];
  const own = isRuntime(input.finding) ? input.finding.task?.arn : undefined;
  const tasks = radius.tasks.filter((task) => task.taskArn !== own);
  const scope = isRuntime(input.finding) ? 'other running task' : 'running task';
  const bound = radius.truncated ? '; the scan stopped at its bound, there may be more' : '';
  const summary = `${plural(tasks.length, scope)} use${tasks.length === 1 ? 's' : ''} the same image digest (scanned ${count(radius.scannedTasks)} tasks${bound})`;
  // Bounded keys: service names are attacker-influenced and may be huge.
  const services = new Set(
    tasks
      .filter((task) => task.serviceName)
      .map((task) => `${task.clusterArn.slice(0, 2048)}|${task.serviceName?.slice(0, 512)}`),
  );
  const serviceNote: Line[] = services.size > 0 ? [[t(`${plural(services.size, 'service')} affected`)]] : [];
  return [
    {
      heading: isRuntime(input.finding) ? 'Blast radius' : 'Exposure',
      lines: [[t(summary)], ...serviceNote],
    },
    { bullets: true, lines: capped(tasks, LIST_MAX, exposedTaskLine) },
  ];
}

/** Step Functions passes a Lambda error's cause as JSON `{ errorType, errorMessage, trace }`: show the message. */
export function causeMessage(cause: string | undefined): {
  readonly type?: string;
  readonly message: string;
} {
  const text = asText(cause);
  if (text.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') {
        const record = parsed as Record<string, unknown>;
        const message = asText(record.errorMessage) || asText(record.message) || asText(record.Cause);
        const type = asText(record.errorType) || undefined;
        if (message) return type ? { type, message } : { message };
      }
    } catch {
      // Not JSON after all: shown as it is.
    }
  }
  return { message: text };
}

function failureSection(failure: StepFailure | undefined, invalid: boolean): Section | undefined {
  if (!failure) return undefined;
  const cause = causeMessage(failure.cause);
  const lines: Line[] = [];
  if (!invalid) lines.push(field('Failed step', c(failure.state, LIMITS.short)));
  lines.push(field('Error', c(cause.type ?? failure.error, LIMITS.short)));
  // InvalidFindingError messages start with the field that was wrong.
  const wrong = /^([A-Za-z0-9_.[\]-]{1,200}): /.exec(cause.message)?.[1];
  if (invalid && wrong) lines.push(field('Field', c(wrong, LIMITS.short)));
  lines.push(field('Cause', v(cause.message, LIMITS.text)));
  if (invalid && failure.state) lines.push(field('Step', c(failure.state, LIMITS.short)));
  return { heading: invalid ? 'What was wrong' : 'What failed', lines };
}

function evidenceLine(input: NotificationInput, what: string): Line | undefined {
  const e = input.evidence;
  if (!e) return undefined;
  return [t(`${what} `), c(`s3://${e.bucket}/${e.key}`, LIMITS.path)];
}

// ---------------------------------------------------------------------------------------------------------
// Next steps: exact CLI commands first, then the console links.

const RELEASE_STATUS = /contain|isolat|quarantin|stopp/i;

function nextSteps(input: NotificationInput, incidentId: string | undefined): Line[] {
  const f = input.finding;
  const steps: Line[] = [];
  const exec = input.execution?.arn;
  const runtime = isRuntime(f) ? f : undefined;
  const release = (why: string): void => {
    if (incidentId) steps.push([t(`${why}: `), cmd(`shield-right release ${incidentId}`)]);
  };
  const respond = (why: string): void => {
    if (runtime?.task && !runtime.sample) {
      steps.push([t(`${why}: `), cmd(`shield-right respond --finding-id ${runtime.findingId} --force`)]);
    }
  };
  switch (input.kind) {
    case 'image-quarantined':
      if (isVulnerability(f)) {
        steps.push(rebuildStep(f), [
          t('Redeploy every service that runs the image (see the exposure list).'),
        ]);
        release('After redeploying, lift the image quarantine');
        break;
      }
      steps.push([t('Investigate with the evidence and the links below before releasing anything.')]);
      release('When the investigation is over, lift the containment');
      break;
    case 'contained':
    case 'isolated':
    case 'already-contained':
      steps.push([t('Investigate with the evidence and the links below before releasing anything.')]);
      release('When the investigation is over, lift the containment');
      break;
    case 'repeat': {
      const contained =
        RELEASE_STATUS.test(input.repeat?.status ?? '') || resultLines(input.results, runtime).length > 0;
      if (contained) release('When the investigation is over, lift the containment');
      else respond('To act now');
      break;
    }
    case 'notify-only':
    case 'exempt':
    case 'observe':
      respond('If you decide to act, contain the task');
      break;
    case 'cap-reached':
      respond('To act anyway, contain the task');
      if (exec)
        steps.push([
          t('Or run the response again once the window has passed: '),
          cmd(`shield-right rerun ${exec}`),
        ]);
      break;
    case 'step-failed':
      if (exec) {
        steps.push([
          t('Fix the cause, then redrive from the failed step: '),
          cmd(`shield-right redrive ${exec}`),
        ]);
        steps.push([t('Or start the response over: '), cmd(`shield-right rerun ${exec}`)]);
      }
      break;
    case 'vulnerability':
      steps.push(rebuildStep(f));
      steps.push([t('Redeploy every service that runs the image (see the exposure list).')]);
      if (succeeded(input.results?.quarantine)) release('After redeploying, lift the image quarantine');
      break;
    case 'vulnerability-resolved':
      if (isReleased(input)) {
        steps.push([t('Nothing to undo: the quarantine was lifted automatically.')]);
      } else if (input.release?.status === 'pending' || input.release?.status === 'failed') {
        release('Finish lifting the quarantine');
      } else {
        release('If the image was quarantined, lift the quarantine');
      }
      break;
    case 'invalid-input':
      steps.push([t('Look at the stored raw event, then fix the rule or the producer that sent it.')]);
      break;
    case 'sample':
      steps.push([t('Nothing to do: sample findings name placeholder resources.')]);
      break;
  }
  return [...steps, ...links(input)];
}

function rebuildStep(f: NotificationInput['finding']): Line {
  if (!isVulnerability(f)) return [t('Rebuild the image with fixed package versions.')];
  const fixes = f.packages.filter((p) => p.fixedInVersion).slice(0, 5);
  if (fixes.length === 0)
    return [t('Rebuild the image once a fix is available, or remove the vulnerable package.')];
  const pins = fixes.map((p) => c(`${p.name} ${p.fixedInVersion ?? ''}`, LIMITS.short));
  return [t('Rebuild the image with '), ...joinSegs(pins, ', '), t(' (or later)')];
}

function links(input: NotificationInput): Line[] {
  const f = input.finding;
  const out: Line[] = [];
  const home = regionOf(input.region, input.region);
  const ok = (pattern: RegExp, value: unknown): value is string =>
    typeof value === 'string' && pattern.test(value);
  if (isRuntime(f)) {
    const region = regionOf(f.region, home);
    if (ok(LINKABLE.findingId, f.findingId)) {
      out.push([t('GuardDuty finding: '), url(guardDutyFindingUrl(region, f.findingId))]);
    }
    if (f.task && ok(LINKABLE.cluster, f.cluster.name) && ok(LINKABLE.taskId, f.task.id)) {
      out.push([t('ECS task: '), url(ecsTaskUrl(region, f.cluster.name, f.task.id))]);
    }
  }
  if (
    isVulnerability(f) &&
    ok(LINKABLE.repository, f.image.repository) &&
    ok(LINKABLE.digest, f.image.digest)
  ) {
    const region = regionOf(f.region, home);
    out.push([
      t('Inspector findings for the image: '),
      url(inspectorImageUrl(region, f.image.repository, f.image.digest)),
    ]);
  }
  const exec = input.execution?.arn;
  if (ok(SAFE_ARN, exec)) out.push([t('Step Functions execution: '), url(executionUrl(home, exec))]);
  const e = input.evidence;
  if (e && ok(LINKABLE.bucket, e.bucket) && ok(LINKABLE.key, e.key)) {
    out.push([t('Evidence: '), url(evidenceUrl(home, e.bucket, e.key))]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The description, kind by kind.

function statusSection(input: NotificationInput): Section | undefined {
  const r = input.repeat;
  switch (input.kind) {
    case 'repeat':
    case 'already-contained': {
      const segs: Seg[] = [label('Update:'), t(` ${repeatPhrase(input)}`)];
      if (r?.status) segs.push(t(' · incident status '), v(r.status, LIMITS.short));
      if (r?.firstSeen) segs.push(t(' · first seen '), v(r.firstSeen, LIMITS.short));
      const lines: Line[] = [segs];
      if (input.kind === 'already-contained')
        lines.push([t('The incident was already contained: nothing new was done.')]);
      return { lines };
    }
    case 'observe':
      return { lines: [[t('Observe mode: shield-right planned the response only.')]] };
    case 'exempt':
      return { lines: [[t('The resource is exempt from automatic response.')]] };
    case 'sample':
      return { lines: [[t('GuardDuty sample finding: placeholder resources, nothing to act on.')]] };
    case 'cap-reached': {
      const caps = input.plan?.caps;
      const limits = caps
        ? t(
            caps.cluster === undefined
              ? ` (at most ${count(caps.account)} actions per account in the window)`
              : ` (at most ${count(caps.cluster)} actions per cluster and ${count(caps.account)} per account in the window)`,
          )
        : t('');
      return {
        lines: [
          [label('Blast-radius limit reached'), limits, t(': shield-right stopped acting automatically.')],
          [t('The incident is left open for a human to decide.')],
        ],
      };
    }
    case 'step-failed':
      return {
        lines: [
          [
            t('The execution is '),
            label('Failed'),
            t(': what was done before the failure stays in place; it can be redriven from the failed step.'),
          ],
        ],
      };
    case 'vulnerability-resolved':
      return {
        lines: [
          [
            t('Inspector reports the finding '),
            v(isVulnerability(input.finding) ? input.finding.status : 'CLOSED', 16),
            t(': the vulnerability is no longer in the image.'),
          ],
          ...releaseStatusLines(input.release),
        ],
      };
    default:
      return undefined;
  }
}

/** Whether the workflow lifted the image quarantine (inspector.releaseOnClose), and if not, why. */
function releaseStatusLines(release: ReleaseReport | undefined): Line[] {
  if (!release) return [];
  if (release.status === 'done') {
    return [
      [
        label('Quarantine released'),
        t(
          ' (inspector.releaseOnClose): the image has its storage class and tags back as recorded before the quarantine.',
        ),
      ],
    ];
  }
  return [
    [
      label('Quarantine not released'),
      t(' ('),
      releaseStatus(release.status),
      t(')'),
      ...(release.reason ? [t(': '), v(release.reason, LIMITS.text)] : []),
    ],
  ];
}

function invalidInputSections(input: NotificationInput): Section[] {
  const raw = input.rawEventSummary;
  const event: Line[] = [];
  if (raw?.source) event.push(field('Source', c(raw.source, LIMITS.short)));
  if (raw?.detailType) event.push(field('Detail type', c(raw.detailType, LIMITS.short)));
  if (raw?.id) event.push(field('Event id', c(raw.id, LIMITS.short)));
  const evidence = evidenceLine(input, 'The raw event was stored as evidence:');
  return [
    { lines: [[t('An event reached shield-right that it cannot act on. '), label('No action was taken.')]] },
    ...[failureSection(input.failure, true)].filter((s): s is Section => s !== undefined),
    ...(event.length > 0 ? [{ heading: 'Event', lines: event }] : []),
    { lines: [evidence ?? [t('The raw event could not be stored as evidence.')]] },
  ];
}

function sections(input: NotificationInput): Section[] {
  if (input.kind === 'invalid-input' && !input.finding) return invalidInputSections(input);
  const f = input.finding;
  const out: (Section | undefined)[] = [statusSection(input)];
  if (input.kind === 'step-failed') out.push(failureSection(input.failure, false));
  if (input.kind === 'invalid-input') out.push(...invalidInputSections(input));
  if (isRuntime(f)) out.push(runtimeFacts(input, f));
  if (isVulnerability(f)) out.push(...vulnerabilityFacts(input, f));
  if (input.kind !== 'sample') out.push(doneSection(input));
  out.push(...planSections(input.plan), ...exposureSections(input));
  const evidence = input.kind === 'invalid-input' ? undefined : evidenceLine(input, 'Evidence:');
  if (evidence) out.push({ lines: [evidence] });
  return out.filter((s): s is Section => s !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Metadata: thread, keywords, related resources, context, message attributes.

const SAFE_ID = /[^A-Za-z0-9_.:/@=+-]/g;
const SAFE_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[A-Za-z0-9_/:.@=+,-]{1,1024}$/;
const SAFE_TOKEN = /^[A-Za-z0-9_.:/@=+,-]{1,256}$/;

function incidentIdOf(input: NotificationInput): string | undefined {
  return input.finding?.incidentId ?? input.plan?.incidentId;
}

/** Every message of one incident threads under its incident id; invalid input under its event. */
function threadIdOf(input: NotificationInput): string {
  const raw =
    incidentIdOf(input) ??
    `invalid-${input.rawEventSummary?.id ?? input.execution?.name ?? arnTail(input.execution?.arn) ?? 'event'}`;
  return truncate(asText(raw).replace(SAFE_ID, '-'), 256) || 'shield-right';
}

function eventIdOf(input: NotificationInput, threadId: string): string {
  const event = input.finding?.eventId ?? input.rawEventSummary?.id ?? input.execution?.name ?? '';
  const n =
    input.kind === 'repeat' || input.kind === 'already-contained' ? `:${count(input.repeat?.count)}` : '';
  return truncate(`${threadId}:${input.kind}${n}:${asText(event)}`.replace(SAFE_ID, '-'), 256);
}

function relatedResources(input: NotificationInput): string[] {
  const f = input.finding;
  const arns: (string | undefined)[] = [];
  if (isRuntime(f)) {
    arns.push(f.findingArn, f.task?.arn, f.cluster.arn, input.enrichment?.service?.arn);
    for (const container of f.containers) {
      const ecr = container.image.ecr;
      if (ecr)
        arns.push(
          `arn:${f.partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${container.image.repository}`,
        );
    }
  }
  if (isVulnerability(f)) {
    arns.push(
      f.findingArn,
      `arn:${f.partition}:ecr:${f.region}:${f.image.registryId}:repository/${f.image.repository}`,
    );
    arns.push(...(input.aggregated?.findingArns ?? []));
  }
  arns.push(input.execution?.arn);
  const unique = [...new Set(arns.filter((a): a is string => typeof a === 'string' && SAFE_ARN.test(a)))];
  return unique.slice(0, RELATED_MAX);
}

function keywords(input: NotificationInput): string[] {
  const f = input.finding;
  const words = ['shield-right', input.kind];
  if (isRuntime(f)) words.push(asText(f.severityLabel), asText(f.type), asText(f.cluster.name));
  if (isVulnerability(f))
    words.push(asText(f.severity), asText(f.vulnerabilityId), asText(f.image.repository));
  return [...new Set(words.filter((w) => w !== '').map((w) => chatText(w, KEYWORD_MAX)))].slice(0, 8);
}

/** Exact when the value is a plain token (custom actions read these), escaped otherwise. */
function contextValue(value: unknown): string {
  const text = asText(value);
  return SAFE_TOKEN.test(text) ? text : chatText(text, CONTEXT_VALUE_MAX);
}

function additionalContext(input: NotificationInput, threadId: string): Record<string, string> {
  const f = input.finding;
  const ctx: Record<string, unknown> = { incidentId: threadId, kind: input.kind, region: input.region };
  if (isRuntime(f)) {
    Object.assign(ctx, {
      findingId: f.findingId,
      findingType: f.type,
      severity: num(f.severity),
      severityLabel: f.severityLabel,
      account: f.accountId,
      cluster: f.cluster.name,
      service: input.enrichment?.service?.name ?? f.task?.serviceName,
      taskId: f.task?.id,
    });
  }
  if (isVulnerability(f)) {
    Object.assign(ctx, {
      vulnerabilityId: f.vulnerabilityId,
      severityLabel: f.severity,
      account: f.accountId,
      repository: f.image.repository,
      imageDigest: f.image.digest,
    });
  }
  if (input.execution?.arn) ctx.executionArn = input.execution.arn;
  if (input.failure) ctx.failedState = input.failure.state;
  if (input.release) ctx.release = input.release.status;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx)) {
    const text = contextValue(value);
    if (text !== '') out[key] = text;
  }
  return out;
}

const INSPECTOR_SEVERITY: Record<string, number> = { CRITICAL: 9, HIGH: 7, MEDIUM: 4, LOW: 1 };

/** GuardDuty's 0–10 severity; Inspector labels mapped to the floor of the matching GuardDuty band. */
function severityNumber(f: NotificationInput['finding']): number {
  if (isRuntime(f)) return Number.isFinite(f.severity) ? Math.min(10, Math.max(0, f.severity)) : 0;
  if (isVulnerability(f)) return INSPECTOR_SEVERITY[f.severity] ?? 0;
  return 0;
}

function attributes(input: NotificationInput): MessageAttributes {
  const f = input.finding;
  const str = (value: unknown, fallback: string): { DataType: 'String'; StringValue: string } => ({
    DataType: 'String',
    StringValue: asciiText(value, LIMITS.name) || fallback,
  });
  const severity = severityNumber(f);
  const label = isRuntime(f) ? f.severityLabel : isVulnerability(f) ? f.severity : undefined;
  const type = isRuntime(f) ? f.type : isVulnerability(f) ? 'Inspector:PackageVulnerability' : undefined;
  const cluster = isRuntime(f)
    ? f.cluster.name
    : clusterNameOf((input.exposure ?? input.results?.blastRadius)?.tasks[0]?.clusterArn) || undefined;
  return {
    severity: { DataType: 'Number', StringValue: String(Math.round(severity * 10) / 10) },
    severityLabel: str(label, 'UNKNOWN'),
    findingType: str(type, 'unknown'),
    action: str(input.kind, 'unknown'),
    cluster: str(cluster, 'none'),
    account: str(f?.accountId ?? input.accountId, 'unknown'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering.

function emailText(
  input: NotificationInput,
  head: Line,
  body: readonly Section[],
  steps: readonly Line[],
  budget: number,
): string {
  const parts = [
    `shield-right: ${lineToPlain(head)}`,
    renderSections(body, PLAIN, budget),
    steps.length > 0 ? `NEXT STEPS\n${steps.map((s) => `  - ${lineToPlain(s)}`).join('\n')}` : '',
    `--\nshield-right notification (${input.kind}) for incident ${threadIdOf(input)}.`,
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}

function publishMessage(chat: ChatNotification, email: string): string {
  return JSON.stringify({ default: JSON.stringify(chat), email });
}

/**
 * The email with the largest body budget that keeps the whole message under the limit; the chat variant is
 * bounded by its own limits. Next steps are never the part that gets dropped.
 */
function fitMessage(
  chat: ChatNotification,
  email: (budget: number) => string,
): { message: string; email: string } {
  let text = '';
  let message = '';
  for (const budget of EMAIL_BUDGETS) {
    text = email(budget);
    message = publishMessage(chat, text);
    if (Buffer.byteLength(message, 'utf8') <= MESSAGE_MAX_BYTES) break;
  }
  return { message, email: text };
}

export function renderNotification(input: NotificationInput): RenderedNotification {
  const kind = inputKindText(input);
  const head = headline(input);
  const body = sections(input);
  const steps = nextSteps(input, incidentIdOf(input)).slice(0, NEXT_STEPS_MAX);
  const threadId = threadIdOf(input);
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: eventIdOf(input, threadId),
    content: {
      textType: 'client-markdown',
      title: fitUnits(`${kind.emoji} ${lineToChat(head)}`, TITLE_MAX),
      description: renderSections(body, CHAT, DESCRIPTION_MAX),
      nextSteps: steps.map((s) => fitUnits(lineToChat(s), NEXT_STEP_MAX)),
      keywords: keywords(input),
    },
    metadata: {
      threadId,
      summary: fitUnits(lineToChat(head), SUMMARY_MAX),
      eventType: input.kind,
      relatedResources: relatedResources(input),
      additionalContext: additionalContext(input, threadId),
    },
  };
  const fitted = fitMessage(chat, (budget) => emailText(input, head, body, steps, budget));
  return {
    subject: asciiText(subjectText(input), SUBJECT_MAX) || '[shield-right] notification',
    message: fitted.message,
    chat,
    email: fitted.email,
    attributes: attributes(input),
  };
}
