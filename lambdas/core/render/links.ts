/** Console links. Every value is percent-encoded, so no markup can ride in a URL. */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
// A vendor advisory URL shown as a link only when it holds nothing that could become markup.
export const SAFE_URL = /^https:\/\/[A-Za-z0-9.-]+(?:\/[A-Za-z0-9._/%?=+:#-]*)?$/;

// `_` too: inside a link it could still pair up as italics in some clients.
function enc(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*~_]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Links are built only from values that look like what they claim to be: a link made of attacker garbage
// helps nobody, and a cut-off one misleads.
export const LINKABLE = {
  findingId: /^[A-Za-z0-9_-]{1,128}$/,
  cluster: /^[A-Za-z0-9_-]{1,255}$/,
  taskId: /^[A-Za-z0-9_-]{1,128}$/,
  bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  key: /^[\x21-\x7E]{1,1024}$/,
  repository: /^[a-z0-9][a-z0-9._/-]{0,255}$/,
  digest: /^sha256:[a-f0-9]{64}$/,
} as const;

export function regionOf(value: string | undefined, fallback: string): string {
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
