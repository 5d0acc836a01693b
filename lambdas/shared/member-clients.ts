/**
 * SDK clients that act in a member account (organization-wide response), made once per member session
 * (member-session.ts: the role assumed once per account, reused until five minutes before it expires). For
 * the deployment's own account (no member role) the module's shared clients are returned.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ec2 } from './clients/ec2';
import { ecr } from './clients/ecr';
import { ecs } from './clients/ecs';
import { announceMemberClient, type MemberSession, memberSession } from './member-session';

export {
  forgetMemberSessions,
  type MemberClientHook,
  onMemberClient,
  scopeMemberSessions,
} from './member-session';

export interface AccountClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
}

const clients = new WeakMap<MemberSession, AccountClients>();

/** Clients acting in the account of `roleArn` through that role, or the deployment's own without one. */
export async function clientsFor(
  roleArn: string | undefined,
  now: () => number = Date.now,
): Promise<AccountClients> {
  if (!roleArn) return { ecs, ec2, ecr };
  const session = await memberSession(roleArn, now);
  const cached = clients.get(session);
  if (cached) return cached;
  const made = {
    ecs: announceMemberClient(new ECSClient(session.config), 'ecs'),
    ec2: announceMemberClient(new EC2Client(session.config), 'ec2'),
    ecr: announceMemberClient(new ECRClient(session.config), 'ecr'),
  };
  clients.set(session, made);
  return made;
}
