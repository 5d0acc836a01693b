/**
 * StopTaskInMemberAccountByLambda, TagServiceInMemberAccountByLambda, StopExposedTaskInMemberAccountByLambda:
 * a member account's StopTask/TagResource through its member role, where Credentials.RoleArn is unavailable.
 */

import { callInMemberAccount, type StopTaskResult, type TagResourceResult } from '../actions/member-ecs-call';
import { INCIDENT_TAG_KEY } from '../actions/service-tag';
import { accountOfRoleArn } from '../core/accounts';
import { MemberCallRefusedError } from '../core/errors';
import { memberCallRefusal } from '../core/member-call-scope';
import { MemberEcsCallInputSchema, stepInput } from '../core/schemas';
import { policySettings } from '../shared/env';
import { logger } from '../shared/logger';
import { memberEcs } from '../shared/member-ecs';

export const handler = async (input: unknown): Promise<StopTaskResult | TagResourceResult> => {
  const call = stepInput('MemberEcsCall', MemberEcsCallInputSchema, input);
  // Only the calls the workflows send, in the member role's account: never a general-purpose deputy.
  const refusal = memberCallRefusal(call, policySettings().memberAccountRoleName, INCIDENT_TAG_KEY);
  if (refusal) throw new MemberCallRefusedError(`MemberEcsCall refused: ${refusal}; nothing was called`);
  // A role that cannot be assumed throws MemberRoleError: the state fails, as with Credentials.RoleArn.
  const ecs = await memberEcs(call.roleArn);
  const result = await callInMemberAccount(ecs, call);
  logger.info('member ecs call', { action: call.action, account: accountOfRoleArn(call.roleArn) });
  return result;
};
