/**
 * The expected permissions are only as good as their match with the code. esbuild bundles each handler
 * with the SDK left external and tree-shaking on, so the output keeps exactly the `new XCommand(…)` calls
 * the handler can reach; those, as IAM actions, must equal the hand-written expectation.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { FUNCTIONS, type FunctionId } from '../../definitions/functions';
import { EXPECTED_API_ACTIONS } from './expected-permissions';
import { REPO_ROOT } from './helpers';

/** IAM service prefix of an SDK v3 client package, where it differs from the package suffix. */
const IAM_PREFIX: Readonly<Record<string, string>> = { sfn: 'states' };

/** The IAM actions of the SDK commands a handler bundle constructs. */
function apiActionsOf(entry: string): string[] {
  const result = buildSync({
    entryPoints: [path.join(REPO_ROOT, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    treeShaking: true,
    external: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*'],
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  const actions = new Set<string>();
  for (const [, specifiers = '', pkg = ''] of text.matchAll(
    /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([\w-]+)"/g,
  )) {
    const prefix = IAM_PREFIX[pkg] ?? pkg;
    for (const specifier of specifiers.split(',')) {
      // `UpdateItemCommand as UpdateItemCommand2` when two modules import the same command.
      const [imported = '', local = imported] = specifier.trim().split(/\s+as\s+/);
      const command = /^(\w+)Command$/.exec(imported);
      if (command && new RegExp(`new ${local}\\(`).test(text)) actions.add(`${prefix}:${command[1]}`);
      const paginator = /^paginate(\w+)$/.exec(imported);
      if (paginator && new RegExp(`\\b${local}\\(`).test(text)) actions.add(`${prefix}:${paginator[1]}`);
    }
  }
  return [...actions].sort();
}

describe('permissions match the SDK calls of each handler', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionId[])('%s', (id) => {
    const entry = FUNCTIONS[id].entry;
    if (!existsSync(path.join(REPO_ROOT, entry))) {
      console.warn(`infra: ${entry} does not exist yet; its SDK calls were not checked`);
      return;
    }
    expect(apiActionsOf(entry)).toEqual([...EXPECTED_API_ACTIONS[id]].sort());
  });
});
