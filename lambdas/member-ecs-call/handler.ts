/**
 * StopTaskInMemberAccountByLambda, TagServiceInMemberAccountByLambda, StopExposedTaskInMemberAccountByLambda:
 * a member account's StopTask/TagResource through its member role, where Credentials.RoleArn is unavailable.
 */

import { callInMemberAccount, type StopTaskResult, type TagResourceResult } from '../actions/member-ecs-call';
import { accountOfRoleArn } from '../core/accounts';
import { MemberEcsCallInputSchema, stepInput } from '../core/schemas';
import { logger } from '../shared/logger';
import { memberEcs } from '../shared/member-ecs';

export const handler = async (input: unknown): Promise<StopTaskResult | TagResourceResult> => {
  const call = stepInput('MemberEcsCall', MemberEcsCallInputSchema, input);
  // A role that cannot be assumed throws MemberRoleError: the state fails, as with Credentials.RoleArn.
  const ecs = await memberEcs(call.roleArn);
  const result = await callInMemberAccount(ecs, call);
  logger.info('member ecs call', { action: call.action, account: accountOfRoleArn(call.roleArn) });
  return result;
};
