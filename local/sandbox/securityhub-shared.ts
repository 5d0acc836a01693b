/** What the sandbox's Security Hub CSPM and newer Security Hub share: string filters, delayed imports. */

/**
 * One string comparison as Security Hub's finding filters define it (CSPM `StringFilter`, and V2's string
 * filters): a missing value matches only the negative comparisons. `refuse` names the API's error.
 */
export function stringComparison(
  value: string | undefined,
  comparison: string,
  expected: string,
  refuse: (message: string) => Error,
): boolean {
  const v = value ?? '';
  switch (comparison) {
    case 'EQUALS':
      return value !== undefined && v === expected;
    case 'PREFIX':
      return value !== undefined && v.startsWith(expected);
    case 'CONTAINS':
      return value !== undefined && v.includes(expected);
    case 'NOT_EQUALS':
      return v !== expected;
    case 'PREFIX_NOT_EQUALS':
      return !v.startsWith(expected);
    case 'NOT_CONTAINS':
      return !v.includes(expected);
    default:
      throw refuse(`Comparison ${comparison} is not implemented by the sandbox`);
  }
}

/** Findings a product sends that Security Hub imports only after some lookups (the import delay offline). */
export class DelayedImports<T> {
  private readonly pending: { item: T; lookupsLeft: number }[] = [];

  /** `item` is imported after `lookups` more lookups (`never`: not at all). */
  later(item: T, lookups: number | 'never'): void {
    this.pending.push({ item, lookupsLeft: lookups === 'never' ? Number.POSITIVE_INFINITY : lookups });
  }

  /** One lookup happened: imports, with `put`, every item now due. */
  lookup(put: (item: T) => void): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const entry = this.pending[i];
      if (!entry) continue;
      entry.lookupsLeft -= 1;
      if (entry.lookupsLeft < 0) {
        put(entry.item);
        this.pending.splice(i, 1);
      }
    }
  }
}
