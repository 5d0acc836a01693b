/**
 * One benchmark job in a fresh process (forked by bench/run.ts with the same tsx loader), so timings and
 * peak memory are not polluted by other jobs. The job comes as JSON in argv[2]; the result goes back
 * over IPC.
 */
import './env';
import { type BurstJob, runBurst } from './burst';
import { type ClusterJob, runClusterScaling } from './cluster-scaling';
import { type CriticalPathJob, runCriticalPath } from './critical-path';
import { type DigestJob, outcomeDigest } from './outcome-digest';
import { runSdkOverhead, type SdkOverheadJob } from './sdk-overhead';
import { runSigningBench, type SigningJob } from './signing';
import { type ReplayJob, runReplay } from './throughput';

export type Job =
  | ReplayJob
  | BurstJob
  | ClusterJob
  | CriticalPathJob
  | SdkOverheadJob
  | DigestJob
  | SigningJob;

async function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'replay':
      return runReplay(job);
    case 'burst':
      return runBurst(job);
    case 'cluster':
      return runClusterScaling(job);
    case 'critical-path':
      return runCriticalPath(job);
    case 'sdk-overhead':
      return runSdkOverhead(job);
    case 'digest':
      return outcomeDigest(job.workload, job.engine);
    case 'signing':
      return runSigningBench();
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  const send = (message: unknown) =>
    new Promise<void>((resolve) => {
      if (process.send) process.send(message, () => resolve());
      else {
        process.stdout.write(`${JSON.stringify(message)}\n`);
        resolve();
      }
    });
  try {
    await send({ ok: true, result: await run(job) });
  } catch (err) {
    await send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  }
  // A handle left open by a job (a timer in a library) must not keep the benchmark waiting.
  process.exit();
}

void main();
