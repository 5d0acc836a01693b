/** Metadata: thread, keywords, related resources, context, and the SNS message attributes. */
import { asciiText, asText, chatText, LIMITS, truncate } from '../escape';
import { arnTail, clusterNameOf, count, isRuntime, isVulnerability, num } from './format';
import { CONTEXT_VALUE_MAX, KEYWORD_MAX, RELATED_MAX } from './limits';
import type { MessageAttributes, NotificationInput } from './types';

const SAFE_ID = /[^A-Za-z0-9_.:/@=+-]/g;
export const SAFE_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[A-Za-z0-9_/:.@=+,-]{1,1024}$/;
const SAFE_TOKEN = /^[A-Za-z0-9_.:/@=+,-]{1,256}$/;

export function incidentIdOf(input: NotificationInput): string | undefined {
  return input.finding?.incidentId ?? input.plan?.incidentId;
}

/** Every message of one incident threads under its incident id; invalid input under its event. */
export function threadIdOf(input: NotificationInput): string {
  const raw =
    incidentIdOf(input) ??
    `invalid-${input.rawEventSummary?.id ?? input.execution?.name ?? arnTail(input.execution?.arn) ?? 'event'}`;
  return truncate(asText(raw).replace(SAFE_ID, '-'), 256) || 'shield-right';
}

export function eventIdOf(input: NotificationInput, threadId: string): string {
  const event = input.finding?.eventId ?? input.rawEventSummary?.id ?? input.execution?.name ?? '';
  const n =
    input.kind === 'repeat' || input.kind === 'already-contained' ? `:${count(input.repeat?.count)}` : '';
  return truncate(`${threadId}:${input.kind}${n}:${asText(event)}`.replace(SAFE_ID, '-'), 256);
}

export function relatedResources(input: NotificationInput): string[] {
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

export function keywords(input: NotificationInput): string[] {
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

export function additionalContext(input: NotificationInput, threadId: string): Record<string, string> {
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
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx)) {
    const text = contextValue(value);
    if (text !== '') out[key] = text;
  }
  return out;
}

/** Inspector severity labels (and the release's stored label) at the floor of the matching GuardDuty band. */
const SEVERITY_OF_LABEL: Record<string, number> = { CRITICAL: 9, HIGH: 7, MEDIUM: 4, LOW: 1 };

export function severityOfLabel(label: string): number {
  return SEVERITY_OF_LABEL[label] ?? 0;
}

/** The severity an incident item recorded: its number, else its label's band. */
export function severityOfIncident(item: Readonly<Record<string, unknown>>): number {
  if (typeof item.severity === 'number') return item.severity;
  return severityOfLabel(typeof item.severityLabel === 'string' ? item.severityLabel : '');
}

/** GuardDuty's 0–10 severity; Inspector labels mapped to the floor of the matching GuardDuty band. */
function severityNumber(f: NotificationInput['finding']): number {
  if (isRuntime(f)) return Number.isFinite(f.severity) ? Math.min(10, Math.max(0, f.severity)) : 0;
  if (isVulnerability(f)) return severityOfLabel(f.severity);
  return 0;
}

/** The values every notification, the release too, carries as SNS message attributes. */
export interface AttributeValues {
  readonly severity: number;
  readonly severityLabel: unknown;
  readonly findingType: unknown;
  readonly action: string;
  readonly cluster: unknown;
  readonly account: unknown;
}

/**
 * The SNS message attributes subscription filter policies match on (minimum severity, action, cluster,
 * account): the same six on every message. `labelFallback` stands in for a missing severity label.
 */
export function messageAttributes(values: AttributeValues, labelFallback = 'UNKNOWN'): MessageAttributes {
  const str = (raw: unknown, fallback: string): { DataType: 'String'; StringValue: string } => ({
    DataType: 'String',
    StringValue: asciiText(raw, LIMITS.name) || fallback,
  });
  return {
    severity: { DataType: 'Number', StringValue: String(Math.round(values.severity * 10) / 10) },
    severityLabel: str(values.severityLabel, labelFallback),
    findingType: str(values.findingType, 'unknown'),
    action: str(values.action, 'unknown'),
    cluster: str(values.cluster, 'none'),
    account: str(values.account, 'unknown'),
  };
}

export function attributes(input: NotificationInput): MessageAttributes {
  const f = input.finding;
  return messageAttributes({
    severity: severityNumber(f),
    severityLabel: isRuntime(f) ? f.severityLabel : isVulnerability(f) ? f.severity : undefined,
    findingType: isRuntime(f) ? f.type : isVulnerability(f) ? 'Inspector:PackageVulnerability' : undefined,
    action: input.kind,
    cluster: isRuntime(f)
      ? f.cluster.name
      : clusterNameOf((input.exposure ?? input.results?.blastRadius)?.tasks[0]?.clusterArn) || undefined,
    account: f?.accountId ?? input.accountId,
  });
}
