/**
 * The fast path's JSONPath (Simulator `engine: 'fast'`): the ASL engine (aws-local-stepfunctions) evaluates
 * every path with `JSONPath({ path, json, wrap: false })` from jsonpath-plus, which parses the path each time
 * and, for a scalar result, constructs and throws an error object to return it (about 6% of a replay).
 *
 * Installed over the `JSONPath` export the engine reads at each call, it answers the one form the workflows
 * use most (`$.a.b[0].c`: plain names and indices, each step an own property of an object or array) from a
 * parsed-path cache, exactly as jsonpath-plus would, and hands everything else (another form, a step through
 * a scalar or a missing member, other options) to jsonpath-plus itself. Only executions of a sandbox created
 * with `engine: 'fast'` take it; the reference path is untouched. `bench/equivalence.ts` proves the two give
 * identical outcome digests.
 */
import { currentSandbox } from './sandbox/transport';

type JsonPathFn = ((...args: unknown[]) => unknown) & Record<string, unknown>;

interface JsonPathModule {
  JSONPath: JsonPathFn;
}

/** Segments of a simple path (`$.name`, `[0]`), or null for any other form. Cached per path text. */
const parsed = new Map<string, (string | number)[] | null>();
const SIMPLE = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/;
const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;

function segmentsOf(path: string): (string | number)[] | null {
  let segments = parsed.get(path);
  if (segments !== undefined) return segments;
  segments = null;
  if (SIMPLE.test(path)) {
    segments = [];
    for (const m of path.matchAll(SEGMENT)) segments.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  if (parsed.size < 10_000) parsed.set(path, segments);
  return segments;
}

const NOT_SIMPLE = Symbol('not simple');

/** The value at a simple path when every step is an own member of an object (or index of an array). */
function walk(json: unknown, segments: (string | number)[]): unknown {
  let current = json;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return NOT_SIMPLE;
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return NOT_SIMPLE;
      current = current[segment];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, segment)) return NOT_SIMPLE;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

let installed = false;

/** Puts the fast JSONPath in front of jsonpath-plus for the engine. Idempotent. */
export function installFastJsonPath(): void {
  if (installed) return;
  installed = true;
  const engineEntry = require.resolve('aws-local-stepfunctions');
  const module = require(require.resolve('jsonpath-plus', { paths: [engineEntry] })) as JsonPathModule;
  const original = module.JSONPath;
  const fast = function JSONPath(this: unknown, ...args: unknown[]): unknown {
    const options = args[0] as { path?: unknown; json?: unknown; wrap?: unknown } | undefined;
    if (
      args.length === 1 &&
      currentSandbox()?.engine === 'fast' &&
      options !== null &&
      typeof options === 'object' &&
      options.wrap === false &&
      typeof options.path === 'string' &&
      Object.keys(options).length === 3
    ) {
      const segments = segmentsOf(options.path);
      // jsonpath-plus answers undefined for a falsy document; such cases go to it.
      if (segments && options.json !== null && typeof options.json === 'object') {
        const value = walk(options.json, segments);
        if (value !== NOT_SIMPLE) return value;
      }
    }
    return Reflect.apply(original, this, args);
  } as JsonPathFn;
  Object.assign(fast, original);
  module.JSONPath = fast;
}
