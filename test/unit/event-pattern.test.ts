import { compilePattern, matchesPattern } from '../../local/event-pattern';

type Pattern = Record<string, unknown>;
type Case = [label: string, pattern: Pattern, event: unknown, expected: boolean];

/** Runs a match table through both entry points, so the cached and compiled paths agree. */
function expectMatch(pattern: Pattern, event: unknown, expected: boolean): void {
  // Act
  const viaMatches = matchesPattern(pattern, event);
  const viaCompiled = compilePattern(pattern)(event);

  // Assert
  expect(viaMatches).toBe(expected);
  expect(viaCompiled).toBe(expected);
}

describe('documented examples', () => {
  it.each<Case>([
    [
      'exists true on a present leaf',
      { detail: { state: [{ exists: true }] } },
      { detail: { state: 'pending' } },
      true,
    ],
    [
      'exists true without the field',
      { detail: { state: [{ exists: true }] } },
      { detail: { 'c-count': { c1: 100 } } },
      false,
    ],
    ['prefix on time', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    [
      'numeric equals with an exponent',
      { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      { detail: { 'x-limit': 301.8 } },
      true,
    ],
    [
      'cidr /8',
      { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
      { detail: { 'source-ip': '10.0.0.33' } },
      true,
    ],
    [
      'equals-ignore-case on detail-type',
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      { 'detail-type': 'EC2 Instance State-change Notification' },
      true,
    ],
    [
      'numeric range',
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
      { detail: { 'c-count': 5 } },
      true,
    ],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });

  it('matches the documented complex example against the sample EC2 event', () => {
    // Arrange
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    const event = {
      version: '0',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      time: '2017-10-02T16:24:49Z',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running' },
    };

    // Act
    const matched = matchesPattern(pattern, event);
    const initializing = matchesPattern(pattern, {
      ...event,
      detail: { ...event.detail, state: 'initializing' },
    });

    // Assert
    expect(matched).toBe(true);
    expect(initializing).toBe(false);
  });
});

describe('structure', () => {
  it.each<Case>([
    ['all keys must match (AND)', { source: ['a'], region: ['r'] }, { source: 'a', region: 'r' }, true],
    [
      'one key failing fails the pattern',
      { source: ['a'], region: ['r'] },
      { source: 'a', region: 'x' },
      false,
    ],
    ['values in a leaf are ORed', { source: ['a', 'b'] }, { source: 'b' }, true],
    ['a missing field fails', { source: ['a'] }, { region: 'r' }, false],
    ['extra event fields are ignored', { source: ['a'] }, { source: 'a', other: { deep: [1] } }, true],
    ['nesting must match', { detail: { state: ['on'] } }, { detail: { state: 'on' } }, true],
    ['a flattened field is not nested', { detail: { state: ['on'] } }, { state: 'on' }, false],
    ['an intermediate scalar is not an object', { detail: { state: ['on'] } }, { detail: 'on' }, false],
    ['a non-object event matches nothing positive', { source: ['a'] }, 'a', false],
    ['exact matching is case-sensitive', { source: ['aws.ec2'] }, { source: 'AWS.EC2' }, false],
    ['inherited properties are not fields', { constructor: [{ exists: true }] }, {}, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('exact values are type-aware', () => {
  it.each<Case>([
    ['number matches number', { n: [5] }, { n: 5 }, true],
    ['number matches the same value in another notation', { n: [300] }, { n: 3e2 }, true],
    ['number does not match string', { n: [5] }, { n: '5' }, false],
    ['string does not match number', { n: ['5'] }, { n: 5 }, false],
    ['string matches string', { n: ['5'] }, { n: '5' }, true],
    ['true matches true', { b: [true] }, { b: true }, true],
    ['true does not match "true"', { b: [true] }, { b: 'true' }, false],
    ['false does not match true', { b: [false] }, { b: true }, false],
    ['false matches false', { b: [false] }, { b: false }, true],
    ['null matches null', { v: [null] }, { v: null }, true],
    ['null does not match a missing field', { v: [null] }, {}, false],
    ['null does not match the empty string', { v: [null] }, { v: '' }, false],
    ['empty string matches the empty string', { v: [''] }, { v: '' }, true],
    ['empty string does not match null', { v: [''] }, { v: null }, false],
    ['empty string does not match a missing field', { v: [''] }, {}, false],
    ['a leaf does not match an object value', { v: ['x'] }, { v: { x: 1 } }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('arrays in events', () => {
  it.each<Case>([
    ['any element of a scalar array', { resources: ['arn:b'] }, { resources: ['arn:a', 'arn:b'] }, true],
    ['no element of a scalar array', { resources: ['arn:c'] }, { resources: ['arn:a', 'arn:b'] }, false],
    ['an empty array matches no value', { resources: ['arn:a'] }, { resources: [] }, false],
    ['nested arrays are flattened', { ids: [3] }, { ids: [[1, 2], [3]] }, true],
    ['operators apply per element', { ids: [{ prefix: 'i-' }] }, { ids: [7, 'i-123'] }, true],
    [
      'nested pattern on an array of objects',
      { employees: { firstName: ['Anna'] } },
      { employees: [{ firstName: 'John' }, { firstName: 'Anna' }] },
      true,
    ],
    [
      'nested pattern on an array of objects without a match',
      { employees: { firstName: ['Zoe'] } },
      { employees: [{ firstName: 'John' }, { firstName: 'Anna' }] },
      false,
    ],
    [
      'fields must match within one element',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      {
        employees: [
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
      false,
    ],
    [
      'fields matching within one element',
      { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      {
        employees: [
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
      true,
    ],
    [
      'multi-level arrays of objects',
      { employees: { firstName: ['Peter'] } },
      { employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] },
      true,
    ],
    [
      'Inspector-style resources array',
      { detail: { resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } } },
      { detail: { resources: [{ type: 'AWS_EC2_INSTANCE' }, { type: 'AWS_ECR_CONTAINER_IMAGE' }] } },
      true,
    ],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('prefix and suffix', () => {
  it.each<Case>([
    ['prefix matches', { r: [{ prefix: 'us-' }] }, { r: 'us-east-1' }, true],
    ['prefix does not match', { r: [{ prefix: 'us-' }] }, { r: 'eu-west-1' }, false],
    ['prefix is case-sensitive', { r: [{ prefix: 'us-' }] }, { r: 'US-east-1' }, false],
    ['prefix ignores numbers', { r: [{ prefix: '1' }] }, { r: 12 }, false],
    [
      'prefix ignore-case matches',
      { s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] },
      { s: 'eventbridge' },
      true,
    ],
    [
      'prefix ignore-case does not match',
      { s: [{ prefix: { 'equals-ignore-case': 'sqs' } }] },
      { s: 'sns' },
      false,
    ],
    ['suffix matches', { f: [{ suffix: '.png' }] }, { f: 'image.png' }, true],
    ['suffix does not match', { f: [{ suffix: '.png' }] }, { f: 'image.jpg' }, false],
    ['suffix is case-sensitive', { f: [{ suffix: '.png' }] }, { f: 'image.PNG' }, false],
    [
      'suffix ignore-case matches',
      { s: [{ suffix: { 'equals-ignore-case': 'TBRIDGE' } }] },
      { s: 'EventBridge' },
      true,
    ],
    [
      'suffix ignore-case does not match',
      { s: [{ suffix: { 'equals-ignore-case': 'sqs' } }] },
      { s: 'sns' },
      false,
    ],
    ['prefix on a missing field', { r: [{ prefix: 'us-' }] }, {}, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('equals-ignore-case', () => {
  it.each<Case>([
    ['different case matches', { name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'ALICE' }, true],
    [
      'different text does not match',
      { name: [{ 'equals-ignore-case': 'alice' }] },
      { name: 'alicia' },
      false,
    ],
    ['a number is not a string', { name: [{ 'equals-ignore-case': '5' }] }, { name: 5 }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('wildcard', () => {
  it.each<Case>([
    ['star in the middle', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService' }, true],
    ['star matches nothing', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleService' }, true],
    ['non-matching tail', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueServices' }, false],
    ['leading and trailing stars', { p: [{ wildcard: '*/lib/*' }] }, { p: '/usr/lib/x.so' }, true],
    ['contains style miss', { p: [{ wildcard: '*/lib/*' }] }, { p: '/usr/bin/x' }, false],
    ['several stars in order', { s: [{ wildcard: 'a*b*c' }] }, { s: 'a-c-b-c' }, true],
    ['several stars out of order', { s: [{ wildcard: 'a*b*c' }] }, { s: 'a-c-b' }, false],
    ['overlapping prefix and suffix', { s: [{ wildcard: 'ab*ba' }] }, { s: 'aba' }, false],
    ['no star is an exact match', { s: [{ wildcard: 'abc' }] }, { s: 'abcd' }, false],
    ['escaped star is literal', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
    ['escaped star is not a wildcard', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' }, false],
    ['escaped backslash is literal', { s: [{ wildcard: 'dir\\\\*' }] }, { s: 'dir\\file' }, true],
    ['escaped backslash then star', { s: [{ wildcard: 'dir\\\\*' }] }, { s: 'dirfile' }, false],
    ['wildcard is case-sensitive', { s: [{ wildcard: 'a*' }] }, { s: 'ABC' }, false],
    ['wildcard ignores numbers', { s: [{ wildcard: '*' }] }, { s: 1 }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('anything-but', () => {
  it.each<Case>([
    ['single string excluded', { s: [{ 'anything-but': 'initializing' }] }, { s: 'initializing' }, false],
    ['single string other value', { s: [{ 'anything-but': 'initializing' }] }, { s: 'running' }, true],
    ['string list excluded', { s: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { s: 'stopped' }, false],
    [
      'string list other value',
      { s: [{ 'anything-but': ['stopped', 'overloaded'] }] },
      { s: 'running' },
      true,
    ],
    ['single number excluded', { x: [{ 'anything-but': 123 }] }, { x: 123 }, false],
    ['number compared numerically', { x: [{ 'anything-but': 123 }] }, { x: 1.23e2 }, false],
    ['single number other value', { x: [{ 'anything-but': 123 }] }, { x: 124 }, true],
    ['number list excluded', { x: [{ 'anything-but': [100, 200, 300] }] }, { x: 200 }, false],
    ['number list other value', { x: [{ 'anything-but': [100, 200, 300] }] }, { x: 100.1 }, true],
    [
      'number list against the same digits as a string',
      { x: [{ 'anything-but': [100] }] },
      { x: '100' },
      true,
    ],
    ['string against a number', { x: [{ 'anything-but': '5' }] }, { x: 5 }, true],
    ['missing field does not match', { s: [{ 'anything-but': 'initializing' }] }, {}, false],
    ['null is anything but a string', { s: [{ 'anything-but': 'initializing' }] }, { s: null }, true],
    ['boolean is anything but a string', { s: [{ 'anything-but': 'initializing' }] }, { s: false }, true],
    ['object value is not a leaf', { s: [{ 'anything-but': 'x' }] }, { s: { a: 1 } }, false],
    ['array with an allowed element', { s: [{ 'anything-but': 'a' }] }, { s: ['a', 'b'] }, true],
    ['array with only excluded elements', { s: [{ 'anything-but': 'a' }] }, { s: ['a', 'a'] }, false],
    ['prefix excluded', { r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'us-east-1' }, false],
    ['prefix other value', { r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'eu-west-1' }, true],
    ['suffix excluded', { f: [{ 'anything-but': { suffix: '.png' } }] }, { f: 'a.png' }, false],
    ['suffix other value', { f: [{ 'anything-but': { suffix: '.png' } }] }, { f: 'a.jpg' }, true],
    [
      'equals-ignore-case excluded',
      { s: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { s: 'INITIALIZING' },
      false,
    ],
    [
      'equals-ignore-case list excluded',
      { s: [{ 'anything-but': { 'equals-ignore-case': ['stopped', 'overloaded'] } }] },
      { s: 'Overloaded' },
      false,
    ],
    [
      'equals-ignore-case list other value',
      { s: [{ 'anything-but': { 'equals-ignore-case': ['stopped', 'overloaded'] } }] },
      { s: 'running' },
      true,
    ],
    ['wildcard excluded', { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/lib/x' }, false],
    ['wildcard other value', { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/bin/x' }, true],
    [
      'wildcard list excluded',
      { p: [{ 'anything-but': { wildcard: ['*.png', '*.jpg'] } }] },
      { p: 'cat.jpg' },
      false,
    ],
    [
      'wildcard list other value',
      { p: [{ 'anything-but': { wildcard: ['*.png', '*.jpg'] } }] },
      { p: 'cat.gif' },
      true,
    ],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('numeric', () => {
  it.each<Case>([
    ['= matches', { n: [{ numeric: ['=', 301.8] }] }, { n: 301.8 }, true],
    ['= does not match another value', { n: [{ numeric: ['=', 301.8] }] }, { n: 301.9 }, false],
    ['< inside', { n: [{ numeric: ['<', 10] }] }, { n: 9.99 }, true],
    ['< at the bound', { n: [{ numeric: ['<', 10] }] }, { n: 10 }, false],
    ['<= at the bound', { n: [{ numeric: ['<=', 10] }] }, { n: 10 }, true],
    ['<= above', { n: [{ numeric: ['<=', 10] }] }, { n: 10.5 }, false],
    ['> at the bound', { n: [{ numeric: ['>', 0] }] }, { n: 0 }, false],
    ['> above', { n: [{ numeric: ['>', 0] }] }, { n: 0.1 }, true],
    ['>= at the bound', { n: [{ numeric: ['>=', 7] }] }, { n: 7 }, true],
    ['>= below', { n: [{ numeric: ['>=', 7] }] }, { n: 6.9 }, false],
    ['range open bottom excludes the bound', { n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 0 }, false],
    ['range above the top', { n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 5.01 }, false],
    ['range closed bottom, open top', { n: [{ numeric: ['>=', 4, '<', 7] }] }, { n: 4 }, true],
    ['range open top excludes the bound', { n: [{ numeric: ['>=', 4, '<', 7] }] }, { n: 7 }, false],
    ['negative numbers', { n: [{ numeric: ['>', -5, '<', -1] }] }, { n: -3 }, true],
    ['numeric strings are not numbers', { n: [{ numeric: ['>', 0] }] }, { n: '5' }, false],
    ['null is not a number', { n: [{ numeric: ['>', 0] }] }, { n: null }, false],
    ['any element of an array', { n: [{ numeric: ['>', 100] }] }, { n: [1, 200] }, true],
    ['several ranges are ORed', { n: [{ numeric: ['<', 0] }, { numeric: ['>', 10] }] }, { n: 11 }, true],
    ['outside all ORed ranges', { n: [{ numeric: ['<', 0] }, { numeric: ['>', 10] }] }, { n: 5 }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('exists', () => {
  it.each<Case>([
    ['true on a string', { f: [{ exists: true }] }, { f: 'x' }, true],
    ['true on null (present leaf)', { f: [{ exists: true }] }, { f: null }, true],
    ['true on a scalar array', { f: [{ exists: true }] }, { f: [1] }, true],
    ['true on a missing field', { f: [{ exists: true }] }, {}, false],
    ['true on an object (not a leaf)', { f: [{ exists: true }] }, { f: { a: 1 } }, false],
    ['true on an empty array', { f: [{ exists: true }] }, { f: [] }, false],
    [
      'false on a missing field',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { state: 'x' } },
      true,
    ],
    [
      'false on an object (documented: not a leaf)',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { state: 'x', 'c-count': { c1: 100 } } },
      true,
    ],
    [
      'false on a present leaf',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { 'c-count': 1 } },
      false,
    ],
    ['false when the parent object is missing', { detail: { 'c-count': [{ exists: false }] } }, {}, true],
    ['false on an array of objects', { f: [{ exists: false }] }, { f: [{ a: 1 }] }, true],
    [
      'false inside an array of objects, one element lacking it',
      { items: { tag: [{ exists: false }] } },
      { items: [{ tag: 'a' }, { name: 'b' }] },
      true,
    ],
    ['false ORed with a value', { f: [{ exists: false }, 'x'] }, { f: 'x' }, true],
    ['false ORed with a value, other value', { f: [{ exists: false }, 'x'] }, { f: 'y' }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('cidr', () => {
  it.each<Case>([
    ['IPv4 inside /24', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }, true],
    ['IPv4 outside /24', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' }, false],
    ['IPv4 /32', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.7' }, true],
    ['IPv4 /32 neighbour', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.8' }, false],
    ['IPv4 /0 matches every IPv4 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' }, true],
    ['host bits in the range are ignored', { ip: [{ cidr: '10.0.0.77/24' }] }, { ip: '10.0.0.1' }, true],
    ['IPv4 malformed event value', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0.256' }, false],
    [
      'IPv4 range against an IPv6 address',
      { ip: [{ cidr: '10.0.0.0/8' }] },
      { ip: '::ffff:10.0.0.1' },
      false,
    ],
    ['IPv6 inside /32', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:85a3::8a2e:370:7334' }, true],
    [
      'IPv6 full form, upper case',
      { ip: [{ cidr: '2001:db8::/32' }] },
      { ip: '2001:0DB8:0:0:0:0:0:1' },
      true,
    ],
    ['IPv6 outside /32', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
    ['IPv6 loopback /128', { ip: [{ cidr: '::1/128' }] }, { ip: '::1' }, true],
    ['IPv6 embedded IPv4', { ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:192.0.2.1' }, true],
    ['IPv6 range against an IPv4 address', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false],
    ['IPv6 malformed event value', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1::2' }, false],
    ['not a string', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 10 }, false],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('$or', () => {
  const cloudwatch = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const nested = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization'] },
      { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
    ],
  };

  it.each<Case>([
    ['first alternative', cloudwatch, { source: 'aws.cloudwatch', metricName: 'ReadLatency' }, true],
    ['second alternative', cloudwatch, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }, true],
    ['no alternative', cloudwatch, { source: 'aws.cloudwatch', namespace: 'AWS/S3' }, false],
    [
      'alternative matches but the rest does not',
      cloudwatch,
      { source: 'aws.ec2', namespace: 'AWS/ES' },
      false,
    ],
    [
      'nested $or inner match',
      nested,
      { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 },
      true,
    ],
    [
      'nested $or inner miss',
      nested,
      { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1 },
      false,
    ],
    [
      '$or inside a nested object',
      { detail: { $or: [{ severity: [{ numeric: ['>=', 7] }] }, { critical: [true] }] } },
      { detail: { severity: 2, critical: true } },
      true,
    ],
    [
      '$or inside a nested object, neither',
      { detail: { $or: [{ severity: [{ numeric: ['>=', 7] }] }, { critical: [true] }] } },
      { detail: { severity: 2, critical: false } },
      false,
    ],
    [
      'parallel $or at two levels',
      {
        $or: [{ a: ['1'] }, { b: ['2'] }],
        detail: { $or: [{ c: ['3'] }, { d: ['4'] }] },
      },
      { b: '2', detail: { d: '4' } },
      true,
    ],
    [
      '$or alternatives with nested objects',
      { $or: [{ detail: { state: ['a'] } }, { detail: { status: ['b'] } }] },
      { detail: { status: 'b' } },
      true,
    ],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});

describe('mixed leaves', () => {
  it.each<Case>([
    ['plain value', { s: ['exact', { prefix: 'pre-' }, { numeric: ['>', 10] }] }, { s: 'exact' }, true],
    ['prefix', { s: ['exact', { prefix: 'pre-' }, { numeric: ['>', 10] }] }, { s: 'pre-fix' }, true],
    ['numeric', { s: ['exact', { prefix: 'pre-' }, { numeric: ['>', 10] }] }, { s: 11 }, true],
    ['nothing', { s: ['exact', { prefix: 'pre-' }, { numeric: ['>', 10] }] }, { s: 'other' }, false],
    ['null or a value', { s: [null, 'x'] }, { s: null }, true],
  ])('%s', (_label, pattern, event, expected) => {
    expectMatch(pattern, event, expected);
  });
});
