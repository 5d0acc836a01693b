/**
 * SDK clients that act in a member account (organization-wide response): the member role is assumed once
 * per account and its credentials reused by warm invocations until five minutes before they expire. For
 * the deployment's own account (no member role) the module's shared clients are returned.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type Credentials } from '@aws-sdk/client-sts';
import { accountOfRoleArn } from '../core/accounts';
import { MemberRoleError } from '../core/errors';
import { clientConfig } from './client-config';
import { ec2 } from './clients/ec2';
import { ecr } from './clients/ecr';
import { ecs } from './clients/ecs';
import { sts } from './clients/sts';

export interface AccountClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
}

export type MemberClientHook = (
  client: ECSClient | EC2Client | ECRClient,
  service: 'ecs' | 'ec2' | 'ecr',
) => void;

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SESSION_SECONDS = 900;
const sessions = new Map<string, { clients: AccountClients; expiresAt: number }>();
let hook: MemberClientHook | undefined;
let sessionScope: () => string = () => '';

/** Called with every client made for a member account (offline: the sandbox transport attaches to it). */
export function onMemberClient(fn: MemberClientHook | undefined): void {
  hook = fn;
}

/**
 * Offline, every handler shares this module, while each deployed function caches its own sessions (its own
 * process, its own role): the engine keys the cache by the calling function's role so that one function
 * never reuses a session another assumed (a member role that trusts one but not the other shows).
 */
export function scopeMemberSessions(fn: () => string): void {
  sessionScope = fn;
}

/** Forgets cached member sessions (the offline engine starts each sandbox without them). */
export function forgetMemberSessions(): void {
  sessions.clear();
}

function memberRoleFailure(roleArn: string, err: unknown): MemberRoleError {
  const account = accountOfRoleArn(roleArn) ?? 'unknown';
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return new MemberRoleError(
    `could not assume ${roleArn} in account ${account} (${name}: ${message}); nothing was done in account ${account}. ` +
      'Fix: deploy the ShieldRightMemberRole (npm run member-template, rolled out with a StackSet) in that account, ' +
      "trusting this deployment's roles, with the role name set as memberAccountRoleName",
  );
}

/** Clients acting in the account of `roleArn` through that role, or the deployment's own without one. */
export async function clientsFor(
  roleArn: string | undefined,
  now: () => number = Date.now,
): Promise<AccountClients> {
  if (!roleArn) return { ecs, ec2, ecr };
  const key = `${sessionScope()} ${roleArn}`;
  const cached = sessions.get(key);
  if (cached && cached.expiresAt - REFRESH_MARGIN_MS > now()) return cached.clients;
  let credentials: Credentials | undefined;
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'shield-right',
        DurationSeconds: SESSION_SECONDS,
      }),
    );
    credentials = out.Credentials;
  } catch (err) {
    // Only a refusal is the role's fault; throttling and 5xx keep their own names for the workflow's Retry.
    if (err instanceof Error && (err.name === 'AccessDenied' || err.name === 'AccessDeniedException'))
      throw memberRoleFailure(roleArn, err);
    throw err;
  }
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw memberRoleFailure(roleArn, new Error('AssumeRole returned no credentials'));
  }
  const config = {
    ...clientConfig,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    },
  };
  const clients = { ecs: new ECSClient(config), ec2: new EC2Client(config), ecr: new ECRClient(config) };
  hook?.(clients.ecs, 'ecs');
  hook?.(clients.ec2, 'ec2');
  hook?.(clients.ecr, 'ecr');
  const expiresAt = credentials.Expiration
    ? credentials.Expiration.getTime()
    : now() + SESSION_SECONDS * 1000;
  sessions.set(key, { clients, expiresAt });
  return clients;
}
