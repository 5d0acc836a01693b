import {
  compilePattern,
  InvalidPatternError,
  matchesPattern,
  validatePattern,
} from '../../local/event-pattern';

type Pattern = Record<string, unknown>;

function invalidMessage(pattern: unknown): string {
  try {
    validatePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatternError);
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the pattern to be rejected');
}

describe('invalid patterns', () => {
  it.each<[label: string, pattern: unknown, message: string]>([
    ['a non-object pattern', ['source'], '(root): an event pattern must be a JSON object'],
    ['a null pattern', null, '(root): an event pattern must be a JSON object'],
    ['an empty pattern', {}, '(root): empty objects are not allowed'],
    ['an empty nested object', { detail: {} }, 'detail: empty objects are not allowed'],
    ['a leaf that is not an array', { detail: { state: 'running' } }, 'detail.state: must be an array'],
    ['an empty leaf array', { source: [] }, 'source: empty arrays are not allowed'],
    ['a nested array value', { source: [['a']] }, 'source[0]: match values must be'],
    ['an unknown operator', { s: [{ contains: 'x' }] }, 's[0]: unknown operator "contains"'],
    [
      'two keys in one operator',
      { s: [{ prefix: 'a', suffix: 'b' }] },
      's[0]: an operator object must have exactly one key',
    ],
    ['an empty operator', { s: [{}] }, 's[0]: an operator object must have exactly one key, got none'],
    ['prefix with a number', { s: [{ prefix: 1 }] }, 's[0]: prefix expects a string'],
    [
      'prefix with an unknown object',
      { s: [{ prefix: { wildcard: 'a' } }] },
      's[0]: prefix expects a string or',
    ],
    ['suffix with a list', { s: [{ suffix: ['a'] }] }, 's[0]: suffix expects a string'],
    [
      'equals-ignore-case with a number',
      { s: [{ 'equals-ignore-case': 5 }] },
      's[0]: equals-ignore-case expects',
    ],
    ['exists with a string', { s: [{ exists: 'true' }] }, 's[0]: exists expects true or false'],
    [
      'cidr without a prefix length',
      { ip: [{ cidr: '10.0.0.0' }] },
      'ip[0]: cidr expects an IPv4 or IPv6 range',
    ],
    ['cidr with a bad octet', { ip: [{ cidr: '10.0.0.300/8' }] }, 'ip[0]: cidr expects'],
    ['cidr IPv4 prefix too long', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0]: cidr expects'],
    ['cidr IPv6 prefix too long', { ip: [{ cidr: '2001:db8::/129' }] }, 'ip[0]: cidr expects'],
    ['cidr malformed IPv6', { ip: [{ cidr: '2001:db8:::/32' }] }, 'ip[0]: cidr expects'],
    ['cidr with a number', { ip: [{ cidr: 10 }] }, 'ip[0]: cidr expects'],
    [
      'wildcard with consecutive stars',
      { s: [{ wildcard: 'a**b' }] },
      's[0]: wildcard "a**b" must not contain consecutive',
    ],
    [
      'wildcard with a bad escape',
      { s: [{ wildcard: 'a\\b' }] },
      's[0]: wildcard "a\\b": a backslash may only escape',
    ],
    ['wildcard with a trailing backslash', { s: [{ wildcard: 'a\\' }] }, 's[0]: wildcard "a\\": a backslash'],
    ['wildcard with a number', { s: [{ wildcard: 1 }] }, 's[0]: wildcard expects a string'],
    [
      'anything-but with mixed types',
      { s: [{ 'anything-but': ['a', 1] }] },
      's[0]: anything-but expects a non-empty list of only',
    ],
    [
      'anything-but with an empty list',
      { s: [{ 'anything-but': [] }] },
      's[0]: anything-but expects a non-empty list',
    ],
    [
      'anything-but with null',
      { s: [{ 'anything-but': null }] },
      's[0]: anything-but expects a string, a number',
    ],
    [
      'anything-but with a boolean list',
      { s: [{ 'anything-but': [true] }] },
      's[0]: anything-but expects a non-empty',
    ],
    [
      'anything-but with an unsupported operator',
      { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
      's[0]: anything-but does not support "numeric"',
    ],
    [
      'anything-but with an empty prefix',
      { s: [{ 'anything-but': { prefix: '' } }] },
      's[0]: anything-but prefix must not be empty',
    ],
    [
      'anything-but suffix with a number',
      { s: [{ 'anything-but': { suffix: 1 } }] },
      's[0]: anything-but suffix expects a string',
    ],
    [
      'anything-but equals-ignore-case with numbers',
      { s: [{ 'anything-but': { 'equals-ignore-case': [1] } }] },
      's[0]: anything-but equals-ignore-case expects a string or a non-empty list of strings',
    ],
    [
      'anything-but wildcard that is invalid',
      { s: [{ 'anything-but': { wildcard: '**' } }] },
      's[0]: wildcard "**"',
    ],
    [
      'anything-but object with two keys',
      { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
      's[0]: anything-but object must have exactly one',
    ],
    [
      'numeric with an odd length',
      { detail: { severity: [{ numeric: ['>', 1, '<'] }] } },
      'detail.severity[0]: numeric expects pairs of operator and number',
    ],
    [
      'numeric with a string operand',
      { n: [{ numeric: ['>', '1'] }] },
      'n[0]: numeric expects pairs of operator and number',
    ],
    [
      'numeric that is not an array',
      { n: [{ numeric: 5 }] },
      'n[0]: numeric expects pairs of operator and number',
    ],
    ['numeric that is empty', { n: [{ numeric: [] }] }, 'n[0]: numeric expects pairs of operator and number'],
    [
      'numeric with an unknown operator',
      { n: [{ numeric: ['!=', 1] }] },
      'n[0]: numeric operator "!=" is not one of',
    ],
    [
      'numeric with an impossible range',
      { n: [{ numeric: ['>', 5, '<', 3] }] },
      'n[0]: numeric range is empty',
    ],
    [
      'numeric with an empty exclusive range',
      { n: [{ numeric: ['>=', 5, '<=', 5] }] },
      'n[0]: numeric range is empty',
    ],
    [
      'numeric with two lower bounds',
      { n: [{ numeric: ['>', 1, '>', 2] }] },
      'n[0]: numeric takes "=" alone',
    ],
    [
      'numeric with the upper bound first',
      { n: [{ numeric: ['<', 10, '>', 0] }] },
      'n[0]: numeric takes "=" alone',
    ],
    ['numeric = with a second pair', { n: [{ numeric: ['=', 1, '<', 2] }] }, 'n[0]: numeric takes "=" alone'],
    [
      'numeric with three pairs',
      { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] },
      'n[0]: numeric takes "=" alone',
    ],
    ['a non-finite number', { n: [Number.POSITIVE_INFINITY] }, 'n[0]: numbers must be finite'],
    [
      '$or that is not an array',
      { $or: { a: ['1'] } },
      '$or: $or expects an array of at least 2 sub-patterns',
    ],
    [
      '$or with one sub-pattern',
      { detail: { $or: [{ a: ['1'] }] } },
      'detail.$or: $or expects an array of at least 2',
    ],
    ['$or with a non-object', { $or: [{ a: ['1'] }, ['b']] }, '$or[1]: $or sub-patterns must be objects'],
    ['$or with an empty sub-pattern', { $or: [{ a: ['1'] }, {}] }, '$or[1]: empty objects are not allowed'],
    [
      '$or with an operator as a field',
      { $or: [{ prefix: ['a'] }, { b: ['1'] }] },
      '$or[0].prefix: "prefix" is an operator',
    ],
    [
      'an error deep inside $or',
      { $or: [{ a: ['1'] }, { d: { e: [{ exists: 1 }] } }] },
      '$or[1].d.e[0]: exists expects',
    ],
  ])('rejects %s', (_label, pattern, message) => {
    // Act
    const actual = invalidMessage(pattern);

    // Assert
    expect(actual).toContain(message);
  });

  it('exposes the path and the reason separately', () => {
    // Arrange
    const pattern = { detail: { severity: [{ numeric: ['>', 'high'] }] } };

    // Act
    const act = () => validatePattern(pattern);

    // Assert
    expect(act).toThrow(
      expect.objectContaining({
        name: 'InvalidPatternError',
        path: 'detail.severity[0]',
        reason: 'numeric expects pairs of operator and number',
        message: 'detail.severity[0]: numeric expects pairs of operator and number',
      }),
    );
  });

  it('validates before matching in matchesPattern and compilePattern', () => {
    // Arrange
    const pattern = { source: 'aws.guardduty' };

    // Act
    const viaMatches = () => matchesPattern(pattern, { source: 'aws.guardduty' });
    const viaCompile = () => compilePattern(pattern);

    // Assert
    expect(viaMatches).toThrow(InvalidPatternError);
    expect(viaCompile).toThrow(InvalidPatternError);
  });

  it.each<[label: string, pattern: Pattern]>([
    ['a prefix that is empty', { s: [{ prefix: '' }] }],
    ['an escaped star next to a star', { s: [{ wildcard: '*\\**' }] }],
    ['numeric "=" zero', { n: [{ numeric: ['=', 0] }] }],
    ['operator names as ordinary fields outside $or', { prefix: ['a'], detail: { numeric: [1] } }],
  ])('accepts %s', (_label, pattern) => {
    // Act
    const act = () => validatePattern(pattern);

    // Assert
    expect(act).not.toThrow();
  });
});

describe('compilePattern', () => {
  it('reuses one compiled matcher across many events', () => {
    // Arrange
    const match = compilePattern({
      source: ['aws.guardduty'],
      detail: { severity: [{ numeric: ['>=', 7] }], resource: { resourceType: ['ECSCluster'] } },
    });
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      source: 'aws.guardduty',
      detail: { severity: i % 10, resource: { resourceType: i % 2 === 0 ? 'ECSCluster' : 'EKSCluster' } },
    }));

    // Act
    const matched = events.filter(match).length;

    // Assert: of severities 7 to 9 only 8 falls on an even (ECS) index, so one event in ten matches.
    expect(matched).toBe(1_000);
  });
});
