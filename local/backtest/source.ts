/**
 * Where a back-test reads from: the user's account (SDK clients with the default credential chain) or a
 * saved sandbox (the same clients routed to it). Either way every client is read-only (read-only.ts).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { clientConfig } from '../../lambdas/shared/client-config';
import type { SandboxAccount } from '../sandbox/account';
import { attachSandbox, runInSandbox } from '../sandbox/transport';
import { readOnly } from './read-only';

export interface SourceClients {
  readonly guardduty: GuardDutyClient;
  readonly inspector2: Inspector2Client;
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
}

export interface Source {
  readonly clients: SourceClients;
  readonly accountId?: string;
  readonly region: string;
  /** Runs the reads (offline: with the saved sandbox active, as the transport needs). */
  readonly run: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Read-only clients for one region, each created once. */
export function readOnlyClients(region: string | undefined): SourceClients {
  const config = { ...clientConfig, ...(region ? { region } : {}) };
  return {
    guardduty: readOnly(new GuardDutyClient(config)),
    inspector2: readOnly(new Inspector2Client(config)),
    ecs: readOnly(new ECSClient(config)),
    ec2: readOnly(new EC2Client(config)),
    ecr: readOnly(new ECRClient(config)),
  };
}

/** No region given, none in the environment or the profile: said in one line. */
export class NoRegionError extends Error {
  constructor() {
    super('no AWS region: pass --region, or set AWS_REGION or a profile with a region');
    this.name = 'NoRegionError';
  }
}

/** The user's account, in `region` (else the SDK's own resolution: AWS_REGION, the profile). */
export async function awsSource(region: string | undefined): Promise<Source> {
  const clients = readOnlyClients(region);
  let resolved: string;
  try {
    resolved = await clients.ecs.config.region();
  } catch {
    throw new NoRegionError();
  }
  // The account read is the one the clusters belong to (a delegated administrator's findings may be its
  // members'): taken from a cluster ARN, else from the findings (runBacktest).
  const page = await clients.ecs.send(new ListClustersCommand({ maxResults: 1 }));
  const accountId = /^arn:[^:]+:ecs:[^:]*:(\d{12}):/.exec(page.clusterArns?.[0] ?? '')?.[1];
  return { clients, region: resolved, ...(accountId ? { accountId } : {}), run: (fn) => fn() };
}

/** A saved sandbox as the account read: the same read-only clients, answered by the sandbox. */
export function sandboxSource(account: SandboxAccount): Source {
  const clients = readOnlyClients(account.region);
  attachSandbox(clients.guardduty, 'guardduty');
  attachSandbox(clients.inspector2, 'inspector2');
  attachSandbox(clients.ecs, 'ecs');
  attachSandbox(clients.ec2, 'ec2');
  attachSandbox(clients.ecr, 'ecr');
  return {
    clients,
    accountId: account.accountId,
    region: account.region,
    run: (fn) => runInSandbox(account, fn),
  };
}
