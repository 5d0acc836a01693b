/** MeasureBlastRadius / FindExposure: running tasks on the same image digests, with the guard's verdicts. */
import { findTasksRunningImage } from '../actions/exposure';
import type { BlastRadius } from '../core/outcome';
import { ExposureInputSchema, parseStepInput } from '../core/schemas';
import { policySettings } from '../shared/env';
import { clientsFor } from '../shared/member-clients';

export const handler = async (input: unknown): Promise<BlastRadius> => {
  const { digests, clusters, excludeTaskArns, maxTasks, guard, finding } = parseStepInput(
    'MeasureBlastRadius',
    ExposureInputSchema,
    input,
  );
  const settings = policySettings();
  const { ecs } = await clientsFor(finding?.memberRoleArn);
  const radius = await findTasksRunningImage(ecs, {
    digests,
    ...(clusters ? { clusters } : {}),
    ...(excludeTaskArns ? { excludeTaskArns } : {}),
    ...(maxTasks ? { maxTasks } : {}),
    ...(guard ? { guard: settings } : {}),
  });
  // Organization mode: other accounts can pull the image too, and only this one was scanned.
  return settings.memberAccountRoleName ? { ...radius, otherAccountsUnscanned: true } : radius;
};
