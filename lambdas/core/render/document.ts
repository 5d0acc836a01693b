/**
 * The document model: lines of segments that say what is trusted (our own words, URLs we built) and what is
 * not (anything from a finding, a tag or an error), and the chat and plain-text serializers that escape each
 * kind of segment for their medium, so no code path can forget to sanitize a value.
 */
import { asText, chatCode, chatText, escapeEntities, LIMITS, plainText } from '../escape';

export type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'label'; readonly text: string }
  | { readonly kind: 'value'; readonly text: string; readonly max: number; readonly code: boolean }
  | { readonly kind: 'url'; readonly text: string }
  | { readonly kind: 'command'; readonly text: string };
export type Line = readonly Segment[];

export interface Section {
  readonly heading?: string;
  readonly lines: readonly Line[];
  readonly bullets?: boolean;
}

/** Our own words, trusted. */
export const text = (words: string): Segment => ({ kind: 'literal', text: words });
/** Our own words, in bold. */
export const label = (words: string): Segment => ({ kind: 'label', text: words });
/** An untrusted value, escaped for its medium and cut to `max` code points. */
export const value = (raw: unknown, max: number = LIMITS.name): Segment => ({
  kind: 'value',
  text: asText(raw),
  max,
  code: false,
});
/** An untrusted value shown as code (names, paths, ids). */
export const code = (raw: unknown, max: number = LIMITS.name): Segment => ({
  kind: 'value',
  text: asText(raw),
  max,
  code: true,
});
/** A URL we built from checked, percent-encoded parts. */
export const url = (link: string): Segment => ({ kind: 'url', text: link });
/** A CLI command to copy. */
export const command = (line: string): Segment => ({ kind: 'command', text: line });
/** `Label: value` as one line. */
export const field = (name: string, ...content: Segment[]): Line => [
  label(`${name}:`),
  text(' '),
  ...content,
];

// Commands made only of id and ARN characters are shown verbatim so they can be copied; anything else is
// escaped like any other value.
const SAFE_COMMAND = /^[A-Za-z0-9 _:/.=@+,-]{1,1024}$/;

function segmentToChat(seg: Segment): string {
  switch (seg.kind) {
    case 'literal':
      return escapeEntities(seg.text);
    case 'label':
      return `*${escapeEntities(seg.text)}*`;
    case 'value':
      return seg.code ? chatCode(seg.text, seg.max) : chatText(seg.text, seg.max);
    case 'url':
      return escapeEntities(seg.text);
    case 'command':
      return SAFE_COMMAND.test(seg.text) ? `\`${seg.text}\`` : chatCode(seg.text, LIMITS.path);
  }
}

function segmentToPlain(seg: Segment): string {
  switch (seg.kind) {
    case 'literal':
    case 'label':
    case 'url':
      return seg.text;
    case 'value':
      return plainText(seg.text, seg.max);
    case 'command':
      return plainText(seg.text, LIMITS.path);
  }
}

export const lineToChat = (line: Line): string => line.map(segmentToChat).join('');
export const lineToPlain = (line: Line): string => line.map(segmentToPlain).join('');

/** Cuts serialized chat text to a UTF-16 length (the stricter unit) with an ellipsis. */
export function fitUnits(text: string, max: number): string {
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

export const CHAT: Medium = {
  line: lineToChat,
  heading: (h) => `*${escapeEntities(h)}*`,
  bullet: '• ',
  omitted: (n) => `_… ${n} more line(s) left out: the email and the evidence have them all._`,
};

export const PLAIN: Medium = {
  line: lineToPlain,
  heading: (h) => h.toUpperCase(),
  bullet: '  - ',
  omitted: (n) => `… ${n} more line(s) left out: the evidence in S3 has the full finding.`,
};

/**
 * Sections within a budget (UTF-16 units): once it is spent, the remaining lines are dropped whole, never
 * cut, so a code span is never left open; a note says how many.
 */
export function renderSections(sections: readonly Section[], medium: Medium, budget: number): string {
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

/** The first `max` items and a line saying how many more there are. */
export function capped<T>(items: readonly T[], max: number, toLine: (item: T) => Line): Line[] {
  const lines = items.slice(0, max).map(toLine);
  if (items.length > max) lines.push([text(`… and ${items.length - max} more`)]);
  return lines;
}

export function joinSegments(parts: readonly Segment[], separator: string): Segment[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [text(separator), part]));
}
