/** MeasureBlastRadius / FindExposure: running tasks on the same image digests, with the guard's verdicts. */
import { findTasksRunningImage } from '../actions/exposure';
import type { BlastRadius } from '../core/outcome';
import { ExposureInputSchema, parseStepInput } from '../core/schemas';
import { ecs } from '../shared/clients/ecs';
import { policySettings } from '../shared/env';

export const handler = async (input: unknown): Promise<BlastRadius> => {
  const { digests, clusters, excludeTaskArns, maxTasks, guard } = parseStepInput(
    'MeasureBlastRadius',
    ExposureInputSchema,
    input,
  );
  return findTasksRunningImage(ecs, {
    digests,
    ...(clusters ? { clusters } : {}),
    ...(excludeTaskArns ? { excludeTaskArns } : {}),
    ...(maxTasks ? { maxTasks } : {}),
    ...(guard ? { guard: policySettings() } : {}),
  });
};
