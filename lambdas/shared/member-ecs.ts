/**
 * An ECS client acting in a member account through its member role, for a function that calls only ECS
 * there (memberEcsCall): it does not bundle the EC2 and ECR clients of member-clients.ts (the EC2 client
 * alone costs ~180 ms of module initialization), so the fallback's cold start stays small.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { announceMemberClient, type MemberSession, memberSession } from './member-session';

const clients = new WeakMap<MemberSession, ECSClient>();

export async function memberEcs(roleArn: string, now: () => number = Date.now): Promise<ECSClient> {
  const session = await memberSession(roleArn, now);
  const cached = clients.get(session);
  if (cached) return cached;
  const client = announceMemberClient(new ECSClient(session.config), 'ecs');
  clients.set(session, client);
  return client;
}
