/** What Security Hub CSPM's finding filters and the newer Security Hub's string filters share. */

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
