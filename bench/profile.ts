/**
 * CPU profile of a measured region (node:inspector, started after warm-up and stopped before any
 * reporting), summarized by where the time goes: self time per category, plus the time spent under a
 * few named functions (synchronous stacks only: async continuations start a new stack).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
export interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
  readonly endTime: number;
}

function post<T>(session: Session, method: string, params?: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => {
      if (err) reject(err);
      else resolve(result as T);
    });
  });
}

export class Profiler {
  private readonly session = new Session();

  async start(intervalUs = 250): Promise<void> {
    this.session.connect();
    await post(this.session, 'Profiler.enable');
    await post(this.session, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await post(this.session, 'Profiler.start');
  }

  async stop(path?: string): Promise<CpuProfile> {
    const { profile } = await post<{ profile: CpuProfile }>(this.session, 'Profiler.stop');
    this.session.disconnect();
    if (path) writeFileSync(path, JSON.stringify(profile));
    return profile;
  }
}

/** Categories of self time, first match wins. */
const CATEGORIES: readonly [string, (f: CallFrame) => boolean][] = [
  ['ASL engine: JSONPath (jsonpath-plus)', (f) => f.url.includes('/jsonpath-plus/')],
  ['ASL engine: aws-local-stepfunctions', (f) => f.url.includes('/aws-local-stepfunctions/')],
  [
    'ASL validation (asl-validator, ajv)',
    (f) => /\/(asl-validator|asl-path-validator|ajv[^/]*)\//.test(f.url),
  ],
  [
    'AWS SDK v3: endpoint resolution',
    (f) =>
      /@smithy\/core\/dist-cjs\/submodules\/endpoints|@smithy\/util-endpoints|@aws-sdk\/util-endpoints/.test(
        f.url,
      ),
  ],
  ['AWS SDK v3: request serializers', (f) => /\/submodules\/(protocols|schema)\//.test(f.url)],
  ['AWS SDK v3: middleware stack, retry, other', (f) => /\/node_modules\/(@smithy|@aws-sdk)\//.test(f.url)],
  ['Powertools logger', (f) => f.url.includes('/@aws-lambda-powertools/')],
  ['Sandbox services (local/sandbox/*)', (f) => f.url.includes('/local/sandbox/')],
  ['local/asl-runner.ts (dispatch, asJson, mapKeys)', (f) => f.url.endsWith('/local/asl-runner.ts')],
  ['Engine glue (local/engine, functions, provision, event-pattern)', (f) => f.url.includes('/local/')],
  [
    'Notification rendering (lambdas/core/render, escape)',
    (f) => /\/lambdas\/core\/(render|escape)\.ts$/.test(f.url),
  ],
  ['Handlers and other core logic (lambdas/*)', (f) => f.url.includes('/lambdas/')],
  ['Bench harness and event builders', (f) => /\/(bench|test\/helpers)\//.test(f.url)],
  ['Node.js: async_hooks (AsyncLocalStorage)', (f) => /^node:(internal\/)?async_hooks/.test(f.url)],
  ['Node.js: module loading', (f) => /^node:internal\/modules/.test(f.url) || f.url.includes('/tsx/')],
  ['Node.js: other internals', (f) => f.url.startsWith('node:')],
  ['Other node_modules', (f) => f.url.includes('/node_modules/')],
  ['Garbage collection', (f) => f.url === '' && f.functionName === '(garbage collector)'],
  ['Idle', (f) => f.url === '' && f.functionName === '(idle)'],
  ['JSON.parse / JSON.stringify (native)', (f) => f.url === '' && /^(parse|stringify)$/.test(f.functionName)],
  ['structuredClone (native)', (f) => f.url === '' && f.functionName === 'structuredClone'],
  ['V8: program and other builtins', () => true],
];

/** Time under these functions on the synchronous stack (a function counted once per sample). */
const UNDER: readonly [string, (f: CallFrame) => boolean][] = [
  [
    'JSON deep copies per state: aws-local-stepfunctions cloneJSON()',
    (f) => f.functionName === 'cloneJSON' && f.url.includes('/aws-local-stepfunctions/'),
  ],
  [
    'JSON round trips per task: local/asl-runner.ts asJson()',
    (f) => f.functionName === 'asJson' && f.url.endsWith('/local/asl-runner.ts'),
  ],
  ['JSONPath queries (jsonPathQuery)', (f) => f.functionName === 'jsonPathQuery'],
  ['  of which: jsonpath-plus throws a NewError per scalar result', (f) => f.functionName === 'NewError'],
  ['Payload templates (Parameters, ResultSelector)', (f) => f.functionName === 'processPayloadTemplate'],
  [
    'Sandbox operations (SandboxAccount.call and the service)',
    (f) => f.functionName === 'call' && f.url.endsWith('/local/sandbox/account.ts'),
  ],
  ['Notification rendering (lambdas/core/render/)', (f) => f.url.includes('/lambdas/core/render/')],
  ['Auto-provisioning (provisionFromEvent)', (f) => f.functionName === 'provisionFromEvent'],
  ['Rule matching (local/event-pattern.ts)', (f) => f.url.endsWith('/local/event-pattern.ts')],
];

export interface ProfileSummary {
  readonly totalMs: number;
  readonly sampleCount: number;
  readonly selfByCategory: { category: string; ms: number; share: number }[];
  readonly under: { label: string; ms: number; share: number }[];
  readonly topFunctions: { fn: string; ms: number }[];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  return url.replace(/^file:\/\/.*?\/(lambdas|local|bench|test|cdk)\//, '$1/');
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const under = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node) return;
    total += dt;
    const f = node.callFrame;
    const category = CATEGORIES.find(([, test]) => test(f))?.[0] ?? 'other';
    self.set(category, (self.get(category) ?? 0) + dt);
    const fnKey = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = nodes.get(cur)?.callFrame;
      if (!frame) break;
      for (const [label, test] of UNDER) if (!seen.has(label) && test(frame)) seen.add(label);
    }
    for (const label of seen) under.set(label, (under.get(label) ?? 0) + dt);
  });
  const share = (ms: number) => Math.round((ms / total) * 1000) / 10;
  return {
    totalMs: Math.round(total),
    sampleCount: profile.samples.length,
    selfByCategory: [...self]
      .map(([category, ms]) => ({ category, ms: Math.round(ms), share: share(ms) }))
      .sort((a, b) => b.ms - a.ms),
    under: UNDER.map(([label]) => ({
      label,
      ms: Math.round(under.get(label) ?? 0),
      share: share(under.get(label) ?? 0),
    })),
    topFunctions: [...byFunction]
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15),
  };
}
