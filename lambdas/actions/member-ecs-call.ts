/**
 * The member-account StopTask and TagResource of the workflows where Step Functions' `Credentials.RoleArn`
 * is unavailable (outside the commercial partition, docs/aws-behaviours.md X3): the same call with the same
 * parameters, made with the member role's credentials, answered in the shape the aws-sdk integration gives
 * (PascalCase), so the states' ResultSelector and everything after them stay as they are. SDK errors are
 * thrown unchanged: Step Functions names a Lambda's error by its `name` (ServerException, ClientException,
 * InvalidParameterException, ThrottlingException…), which the states' Retry lists name.
 */
import { type ECSClient, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import type * as v from 'valibot';
import type { MemberEcsCallInputSchema } from '../core/schemas';

export type MemberEcsCall = v.InferInput<typeof MemberEcsCallInputSchema>;

/** StopTask's output as the aws-sdk integration gives it, reduced to what the workflows select. */
export interface StopTaskResult {
  readonly Task: {
    readonly TaskArn?: string;
    readonly LastStatus?: string;
    readonly DesiredStatus?: string;
  };
}

/** TagResource answers nothing (an empty object), as through the integration. */
export type TagResourceResult = Record<string, never>;

export async function callInMemberAccount(
  ecs: ECSClient,
  call: MemberEcsCall,
): Promise<StopTaskResult | TagResourceResult> {
  if (call.action === 'stopTask') {
    const { Cluster, Task, Reason } = call.parameters;
    const out = await ecs.send(new StopTaskCommand({ cluster: Cluster, task: Task, reason: Reason }));
    const task = out.task ?? {};
    return {
      Task: {
        ...(task.taskArn === undefined ? {} : { TaskArn: task.taskArn }),
        ...(task.lastStatus === undefined ? {} : { LastStatus: task.lastStatus }),
        ...(task.desiredStatus === undefined ? {} : { DesiredStatus: task.desiredStatus }),
      },
    };
  }
  const { ResourceArn, Tags } = call.parameters;
  await ecs.send(
    new TagResourceCommand({
      resourceArn: ResourceArn,
      tags: Tags.map((t) => ({ key: t.Key, value: t.Value })),
    }),
  );
  return {};
}
