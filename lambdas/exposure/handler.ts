/** MeasureBlastRadius / FindExposure: running tasks on the same image digests. */
import { findTasksRunningImage } from '../actions/exposure';
import { InvalidFindingError } from '../core/errors';
import type { BlastRadius } from '../core/outcome';
import { isObject } from '../core/read';
import { ecs } from '../shared/clients/ecs';

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : undefined;

export const handler = async (input: unknown): Promise<BlastRadius> => {
  if (!isObject(input))
    throw new InvalidFindingError('input', 'expected { digests, clusters?, excludeTaskArns? }');
  const digests = strings(input.digests);
  if (!digests) throw new InvalidFindingError('input.digests', 'expected a list of image digests');
  const clusters = strings(input.clusters);
  const excludeTaskArns = strings(input.excludeTaskArns);
  const maxTasks = typeof input.maxTasks === 'number' ? input.maxTasks : undefined;
  return findTasksRunningImage(ecs, {
    digests,
    ...(clusters ? { clusters } : {}),
    ...(excludeTaskArns ? { excludeTaskArns } : {}),
    ...(maxTasks ? { maxTasks } : {}),
  });
};
