/**
 * The fast engine path (issue 17, item 3): the same outcomes as the reference path, by construction of each
 * of its parts (a JSONPath answered like jsonpath-plus, bounded retention of write-only records) and as a
 * whole on a mixed stream with injected faults. `npm run bench` checks the full digest workload (section 0b).
 */
import type { JSONPath } from 'jsonpath-plus';
import type { ExecutionResult } from '../../local/asl-runner';
import { installFastJsonPath } from '../../local/fast-jsonpath';
import { SandboxAccount } from '../../local/sandbox/account';
import { StatesService } from '../../local/sandbox/states';
import { runInSandbox } from '../../local/sandbox/transport';
import { RECENT_RECORDS } from '../../local/sandbox/types';

const START = Date.UTC(2026, 10, 28, 10, 0, 0);

describe('fast JSONPath', () => {
  const documents: unknown[] = [
    {
      a: { b: [{ c: 1 }, { c: 'two' }], s: 'text', n: null, z: 0, f: false, e: '' },
      '0': { x: 1 },
      arr: [[1, 2]],
    },
  ];
  const paths = [
    '$.a',
    '$.a.b',
    '$.a.b[0].c',
    '$.a.b[1].c',
    '$.a.b[2].c',
    '$.a.s',
    '$.a.s.length',
    '$.a.b.length',
    '$.a.n',
    '$.a.n.x',
    '$.a.z',
    '$.a.f',
    '$.a.e',
    '$.missing',
    '$.missing.deeper',
    '$.arr[0][1]',
    '$[0]',
    '$.a.b[*].c',
    '$..c',
    '$',
  ];

  it('answers every path exactly as jsonpath-plus does (wrap: false), for a fast sandbox', async () => {
    // The module object the ASL engine reads JSONPath from at each call.
    const engineJsonPath = require(
      require.resolve('jsonpath-plus', { paths: [require.resolve('aws-local-stepfunctions')] }),
    ) as { JSONPath: typeof JSONPath };
    const jsonpathPlus = engineJsonPath.JSONPath;
    installFastJsonPath();
    expect(engineJsonPath.JSONPath).not.toBe(jsonpathPlus);
    const fast = new SandboxAccount({ engine: 'fast' });
    for (const json of documents) {
      for (const path of paths) {
        const expected = jsonpathPlus({ path, json: json as object, wrap: false });
        const answered = await runInSandbox(fast, async () =>
          engineJsonPath.JSONPath({ path, json: json as object, wrap: false }),
        );
        expect({ path, value: answered }).toEqual({ path, value: expected });
      }
    }
  });
});

describe('bounded retention (engine: fast)', () => {
  function run(name: string, status: ExecutionResult['status']): ExecutionResult {
    return {
      executionArn: `arn:aws:states:us-east-1:111122223333:execution:Wf:${name}`,
      name,
      stateMachine: 'Wf',
      status,
      input: { name },
      states: [],
      stateTransitions: 0,
      retries: 0,
      events: [],
      startedAt: START,
      durationMs: 1,
    };
  }

  it('keeps every unsuccessful execution and the newest successful ones; names stay unique', async () => {
    const account = new SandboxAccount({ engine: 'fast', clock: () => START });
    const starts: string[] = [];
    const states = new StatesService(account, {
      start: async (_arn, _input, name) => {
        starts.push(name ?? '');
        return run(name ?? 'x', 'SUCCEEDED');
      },
      redrive: async (record) => record,
    });
    account.register(states);
    const arn = 'arn:aws:states:us-east-1:111122223333:stateMachine:Wf';
    for (let i = 0; i < 3 * RECENT_RECORDS; i++) {
      states.record(arn, run(`run-${i}`, i % 100 === 0 ? 'FAILED' : 'SUCCEEDED'));
    }
    const kept = states.all();
    expect(kept.length).toBeLessThanOrEqual(2 * RECENT_RECORDS + (3 * RECENT_RECORDS) / 100);
    expect(kept.filter((e) => e.status === 'FAILED')).toHaveLength((3 * RECENT_RECORDS) / 100);
    expect(kept.some((e) => e.name === `run-${3 * RECENT_RECORDS - 1}`)).toBe(true);
    expect(kept.some((e) => e.name === 'run-1')).toBe(false);
    // A dropped history still holds its name, as on AWS (names are unique for 90 days).
    await expect(
      account.call('states', 'StartExecution', { stateMachineArn: arn, name: 'run-1', input: '{}' }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(starts).toEqual([]);
  });

  it('never drops a quarantine record: the image-push check and release read it back much later', async () => {
    const account = new SandboxAccount({ engine: 'fast' });
    account.s3.createBucket('evidence');
    const record = 'incidents/i-1/exec-1/quarantine/api/sha256_ab.json';
    await account.call('s3', 'PutObject', {
      Bucket: 'evidence',
      Key: record,
      Body: '{"digest":"sha256:ab"}',
    });
    for (let i = 0; i < 3 * RECENT_RECORDS; i++)
      await account.call('s3', 'PutObject', { Bucket: 'evidence', Key: `k-${i}`, Body: `body-${i}` });

    const out = (await account.call('s3', 'GetObject', { Bucket: 'evidence', Key: record })) as {
      Body: { transformToString(): Promise<string> };
    };

    expect(await out.Body.transformToString()).toBe('{"digest":"sha256:ab"}');
  });

  it('keeps everything on the reference path', () => {
    const account = new SandboxAccount({ clock: () => START });
    const states = new StatesService(account, {
      start: async () => run('x', 'SUCCEEDED'),
      redrive: async (record) => record,
    });
    const arn = 'arn:aws:states:us-east-1:111122223333:stateMachine:Wf';
    for (let i = 0; i < 3 * RECENT_RECORDS; i++) states.record(arn, run(`run-${i}`, 'SUCCEEDED'));
    expect(states.all()).toHaveLength(3 * RECENT_RECORDS);
  });

  it('keeps the newest evidence bodies only; keys still refuse a second conditional write', async () => {
    const account = new SandboxAccount({ engine: 'fast' });
    account.s3.createBucket('evidence');
    const put = (i: number) =>
      account.call('s3', 'PutObject', {
        Bucket: 'evidence',
        Key: `k-${i}`,
        Body: `body-${i}`,
        IfNoneMatch: '*',
      });
    for (let i = 0; i < 3 * RECENT_RECORDS; i++) await put(i);
    await expect(put(0)).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await expect(account.call('s3', 'GetObject', { Bucket: 'evidence', Key: 'k-0' })).rejects.toMatchObject({
      name: 'SandboxBodyDropped',
    });
    const newest = (await account.call('s3', 'GetObject', {
      Bucket: 'evidence',
      Key: `k-${3 * RECENT_RECORDS - 1}`,
    })) as { Body: { transformToString(): Promise<string> }; ContentLength: number };
    expect(await newest.Body.transformToString()).toBe(`body-${3 * RECENT_RECORDS - 1}`);
    const head = (await account.call('s3', 'HeadObject', { Bucket: 'evidence', Key: 'k-0' })) as {
      ContentLength: number;
    };
    expect(head.ContentLength).toBe('body-0'.length);
  });

  it('keeps the newest published messages only', async () => {
    const account = new SandboxAccount({ engine: 'fast' });
    const topic = account.sns.createTopic('t');
    for (let i = 0; i < 3 * RECENT_RECORDS; i++) {
      await account.call('sns', 'Publish', { TopicArn: topic, Message: `m-${i}` });
    }
    const published = account.sns.published();
    expect(published.length).toBeLessThanOrEqual(2 * RECENT_RECORDS);
    expect(published.at(-1)?.message).toBe(`m-${3 * RECENT_RECORDS - 1}`);
  });
});

/**
 * The digest of a 60-event mixed stream in a fresh module registry: the SDK clients and handlers keep state
 * across runs in one process (first-call memoization, the retry quota), so each path starts from scratch,
 * as each runs in its own process in `npm run bench`.
 */
async function freshDigest(engine: 'reference' | 'fast'): Promise<unknown> {
  let digest: unknown;
  await jest.isolateModulesAsync(async () => {
    const bench = require('../../bench/outcome-digest') as typeof import('../../bench/outcome-digest');
    const caps = require('../../bench/outcome') as typeof import('../../bench/outcome');
    const workload = require('../../bench/workload') as typeof import('../../bench/workload');
    const local = require('../../local/engine') as typeof import('../../local/engine');
    const simulator = new local.Simulator({
      config: caps.withCaps(25, 120),
      clock: bench.pinnedClock,
      faultRate: 0.05,
      seed: 7,
      engine,
    });
    digest = await bench.outcomeDigestOf(simulator, workload.mixedEvents(60));
  });
  return digest;
}

describe('the whole fast path', () => {
  it('gives the reference path outcomes on a mixed stream with 5% injected faults', async () => {
    const reference = await freshDigest('reference');
    const fast = await freshDigest('fast');
    expect(fast).toMatchObject({ executions: expect.any(Number), apiCalls: expect.any(Number) });
    expect(fast).toEqual(reference);
  }, 600_000);
});
