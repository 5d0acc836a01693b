/**
 * Botocore patterns are Java regular expressions matched against the whole value (`Matcher.matches()`).
 * This turns one into an anchored JavaScript source for a `u`-flag RegExp, or says why it cannot.
 * Used by the generator only; the validator compiles what the data file holds.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  Alnum: 'a-zA-Z0-9',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Lower: 'a-z',
  Upper: 'A-Z',
  XDigit: '0-9a-fA-F',
  ASCII: '\\x00-\\x7F',
  Space: ' \\t\\n\\x0B\\f\\r',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Cntrl: '\\x00-\\x1F\\x7F',
};

// Unicode categories and properties JavaScript knows under the same name (with the `u` flag).
const UNICODE_NAMES = /^(?:L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/;

const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

export type Translation =
  | { readonly ok: true; readonly source: string }
  | { readonly ok: false; readonly reason: string };

function property(name: string, negated: boolean, inClass: boolean): string | undefined {
  const unicode = name.replace(/^Is(?=[A-Z])/, '').replace(/^javaLetterOrDigit$/, 'L}\\p{Nd');
  if (UNICODE_NAMES.test(unicode) || unicode === 'Alphabetic' || unicode === 'L}\\p{Nd') {
    if (unicode === 'L}\\p{Nd') return negated ? undefined : inClass ? '\\p{L}\\p{Nd}' : '[\\p{L}\\p{Nd}]';
    return `\\${negated ? 'P' : 'p'}{${unicode}}`;
  }
  const posix = POSIX_CLASSES[name];
  if (posix === undefined) return undefined;
  if (inClass) return negated ? undefined : posix;
  return negated ? `[^${posix}]` : `[${posix}]`;
}

/** Translates one Java pattern; never throws. */
export function translateJavaPattern(java: string): Translation {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < java.length) {
    const c = java.charAt(i);
    if (c === '\\') {
      const next = java.charAt(i + 1);
      if (next === 'Q') {
        const end = java.indexOf('\\E', i + 2);
        const literal = java.slice(i + 2, end < 0 ? undefined : end);
        out += [...literal].map((ch) => (JS_SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch)).join('');
        i = end < 0 ? java.length : end + 2;
        continue;
      }
      if (next === 'p' || next === 'P') {
        const close = java.indexOf('}', i);
        if (java.charAt(i + 2) !== '{' || close < 0)
          return { ok: false, reason: 'a \\p escape without braces' };
        const mapped = property(java.slice(i + 3, close), next === 'P', inClass);
        if (mapped === undefined)
          return { ok: false, reason: `unknown property ${java.slice(i, close + 1)}` };
        out += mapped;
        i = close + 1;
        continue;
      }
      if (next === 'A') out += '^';
      else if (next === 'z' || next === 'Z') out += '$';
      else if (next === 'h') out += inClass ? ' \\t\\xA0' : '[ \\t\\xA0]';
      else if ('dDwWsSbBtnrfvux0123456789cke'.includes(next) || JS_SYNTAX.has(next)) out += `\\${next}`;
      else if (next === '-') out += inClass ? '\\-' : '-';
      else if (next === '') return { ok: false, reason: 'a trailing backslash' };
      else out += next; // Java allows escaping any punctuation; JavaScript's `u` mode does not.
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[') return { ok: false, reason: 'a nested character class (Java union)' };
      if (c === '&' && java.charAt(i + 1) === '&') return { ok: false, reason: 'a class intersection (&&)' };
      if (c === ']') inClass = false;
      out += c;
      i += 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in Java.
      const negated = java.charAt(i + 1) === '^';
      if (negated) out += '^';
      i += negated ? 2 : 1;
      if (java.charAt(i) === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && java.startsWith('(?>', i)) {
      out += '(?:'; // atomic group: same matches for a full-match test, without the backtracking guarantee
      i += 3;
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && java.charAt(i + 1) === '+') {
      out += c; // possessive quantifier: same set of full matches for these patterns
      i += 2;
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(java.slice(i))) {
      out += '\\{';
      i += 1;
      continue;
    }
    if (c === '}' && !/\{\d+(,\d*)?$/.test(java.slice(0, i))) {
      out += '\\}';
      i += 1;
      continue;
    }
    if (c === ']') {
      out += '\\]';
      i += 1;
      continue;
    }
    out += c;
    i += 1;
  }
  if (inClass) return { ok: false, reason: 'an unclosed character class' };
  const source = `^(?:${out})$`;
  try {
    new RegExp(source, 'u');
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, source };
}
