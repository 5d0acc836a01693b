/**
 * Self-contained HTML pages (nothing fetched at view time): text escaped for HTML, data embedded as JSON
 * that cannot close its script element, and Chart.js (a maintained chart library, MIT) inlined from its
 * UMD build in node_modules rather than loaded from a CDN.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanText } from '../../lambdas/core/escape';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** Any value (attacker-controlled included) as escaped HTML text: cleaned of control and bidi characters, cut at `max`. */
export function html(value: unknown, max = 300): string {
  return escapeHtml(cleanText(value, { max }));
}

/** JSON for a `<script type="application/json">`: no `<`, `>`, `&` or line separators that could end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

let chartSource: string | undefined;

/** Chart.js's UMD build, read once from the installed package (its exports map hides dist/, so from its entry's folder). */
export function chartLibrary(): string {
  if (chartSource === undefined) {
    const dist = dirname(require.resolve('chart.js'));
    // A `</script` inside the library would end the inline element: never there today, neutralised anyway.
    chartSource = readFileSync(join(dist, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return chartSource;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}.muted{color:#57606a}.warn{color:#9a6700}
.path{display:flex;flex-wrap:wrap;gap:4px;margin:2px 0}.state{border:1px solid #d0d7de;border-radius:10px;padding:0 8px;font-size:12px}
.state.act{background:#ffebe9;border-color:#ff8182}.state.notify{background:#ddf4ff}.state.fail{background:#fff8c5}
details{margin:6px 0}summary{cursor:pointer}code{font-size:12px}
#chart{max-width:1100px;max-height:360px}
`;

/** A whole page: escaped title, the body as given (already escaped by its builder), optional inline scripts. */
export function page(title: string, body: string, scripts: readonly string[] = []): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Nothing may be loaded from anywhere: only the inline scripts and styles of this file run.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    body,
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body></html>',
  ].join('\n');
}

const ACTION_STATES = /^(StopTask|StopExposedTask|IsolateTask|QuarantineImage|QuarantineAgain|TagService)$/;

/** A workflow path as a row of state names, actions and notifications marked. */
export function pathHtml(states: readonly string[], status: string): string {
  const chips = states
    .map((s) => {
      const cls = ACTION_STATES.test(s)
        ? ' act'
        : s.startsWith('Notify')
          ? ' notify'
          : /Fail|Rejected/.test(s)
            ? ' fail'
            : '';
      return `<span class="state${cls}">${html(s, 80)}</span>`;
    })
    .join('');
  return `<div class="path">${chips}<span class="muted">${html(status, 20)}</span></div>`;
}
