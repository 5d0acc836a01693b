/**
 * The offline matcher against the examples of the EventBridge user guide, each citing its page, plus the
 * forms AWS's TestEventPattern accepts beyond them (list forms of anything-but prefix/suffix, dotted keys).
 */
import { matchesPattern } from '../../local/event-pattern';

const OPERATORS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html';
const FILTERING =
  'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html';

type Case = [
  source: string,
  pattern: Record<string, unknown>,
  event: Record<string, unknown>,
  matches: boolean,
];

const CASES: Record<string, Case[]> = {
  and: [
    [OPERATORS, { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, true],
    [OPERATORS, { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Tuesday' }, false],
  ],
  'anything-but': [
    [OPERATORS, { state: [{ 'anything-but': 'initializing' }] }, { state: 'pending' }, true],
    [OPERATORS, { state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }, false],
    [FILTERING, { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } }, true],
    [FILTERING, { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } }, false],
  ],
  'anything-but prefix': [
    [OPERATORS, { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, true],
    [OPERATORS, { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' }, false],
    // TestEventPattern accepts a list (none of the prefixes); the operator page shows one string.
    [
      'TestEventPattern',
      { Region: [{ 'anything-but': { prefix: ['us-', 'ca-'] } }] },
      { Region: 'ca-central-1' },
      false,
    ],
    [
      'TestEventPattern',
      { Region: [{ 'anything-but': { prefix: ['us-', 'ca-'] } }] },
      { Region: 'eu-west-1' },
      true,
    ],
  ],
  'anything-but suffix': [
    [OPERATORS, { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true],
    [OPERATORS, { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
    [
      'TestEventPattern',
      { FileName: [{ 'anything-but': { suffix: ['.png', '.gif'] } }] },
      { FileName: 'a.gif' },
      false,
    ],
  ],
  'anything-but equals-ignore-case': [
    [
      OPERATORS,
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'INITIALIZING' },
      false,
    ],
    [
      OPERATORS,
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'running' },
      true,
    ],
  ],
  'anything-but wildcard': [
    [
      OPERATORS,
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/lib/x' },
      false,
    ],
    [
      OPERATORS,
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/bin/x' },
      true,
    ],
  ],
  prefix: [
    [OPERATORS, { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, true],
    [FILTERING, { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    [
      OPERATORS,
      { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      { service: 'EventBridge' },
      true,
    ],
  ],
  suffix: [
    [FILTERING, { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
    [
      FILTERING,
      { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      { detail: { FileName: 'A.PNG' } },
      true,
    ],
  ],
  numeric: [
    [
      FILTERING,
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
      { detail: { 'c-count': 5 } },
      true,
    ],
    [
      FILTERING,
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
      { detail: { 'c-count': 6 } },
      false,
    ],
    [
      FILTERING,
      { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      { detail: { 'x-limit': 301.8 } },
      true,
    ],
  ],
  cidr: [
    [
      FILTERING,
      { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
      { detail: { 'source-ip': '10.0.0.255' } },
      true,
    ],
    [
      FILTERING,
      { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
      { detail: { 'source-ip': '10.0.1.1' } },
      false,
    ],
  ],
  exists: [
    [FILTERING, { detail: { state: [{ exists: true }] } }, { detail: { state: 'pending' } }, true],
    [FILTERING, { detail: { state: [{ exists: true }] } }, { detail: { 'c-count': { c1: 100 } } }, false],
    [FILTERING, { detail: { state: [{ exists: false }] } }, { detail: { 'c-count': { c1: 100 } } }, true],
  ],
  'equals-ignore-case': [
    [
      FILTERING,
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      { 'detail-type': 'EC2 Instance State-change Notification' },
      true,
    ],
  ],
  wildcard: [
    [
      FILTERING,
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      true,
    ],
    [
      FILTERING,
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' },
      false,
    ],
  ],
  $or: [
    [
      FILTERING,
      {
        detail: {
          $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
        },
      },
      { detail: { 'c-count': 9, 'd-count': 3 } },
      true,
    ],
    [
      FILTERING,
      {
        detail: {
          $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
        },
      },
      { detail: { 'c-count': 9, 'd-count': 30 } },
      false,
    ],
  ],
  // Event-ruler (which EventBridge runs) matches on dot-joined paths, on both sides.
  'dotted keys': [
    ['TestEventPattern', { 'detail.state': ['running'] }, { detail: { state: 'running' } }, true],
    ['TestEventPattern', { detail: { state: ['running'] } }, { 'detail.state': 'running' }, true],
    ['TestEventPattern', { 'detail.state': ['running'] }, { detail: { state: 'stopped' } }, false],
    [
      'TestEventPattern',
      { 'detail.items.name': ['a'] },
      { detail: { items: [{ name: 'b' }, { name: 'a' }] } },
      true,
    ],
  ],
};

describe.each(Object.entries(CASES))('%s', (_operator, cases) => {
  it.each(cases)('(%s) %j on %j matches: %s', (_source, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
