/**
 * Equivalence of the fast path: the outcome digest (bench/outcome-digest.ts) of the same fixed workload through
 * the reference path (jsonpath-plus, every history and message kept) and through the fast path (Simulator
 * `engine: 'fast'`), each in its own process at the same commit. Identical digests mean identical executions,
 * states, API calls (inputs, errors, order) and notifications; the sandbox's model checks are on in both.
 *
 *   npx tsx bench/equivalence.ts            exit code 1 when the digests differ
 */
import './env';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_DIGEST_WORKLOAD, type DigestJob, type OutcomeDigest } from './outcome-digest';

export interface Equivalence {
  readonly reference: OutcomeDigest;
  readonly fast: OutcomeDigest;
  readonly identical: boolean;
}

/** Runs one digest job in a fresh process (the digest pins the global clock). */
export function digestInWorker(job: DigestJob): Promise<OutcomeDigest> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'worker.ts'), [JSON.stringify(job)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: { ok: boolean; result?: OutcomeDigest; error?: string } | undefined;
    child.on('message', (m) => {
      reply = m as typeof reply;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (reply?.ok && reply.result) resolve(reply.result);
      else reject(new Error(`digest job failed (exit ${code}): ${reply?.error ?? 'no result'}`));
    });
  });
}

export async function equivalence(workload = DEFAULT_DIGEST_WORKLOAD): Promise<Equivalence> {
  const reference = await digestInWorker({ kind: 'digest', workload, engine: 'reference' });
  const fast = await digestInWorker({ kind: 'digest', workload, engine: 'fast' });
  return { reference, fast, identical: reference.sha256 === fast.sha256 };
}

if (require.main === module) {
  equivalence()
    .then((e) => {
      process.stdout.write(`reference ${e.reference.sha256}\nfast      ${e.fast.sha256}\n`);
      process.stdout.write(e.identical ? 'identical\n' : 'DIFFERENT: the fast path changed behaviour\n');
      process.exitCode = e.identical ? 0 : 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
