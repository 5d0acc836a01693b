/** IsolateTask: cut the task's network in place where that is real; report why not otherwise. */
import { isolateTask } from '../actions/network-isolation';
import type { IsolationResult } from '../core/outcome';
import { isObject } from '../core/read';
import { IsolateInputSchema, stepInput } from '../core/schemas';
import { s3 } from '../shared/clients/s3';
import { environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

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

export const handler = async (input: unknown): Promise<IsolationResult> => {
  const { finding, enrichment } = stepInput('IsolateTask', IsolateInputSchema, input);
  const settings = policySettings();
  const { ec2, ecs } = await clientsFor(finding.memberRoleArn);
  const result = await isolateTask(
    {
      ec2,
      ecs,
      s3,
      evidenceBucket: env().EVIDENCE_BUCKET,
      quarantineGroups: quarantineGroups(),
      neighbours: {
        exemptTagKey: settings.exemptTagKey,
        minHealthyTasks: settings.blastRadius.minHealthyTasks,
      },
    },
    finding,
    enrichment,
  );
  logger.info('isolation', { status: result.status, method: result.method, reason: result.reason });
  return result;
};
