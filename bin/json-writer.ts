/**
 * One JSON document written part by part, byte for byte what `JSON.stringify(document, null, 2)` prints, so a
 * long replay's `--json` output keeps its stable contract without holding every result (or the whole text) in
 * memory: each top-level member, and each item of a streamed array, is serialised when it is known and then
 * dropped. Strings never hold a raw line break in JSON, so re-indenting a value's text line by line is exact.
 */

/** Where the text goes; returns false when the destination asks the writer to wait (stream backpressure). */
export type Sink = (chunk: string) => boolean;

const INDENT = '  ';

/** `JSON.stringify(value, null, 2)` of a value nested `depth` levels deep, as it appears inside its parent. */
function nested(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replaceAll('\n', `\n${INDENT.repeat(depth)}`);
}

export class JsonDocumentWriter {
  private members = 0;
  /** Items written in the open array, or undefined when no array is open. */
  private items: number | undefined;
  private ended = false;

  constructor(private readonly sink: Sink) {}

  private memberStart(key: string): string {
    return `${this.members++ === 0 ? '{\n' : ',\n'}${INDENT}${JSON.stringify(key)}: `;
  }

  private assertOpen(arrayOpen: boolean): void {
    if (this.ended) throw new Error('JsonDocumentWriter: the document is already ended');
    if ((this.items !== undefined) !== arrayOpen)
      throw new Error(`JsonDocumentWriter: ${arrayOpen ? 'no array is open' : 'an array is still open'}`);
  }

  /** A whole member (`undefined` is left out, as JSON.stringify leaves it out). */
  member(key: string, value: unknown): boolean {
    this.assertOpen(false);
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return true;
    return this.sink(`${this.memberStart(key)}${nested(value, 1)}`);
  }

  /** Opens a member whose value is an array written item by item (`item`, then `endArray`). */
  beginArray(key: string): boolean {
    this.assertOpen(false);
    this.items = 0;
    return this.sink(`${this.memberStart(key)}[`);
  }

  item(value: unknown): boolean {
    this.assertOpen(true);
    const first = this.items === 0;
    this.items = (this.items ?? 0) + 1;
    // An array item that JSON cannot represent is written as null, as JSON.stringify does.
    const json =
      value === undefined || typeof value === 'function' || typeof value === 'symbol' ? null : value;
    return this.sink(`${first ? '' : ','}\n${INDENT.repeat(2)}${nested(json, 2)}`);
  }

  endArray(): boolean {
    this.assertOpen(true);
    const empty = this.items === 0;
    this.items = undefined;
    return this.sink(empty ? ']' : `\n${INDENT}]`);
  }

  /** Closes the document, with a final line break (as console.log prints it). */
  end(): boolean {
    this.assertOpen(false);
    this.ended = true;
    return this.sink(this.members === 0 ? '{}\n' : '\n}\n');
  }
}

/** A sink on a Node.js stream, and a wait for it to drain when it asked to. */
export function streamSink(stream: NodeJS.WritableStream): { sink: Sink; drained: () => Promise<void> } {
  return {
    sink: (chunk) => stream.write(chunk),
    drained: () => new Promise((resolve) => stream.once('drain', () => resolve())),
  };
}
