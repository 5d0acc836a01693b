/**
 * Measured what-ifs for the profile section, applied only inside a benchmark worker process (nothing in
 * the engine changes): how fast the replay would be if an optimization suggested in bench/README.md were made.
 */
import { dynamodb } from '../lambdas/shared/clients/dynamodb';
import { ec2 } from '../lambdas/shared/clients/ec2';
import { ecr } from '../lambdas/shared/clients/ecr';
import { ecs } from '../lambdas/shared/clients/ecs';
import { s3 } from '../lambdas/shared/clients/s3';
import { sns } from '../lambdas/shared/clients/sns';
import { attachHandlerClients } from '../local/functions';
import { currentSandbox } from '../local/sandbox/transport';
import type { ServiceName } from '../local/sandbox/types';

export type WhatIf = 'sdk-initialize-step';

interface StackClient {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; priority: 'high'; name: string }): void;
  };
}

const THROTTLING = /Throttl|RequestLimitExceeded|SlowDown/;

/**
 * The sandbox answers at the SDK's initialize step, before serialization, endpoint resolution, user agent,
 * signing and the retry middleware; throttling is retried here, up to the clients' 6 attempts.
 */
function sandboxAtInitializeStep(): void {
  attachHandlerClients();
  const clients: [StackClient, ServiceName][] = [
    [ecs, 'ecs'],
    [ec2, 'ec2'],
    [ecr, 'ecr'],
    [s3, 's3'],
    [sns, 'sns'],
    [dynamodb, 'dynamodb'],
  ];
  for (const [client, service] of clients) {
    client.middlewareStack.add(
      (_next: unknown, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const account = currentSandbox();
          if (!account) throw new Error(`${service} call outside a sandbox`);
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          for (let attempt = 1; ; attempt++) {
            try {
              const output = (await account.call(service, operation, args.input)) as
                | Record<string, unknown>
                | undefined;
              return { output: { ...(output ?? {}), $metadata: { httpStatusCode: 200, attempts: attempt } } };
            } catch (err) {
              if (attempt >= 6 || !(err instanceof Error) || !THROTTLING.test(err.name)) throw err;
            }
          }
        },
      { step: 'initialize', priority: 'high', name: 'benchWhatIfSandboxAtInitialize' },
    );
  }
}

export function applyWhatIf(whatIf: WhatIf): void {
  if (whatIf === 'sdk-initialize-step') sandboxAtInitializeStep();
}
