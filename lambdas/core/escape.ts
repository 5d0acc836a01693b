/**
 * Sanitization of attacker-influenced text (process names, paths, command lines, tags, image and resource
 * names, finding titles) before it reaches a notification. Pure string functions.
 *
 * Every field goes through the same cleaning first:
 * - C0/C1 control characters and DEL are removed; tabs become spaces; every line break (CR, LF, NEL, VT, FF,
 *   U+2028, U+2029) becomes `\n`, and single-line fields collapse them to one space.
 * - Format characters (`\p{Cf}`: bidi embeddings/overrides/isolates U+202A–U+202E and U+2066–U+2069, LRM/RLM,
 *   zero-width space, word joiner, BOM, soft hyphen, tag characters…) and blank-rendering Hangul fillers are
 *   removed. ZWJ/ZWNJ survive only between two non-ASCII letters or emoji, where scripts and emoji sequences
 *   need them; between ASCII letters they only serve to spoof.
 * - Lone surrogates become U+FFFD so the JSON stays valid UTF-8.
 * - Text is truncated at a per-field limit counted in code points (never splitting a surrogate pair), ending
 *   in "…". Hostile 100 KB inputs are cut before any other work.
 *
 * Chat (Slack through Amazon Q Developer `client-markdown`) then gets, in this order:
 * - `&`, `<`, `>` → `&amp;`, `&lt;`, `&gt;`: Slack's only escapes. Without a raw `<` no `<!channel>`,
 *   `<!here>`, `<@U…>` or `<https://…|text>` can form.
 * - Backticks → `ˋ` (U+02CB), so a value cannot close the code span it is shown in.
 * - Slack mrkdwn has no backslash escape, so `* _ ~ | [ ] @ #` get a zero-width space (U+200B) on both
 *   sides: they display unchanged but can no longer open or close bold/italic/strike, form a markdown link,
 *   a table cell, an `@channel`/`#channel` mention.
 * - A line starting with a quote, heading or list marker gets a leading U+200B.
 * - Outside code spans, Slack turns a bare URL or domain into a live link: `://`, `www.` and the dots of a
 *   host name (`evil.example`) get a U+200B, so an attacker's address shows but cannot be clicked. Code
 *   spans are never linkified, so values shown in them keep their dots.
 * Chat text is for reading, not copying: the email variant carries the exact (cleaned) values and the
 * evidence in S3 the raw ones.
 *
 * Email plain text needs no markup escaping; the subject is ASCII only, one line, at most 99 characters.
 */

/** Per-field limits in code points. */
export const LIMITS = {
  /** Names: process, container, cluster, service, tag, image. */
  name: 256,
  /** Executable paths, image URIs, ARNs, S3 keys. */
  path: 1024,
  commandLine: 1024,
  /** Finding titles and descriptions, error causes, reasons. */
  text: 1024,
  /** A list entry or a short identifier. */
  short: 128,
} as const;

export const ELLIPSIS = '…';
const ZWSP = '\u200B';
const ZWJ = '\u200D';
const ZWNJ = '\u200C';

const LINE_BREAKS = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/g;
// One code point at a time: controls, format characters, Hangul fillers that render as blanks.
const INVISIBLE = /^[\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0]$/u;
const LONE_SURROGATE = /^[\uD800-\uDFFF]$/;
// Anything stripInvisible would change (tab, control and format characters, fillers, surrogates, joiners):
// most text has none, and is returned without being split into characters.
const NEEDS_STRIPPING = /[\t\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0\uD800-\uDFFF]/u;
// Letters, marks (including the emoji variation selector U+FE0F) and emoji.
const JOINABLE = /^[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;

function isJoinable(ch: string | undefined): boolean {
  return ch !== undefined && (ch.codePointAt(0) ?? 0) > 0x7f && JOINABLE.test(ch);
}

/** Any value as text: strings as they are, numbers and booleans printed, everything else empty. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return '';
}

/** Removes controls, format characters and spoofing joiners; keeps `\n` (line breaks already normalized). */
export function stripInvisible(text: string): string {
  if (!NEEDS_STRIPPING.test(text.replace(/\n/g, ''))) return text;
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\n') out += ch;
    else if (ch === '\t') out += ' ';
    else if (ch === ZWJ || ch === ZWNJ) {
      if (isJoinable(chars[i - 1]) && isJoinable(chars[i + 1])) out += ch;
    } else if (LONE_SURROGATE.test(ch)) out += '\uFFFD';
    else if (!INVISIBLE.test(ch)) out += ch;
  }
  return out;
}

/** At most `max` code points; longer text (or text already cut, `cut`) ends in "…" within the limit. */
export function truncate(text: string, max: number, cut = false): string {
  const limit = Math.max(1, Math.floor(max));
  // UTF-16 length bounds the code point count from above: most text needs no split at all.
  if (!cut && text.length <= limit) return text;
  const chars = Array.from(text);
  if (!cut && chars.length <= limit) return text;
  const kept = chars.slice(0, Math.min(chars.length, limit - 1));
  // A joiner left dangling at the cut would glue the ellipsis to a half emoji sequence.
  while (kept.length > 0 && (kept[kept.length - 1] === ZWJ || kept[kept.length - 1] === ZWNJ)) kept.pop();
  return `${kept.join('')}${ELLIPSIS}`;
}

export interface CleanOptions {
  /** Limit in code points. */
  readonly max: number;
  /** Keep line breaks (at most one blank line in a row); otherwise they collapse to a space. */
  readonly multiline?: boolean;
}

/** The common cleaning: plain text, safe for email bodies, not yet escaped for chat. */
export function cleanText(value: unknown, options: CleanOptions): string {
  const raw = asText(value);
  const max = Math.max(1, Math.floor(options.max));
  // Bound the work on hostile inputs: stripping can shrink text, so keep a margin over the limit.
  const bound = max * 4 + 16;
  let head = raw.length > bound ? raw.slice(0, bound) : raw;
  const cut = head.length < raw.length;
  if (cut && /[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  let text = stripInvisible(head.replace(LINE_BREAKS, '\n'));
  text = options.multiline
    ? text
        .split('\n')
        .map((line) => line.trimEnd())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim()
    : text.replace(/ *\n+ */g, ' ').trim();
  return truncate(text, max, cut);
}

/** Plain text for email: cleaned and truncated, no markup escaping. */
export function plainText(value: unknown, max: number = LIMITS.name, multiline = false): string {
  return cleanText(value, { max, multiline });
}

/** Slack's three escapes; for text that is already ours (labels, URLs) as well as for values. */
export function escapeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const FORMATTING = /[*_~|[\]@#]/g;
// Quote, heading and list markers (Teams renders `-`/`+` lists; Slack mrkdwn has no numbered lists).
const LINE_START_MARKUP = /^(&gt;|#|[-+•])/;

/** Escapes cleaned text for chat markdown (see the module comment). */
export function escapeChat(text: string): string {
  return escapeEntities(text)
    .replace(/`/g, '\u02CB')
    .replace(FORMATTING, (ch) => `${ZWSP}${ch}${ZWSP}`)
    .split('\n')
    .map((line) => (LINE_START_MARKUP.test(line) ? `${ZWSP}${line}` : line))
    .join('\n');
}

// A dot between a letter or digit and a letter: host names and domains (`a.example`), not `1.5` or `…`.
const HOST_DOT = /(?<=[\p{L}\p{N}])\.(?=\p{L})/gu;

/** Breaks what Slack would auto-link (URLs, `www.` and bare domains) with zero-width spaces. */
export function defangLinks(text: string): string {
  return text.replace(/:\/\//g, `:${ZWSP}//`).replace(HOST_DOT, `${ZWSP}.`);
}

/** An attacker-influenced value as inert chat markdown, outside a code span. */
export function chatText(value: unknown, max: number = LIMITS.name, multiline = false): string {
  return defangLinks(escapeChat(cleanText(value, { max, multiline })));
}

/** An attacker-influenced value in an inline code span (monospace, no formatting, cannot be closed early). */
export function chatCode(value: unknown, max: number = LIMITS.name): string {
  const text = escapeChat(cleanText(value, { max }));
  return `\`${text === '' ? ' ' : text}\``;
}

const TYPOGRAPHIC: Record<string, string> = {
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '−': '-',
  '·': '-',
  '•': '-',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '→': '->',
  '←': '<-',
  '…': '...',
};

/**
 * Printable ASCII on one line, at most `max` characters: for the SNS Subject and message attributes.
 * Accents are transliterated (é → e), common typography mapped, anything else dropped.
 */
export function asciiText(value: unknown, max: number): string {
  const limit = Math.max(4, Math.floor(max));
  const cleaned = cleanText(value, { max: limit * 2 });
  const ascii = cleaned
    .replace(/[‐‑‒–—―−·•‘’‚“”„→←…]/g, (ch) => TYPOGRAPHIC[ch] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7E]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return ascii.length <= limit ? ascii : `${ascii.slice(0, limit - 3).trimEnd()}...`;
}
