/** MeasureBlastRadius / FindExposure: running tasks on the same image digests. */
import { findTasksRunningImage } from '../actions/exposure';
import type { BlastRadius } from '../core/outcome';
import { ExposureInputSchema, parseStepInput } from '../core/schemas';
import { ecs } from '../shared/clients/ecs';

export const handler = async (input: unknown): Promise<BlastRadius> => {
  const { digests, clusters, excludeTaskArns, maxTasks } = parseStepInput(
    'MeasureBlastRadius',
    ExposureInputSchema,
    input,
  );
  return findTasksRunningImage(ecs, {
    digests,
    ...(clusters ? { clusters } : {}),
    ...(excludeTaskArns ? { excludeTaskArns } : {}),
    ...(maxTasks ? { maxTasks } : {}),
  });
};
