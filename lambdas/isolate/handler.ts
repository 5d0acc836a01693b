/** IsolateTask: cut the task's network in place where that is real; report why not otherwise. */
import { isolateTask } from '../actions/network-isolation';
import { InvalidFindingError } from '../core/errors';
import type { RuntimeFinding } from '../core/finding';
import type { IsolationResult } from '../core/outcome';
import type { TaskEnrichment } from '../core/policy';
import { isObject } from '../core/read';
import { ec2 } from '../shared/clients/ec2';
import { ecs } from '../shared/clients/ecs';
import { s3 } from '../shared/clients/s3';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('EVIDENCE_BUCKET');

function quarantineGroups(): Record<string, string> {
  const raw = process.env.QUARANTINE_SECURITY_GROUPS;
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  return isObject(parsed)
    ? (Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >)
    : {};
}

export const handler = async (input: {
  finding?: unknown;
  enrichment?: unknown;
}): Promise<IsolationResult> => {
  if (!isObject(input.finding) || !isObject(input.enrichment)) {
    throw new InvalidFindingError('input', 'IsolateTask expects { finding, enrichment }');
  }
  const result = await isolateTask(
    { ec2, ecs, s3, evidenceBucket: env().EVIDENCE_BUCKET, quarantineGroups: quarantineGroups() },
    input.finding as unknown as RuntimeFinding,
    input.enrichment as unknown as TaskEnrichment,
  );
  logger.info('isolation', { status: result.status, method: result.method, reason: result.reason });
  return result;
};
