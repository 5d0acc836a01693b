/** What the workflows pass to the Security Hub step (UpdateSecurityHub in both ASL files). */
import * as v from 'valibot';
import { NOTIFICATION_KINDS } from '../render/types';

const text = v.pipe(v.string(), v.minLength(1));

export const SecurityHubStepInputSchema = v.object({
  finding: v.object({
    kind: v.picklist(['runtime', 'vulnerability']),
    incidentId: text,
    findingArn: v.optional(text),
    accountId: text,
    region: text,
    partition: text,
  }),
  /** NotifyX's result: the notification kind the response ended with. */
  notification: v.object({ kind: v.picklist(NOTIFICATION_KINDS) }),
  execution: v.object({ name: text }),
});
