/**
 * One incident as a self-contained page (`shield-right incident ID --html FILE`): what it is, what was
 * done, the path through the workflow (the execution history's steps), the timeline, and links to its
 * evidence in the S3 console. Every value is escaped; links are only to the AWS console.
 */
import { escapeHtml, html, page, pathHtml } from './page';

export interface IncidentPage {
  readonly incidentId: string;
  readonly status: string;
  readonly view: Record<string, unknown>;
  readonly timeline: readonly { readonly at: string; readonly event: string }[];
  readonly evidence: { readonly bucket: string; readonly region: string; readonly keys: readonly string[] };
  readonly images: readonly { readonly image: string; readonly imageStatus: string }[];
  readonly note?: string;
}

/** The S3 console page of an evidence object. */
export function evidenceUrl(bucket: string, region: string, key: string): string {
  return `https://console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&prefix=${encodeURIComponent(key)}`;
}

function value(v: unknown): string {
  return html(
    Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : v,
    400,
  );
}

export function renderIncidentHtml(p: IncidentPage): string {
  const skip = new Set(['actions', 'outcome', 'releaseSteps', 'lastNotification', 'executionUrl']);
  const fields = Object.entries(p.view).filter(([k]) => !skip.has(k));
  const actions = Array.isArray(p.view.actions) ? (p.view.actions as unknown[]) : [];
  const steps = p.timeline
    .filter((e) => e.event.startsWith('step '))
    .map((e) => e.event.slice('step '.length));
  const link = (url: string, text: string) =>
    `<a href="${escapeHtml(url)}" rel="noreferrer noopener">${text}</a>`;
  const console =
    typeof p.view.executionUrl === 'string' && p.view.executionUrl.startsWith('https://')
      ? `<p>${link(p.view.executionUrl, 'the execution in the Step Functions console')}</p>`
      : '';
  const body = `
<h1>Incident <code>${html(p.incidentId, 128)}</code>: ${html(p.status, 40)}</h1>
<table>${fields.map(([k, v]) => `<tr><th>${html(k, 40)}</th><td>${value(v)}</td></tr>`).join('\n')}</table>
<h2>What was done</h2>
${actions.length ? `<ul>${actions.map((a) => `<li>${html(a, 200)}</li>`).join('')}</ul>` : '<p class="muted">nothing</p>'}
${console}
<h2>Path through the workflow</h2>
${steps.length ? pathHtml(steps, '') : '<p class="muted">no execution history</p>'}
${
  p.images.length
    ? `<h2>Quarantined images</h2><table>${p.images.map((i) => `<tr><td><code>${html(i.image, 300)}</code></td><td>${html(i.imageStatus, 40)}</td></tr>`).join('')}</table>`
    : ''
}
<h2>Evidence</h2>
${
  p.evidence.keys.length
    ? `<ul>${p.evidence.keys
        .map(
          (k) =>
            `<li>${link(evidenceUrl(p.evidence.bucket, p.evidence.region, k), `<code>s3://${html(p.evidence.bucket, 80)}/${html(k, 300)}</code>`)}</li>`,
        )
        .join('')}</ul>`
    : '<p class="muted">none</p>'
}
<h2>Timeline</h2>
<table>${p.timeline.map((e) => `<tr><td>${html(e.at, 30)}</td><td>${html(e.event, 400)}</td></tr>`).join('\n')}</table>
${p.note ? `<p class="muted">${html(p.note, 300)}</p>` : ''}`;
  return page(`shield-right incident ${cleanTitle(p.incidentId)}`, body);
}

function cleanTitle(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 128);
}
