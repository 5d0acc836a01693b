/** bin/json-writer.ts: a document written piece by piece is byte for byte JSON.stringify(document, null, 2). */
import { JsonDocumentWriter } from '../../bin/json-writer';

function written(build: (w: JsonDocumentWriter) => void): { text: string; chunks: number } {
  const chunks: string[] = [];
  build(
    new JsonDocumentWriter((chunk) => {
      chunks.push(chunk);
      return true;
    }),
  );
  return { text: chunks.join(''), chunks: chunks.length };
}

const stringified = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

describe('JsonDocumentWriter', () => {
  it('writes an array member item by item exactly as JSON.stringify prints the whole document', () => {
    const results = [
      { event: 'a', nested: { list: [1, [2, {}], []], empty: {} }, text: 'line\nbreak "quoted" \u2028 é' },
      { event: 'b', value: null, flag: false, n: -0.5 },
      'plain',
      [],
    ];
    const { text, chunks } = written((w) => {
      w.member('findings', 4);
      w.beginArray('results');
      for (const r of results) w.item(r);
      w.endArray();
      w.member('tail', { a: [1] });
      w.end();
    });
    expect(text).toBe(stringified({ findings: 4, results, tail: { a: [1] } }));
    // One chunk per item: nothing waits for the end of the document.
    expect(chunks).toBeGreaterThanOrEqual(results.length + 3);
  });

  it('writes an empty array and an empty document as JSON.stringify does', () => {
    expect(
      written((w) => {
        w.beginArray('results');
        w.endArray();
        w.end();
      }).text,
    ).toBe(stringified({ results: [] }));
    expect(written((w) => w.end()).text).toBe(stringified({}));
  });

  it('leaves out undefined members and writes undefined items as null', () => {
    const { text } = written((w) => {
      w.member('gone', undefined);
      w.member('kept', 1);
      w.beginArray('items');
      w.item(undefined);
      w.item(2);
      w.endArray();
      w.end();
    });
    expect(text).toBe(stringified({ gone: undefined, kept: 1, items: [undefined, 2] }));
  });

  it('refuses a member while an array is open and anything after the end', () => {
    const w = new JsonDocumentWriter(() => true);
    w.beginArray('results');
    expect(() => w.member('x', 1)).toThrow('an array is still open');
    w.endArray();
    expect(() => w.item(1)).toThrow('no array is open');
    w.end();
    expect(() => w.member('x', 1)).toThrow('already ended');
  });
});
