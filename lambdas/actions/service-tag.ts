/**
 * The service tag that tells people why a service lost a task, and its removal. The tag is added by the
 * runtime workflow itself, not by a Lambda: state `TagService` (ecs:tagResource, key `shield-right:incident`,
 * value the incident id) in statemachines/runtime-threat-response.asl.json; its IAM condition uses the same
 * key (cdk/constructs/response-workflows INCIDENT_TAG_KEY).
 */
import { type ECSClient, ListTagsForResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';
import { failure, type ReleaseStep, type ReleaseStepStatus } from './release-step';

export const INCIDENT_TAG_KEY = 'shield-right:incident';

/** What restoreServiceTag would do, for a dry run. */
export function plannedServiceTagRemoval(arn: string): ReleaseStep {
  return {
    action: 'remove-service-tag',
    target: arn,
    status: 'planned',
    detail: `untag ${INCIDENT_TAG_KEY}`,
  };
}

/** Removes the incident tag from the service, unless a later incident has re-tagged it. */
export async function restoreServiceTag(
  ecs: ECSClient,
  arn: string,
  incidentId: string,
): Promise<ReleaseStep> {
  const step = (status: ReleaseStepStatus, detail: string): ReleaseStep => ({
    action: 'remove-service-tag',
    target: arn,
    status,
    detail,
  });
  let action = 'ecs:ListTagsForResource';
  try {
    const out = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    const tag = (out.tags ?? []).find((t) => t.key === INCIDENT_TAG_KEY);
    if (!tag) return step('already-done', `no ${INCIDENT_TAG_KEY} tag`);
    // A later incident re-tagged the service: that tag is not ours to remove.
    if (tag.value !== incidentId)
      return step('skipped', `the tag now names incident ${tag.value ?? ''}: left in place`);
    action = 'ecs:UntagResource';
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [INCIDENT_TAG_KEY] }));
    return step('done', `${INCIDENT_TAG_KEY} removed`);
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ServiceNotFoundException' || name === 'ClusterNotFoundException')
      return step('skipped', 'the service no longer exists');
    return step('failed', failure(action, err));
  }
}
