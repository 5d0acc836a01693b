/** The error an invalid pattern fails with, and how its messages describe the value found. */
export class InvalidPatternError extends Error {
  /** JSON path of the offending part of the pattern, e.g. `detail.severity[0]`. */
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'InvalidPatternError';
    this.path = path;
    this.reason = reason;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
