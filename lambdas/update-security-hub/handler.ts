/**
 * UpdateSecurityHub: after the notification, each Security Hub copy of the finding (CSPM's, the OCSF one's)
 * gets a note and its status, and the incident records the result (lambdas/actions/security-hub-step.ts).
 */
import { updateSecurityHubStep } from '../actions/security-hub-step';
import { stepInput } from '../core/schemas';
import { SecurityHubStepInputSchema } from '../core/schemas/security-hub';
import { evidenceKeyFor } from '../core/workflow-state';
import { dynamodb } from '../shared/clients/dynamodb';
import { securityhub } from '../shared/clients/securityhub';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('INCIDENT_TABLE', 'EVIDENCE_BUCKET');

export const handler = async (input: unknown) => {
  const { INCIDENT_TABLE: table, EVIDENCE_BUCKET: bucket } = env();
  const { finding, notification, execution } = stepInput(
    'UpdateSecurityHub',
    SecurityHubStepInputSchema,
    input,
  );
  const key = evidenceKeyFor(notification.kind, finding.incidentId, execution.name);
  const result = await updateSecurityHubStep(
    { securityhub, dynamodb, table, now: () => new Date().toISOString() },
    {
      source: finding.kind === 'runtime' ? 'guardduty' : 'inspector2',
      ...(finding.findingArn ? { findingArn: finding.findingArn } : {}),
      accountId: finding.accountId,
      partition: finding.partition,
      region: finding.region,
      incidentId: finding.incidentId,
      kind: notification.kind,
      ...(key ? { evidence: `s3://${bucket}/${key}` } : {}),
    },
  );
  const log = result.status === 'failed' ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('security hub', { incidentId: finding.incidentId, status: result.status });
  return result;
};
