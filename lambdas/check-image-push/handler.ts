/** CheckImagePush: did a push of a held digest lift its quarantine? Reads only (lambdas/actions/image-push-check.ts). */
import { checkImagePush, type PushCheck } from '../actions/image-push-check';
import { imagePushOf } from '../core/image-push';
import { stepInput } from '../core/schemas';
import { CheckImagePushInputSchema } from '../core/schemas/image-push';
import { dynamodb } from '../shared/clients/dynamodb';
import { ecr } from '../shared/clients/ecr';
import { s3 } from '../shared/clients/s3';
import { environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('INCIDENT_TABLE', 'EVIDENCE_BUCKET');
policySettings();

export const handler = async (input: unknown): Promise<PushCheck> => {
  const { event, incidentId } = stepInput('CheckImagePush', CheckImagePushInputSchema, input);
  const { INCIDENT_TABLE: table, EVIDENCE_BUCKET: evidenceBucket } = env();
  const check = await checkImagePush(
    {
      ecr,
      dynamodb,
      s3,
      table,
      evidenceBucket,
      strategy: policySettings().imageQuarantine,
      act: policySettings().mode === 'contain',
    },
    incidentId,
    imagePushOf(event),
  );
  logger.info('image push checked', { incidentId, bypass: check.bypass, reason: check.reason });
  return check;
};
