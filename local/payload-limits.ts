/**
 * Bounds on what the offline engine accepts and carries, so a pathological event fails fast with a clear
 * error instead of overflowing the stack somewhere inside the engine (issue 14: a 2,500-level nested event
 * made `simulate` end with no result), and so state documents stay within Step Functions' payload quota
 * (docs/aws-behaviours.md P1-P3).
 */

/**
 * Step Functions: "Maximum input or output size for a task, state, or execution: 256 KiB of data as a UTF-8
 * encoded string" (Step Functions service quotas); StartExecution `input` has a maximum length of 262144.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The deepest nesting of objects and arrays the offline engine accepts in an event or execution input.
 * Not an AWS quota (none is documented for Step Functions or EventBridge: not confirmed), so it is as high as
 * the engine safely goes: a 256 KB event can nest ~40,000 levels, the engine's recursive copies overflow
 * Node.js's default stack near 2,000 (1,500 measured to run end to end), and the fuzz corpus nests 1,000
 * levels under a field, which must still reach ValidateFinding and be rejected loudly.
 */
export const MAX_NESTING_DEPTH = 1_200;

/** An event or input nested deeper than MAX_NESTING_DEPTH: refused before anything runs. */
export class NestingLimitError extends Error {
  constructor(what: string, limit: number) {
    super(`${what} is nested more than ${limit} levels deep: the offline engine refuses it (limit ${limit})`);
    this.name = 'NestingLimitError';
  }
}

/** An execution input over MAX_PAYLOAD_BYTES: StartExecution refuses it, so no execution starts. */
export class PayloadLimitError extends Error {
  constructor(what: string, bytes: number) {
    super(`${what} is ${bytes} bytes, over Step Functions' ${MAX_PAYLOAD_BYTES}-byte (256 KiB) limit`);
    this.name = 'PayloadLimitError';
  }
}

/**
 * Whether `value` nests deeper than `limit` (the value itself is level 1; scalars add none). Iterative, so
 * it cannot overflow the stack on the input it guards against, and it stops at the first path too deep.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Throws NestingLimitError when `value` nests deeper than MAX_NESTING_DEPTH. */
export function assertNesting(value: unknown, what: string): void {
  if (nestedDeeperThan(value, MAX_NESTING_DEPTH)) throw new NestingLimitError(what, MAX_NESTING_DEPTH);
}

/** Whether a JSON text is over MAX_PAYLOAD_BYTES in UTF-8, without encoding it when it cannot be (≤ 3 bytes per UTF-16 unit). */
export function exceedsPayloadLimit(text: string): boolean {
  return text.length * 3 > MAX_PAYLOAD_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES;
}

/** The payload size of a JSON value as Step Functions counts it: its JSON text in UTF-8 bytes. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}
