/**
 * Cost of one AWS SDK v3 call in the offline engine: the same sandbox operation called through a handler's
 * SDK client (middleware stack down to the sandbox transport) and directly on the sandbox account.
 */
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { ecs } from '../lambdas/shared/clients/ecs';
import { attachHandlerClients } from '../local/functions';
import { SandboxAccount } from '../local/sandbox/account';
import { runInSandbox } from '../local/sandbox/transport';
import { median, round } from './stats';

export interface SdkOverheadJob {
  readonly kind: 'sdk-overhead';
  readonly calls: number;
}

export interface SdkOverheadResult {
  readonly calls: number;
  readonly viaSdkUs: number;
  readonly directUs: number;
  readonly sdkOverheadUs: number;
}

async function perCall(n: number, fn: () => Promise<unknown>): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}

export async function runSdkOverhead(job: SdkOverheadJob): Promise<SdkOverheadResult> {
  attachHandlerClients();
  const account = new SandboxAccount();
  account.ecs.putCluster({ name: 'bench' });
  const input = { clusters: ['bench'], include: ['TAGS' as const] };
  const result = await runInSandbox(account, async () => {
    // Warm both paths (JIT, endpoint cache) before timing.
    for (let i = 0; i < 200; i++) {
      await ecs.send(new DescribeClustersCommand(input));
      await account.call('ecs', 'DescribeClusters', input);
    }
    const viaSdk = await perCall(job.calls, () => ecs.send(new DescribeClustersCommand(input)));
    const direct = await perCall(job.calls, () => account.call('ecs', 'DescribeClusters', input));
    return { viaSdk, direct };
  });
  return {
    calls: job.calls,
    viaSdkUs: round(result.viaSdk, 1),
    directUs: round(result.direct, 1),
    sdkOverheadUs: round(result.viaSdk - result.direct, 1),
  };
}
