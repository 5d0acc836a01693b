/**
 * The member role's session (organization-wide response): assumed once per account and reused by warm
 * invocations until five minutes before the credentials expire. Only STS here, so a function that needs one
 * service's client in member accounts (member-ecs.ts) does not bundle the others (member-clients.ts).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type Credentials } from '@aws-sdk/client-sts';
import { accountOfRoleArn } from '../core/accounts';
import { MemberRoleError } from '../core/errors';
import { clientConfig } from './client-config';
import { sts } from './clients/sts';

export type MemberClientHook = (
  client: ECSClient | EC2Client | ECRClient,
  service: 'ecs' | 'ec2' | 'ecr',
) => void;

/** An assumed member role: the client configuration that acts as it. One object per session (a cache key). */
export interface MemberSession {
  readonly config: typeof clientConfig & {
    readonly credentials: {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
      readonly expiration?: Date;
    };
  };
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SESSION_SECONDS = 900;
const sessions = new Map<string, { session: MemberSession; expiresAt: number }>();
let hook: MemberClientHook | undefined;
let sessionScope: () => string = () => '';

/** Called with every client made for a member account (offline: the sandbox transport attaches to it). */
export function onMemberClient(fn: MemberClientHook | undefined): void {
  hook = fn;
}

/** Hands a client made for a member account to the hook, if any. */
export function announceMemberClient<C extends ECSClient | EC2Client | ECRClient>(
  client: C,
  service: 'ecs' | 'ec2' | 'ecr',
): C {
  hook?.(client, service);
  return client;
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

/** The session of `roleArn`, assumed now or reused while it has more than five minutes left. */
export async function memberSession(roleArn: string, now: () => number = Date.now): Promise<MemberSession> {
  const key = `${sessionScope()} ${roleArn}`;
  const cached = sessions.get(key);
  if (cached && cached.expiresAt - REFRESH_MARGIN_MS > now()) return cached.session;
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
  const session: MemberSession = {
    config: {
      ...clientConfig,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      },
    },
  };
  const expiresAt = credentials.Expiration
    ? credentials.Expiration.getTime()
    : now() + SESSION_SECONDS * 1000;
  sessions.set(key, { session, expiresAt });
  return session;
}
