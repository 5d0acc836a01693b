/**
 * What memberEcsCall may do, checked before it assumes anything: exactly the calls the workflows send (the
 * Credentials.RoleArn path's StopTask and TagResource), in the account of the configured member role. The
 * function is invokable by anyone in the central account with lambda:InvokeFunction, so it must not become
 * a way to stop any task or tag anything in a member account with the member role (a confused deputy). Pure.
 */
import { accountOfRoleArn } from './accounts';

export type MemberEcsCallRequest =
  | {
      readonly action: 'stopTask';
      readonly roleArn: string;
      readonly parameters: { readonly Cluster: string; readonly Task: string };
    }
  | {
      readonly action: 'tagResource';
      readonly roleArn: string;
      readonly parameters: {
        readonly ResourceArn: string;
        readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
      };
    };

const ECS_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:(\d{12}):(cluster|task|service)\/(.+)$/;

/** Why the call is refused, or undefined when it is one the workflows send. */
export function memberCallRefusal(
  call: MemberEcsCallRequest,
  memberRoleName: string | undefined,
  incidentTagKey: string,
): string | undefined {
  const account = accountOfRoleArn(call.roleArn);
  const roleName = call.roleArn.slice(call.roleArn.lastIndexOf('/') + 1);
  if (!memberRoleName || roleName !== memberRoleName || !account) {
    return `role ${call.roleArn} is not the configured member role (${memberRoleName ?? 'memberAccountRoleName unset'})`;
  }
  if (call.action === 'stopTask') {
    const cluster = ECS_ARN.exec(call.parameters.Cluster);
    const task = ECS_ARN.exec(call.parameters.Task);
    if (cluster?.[2] !== 'cluster' || task?.[2] !== 'task')
      return 'Cluster and Task must be ECS cluster and task ARNs';
    if (cluster[1] !== account || task[1] !== account) {
      return `the task is not in account ${account} of the role`;
    }
    // task/<cluster>/<id> names its cluster: it must be the one given.
    if (!task[3]?.startsWith(`${cluster[3]}/`))
      return `task ${call.parameters.Task} is not in cluster ${cluster[3]}`;
    return undefined;
  }
  const service = ECS_ARN.exec(call.parameters.ResourceArn);
  if (service?.[2] !== 'service' || service[1] !== account) {
    return `ResourceArn must be an ECS service of account ${account}`;
  }
  const tags = call.parameters.Tags;
  if (tags.length !== 1 || tags[0]?.Key !== incidentTagKey)
    return `only the ${incidentTagKey} tag may be set`;
  return undefined;
}
