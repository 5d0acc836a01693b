/** Step inputs of the ImagePushCheck workflow (statemachines/image-push-check.asl.json). */
import * as v from 'valibot';
import { ImagePushEventSchema } from '../image-push';

const text = v.string();

/** CheckImagePush: the push event, and the incident the digest's image claim names. */
export const CheckImagePushInputSchema = v.object({
  event: ImagePushEventSchema,
  incidentId: v.pipe(text, v.regex(/^[A-Za-z0-9_-]{1,128}$/)),
});

const PushSchema = v.object({
  eventId: text,
  time: text,
  region: text,
  registryId: text,
  repository: text,
  digest: text,
  tag: v.optional(text),
});

/** NotifyBypass: the check's verdict and what QuarantineImage reported when it applied the quarantine again. */
export const NotifyBypassInputSchema = v.object({
  check: v.object({ incidentId: text, reason: text, push: PushSchema }),
  requarantine: v.object({
    status: text,
    images: v.array(
      v.object({
        status: text,
        archived: v.boolean(),
        movedTags: v.array(v.object({ from: text, to: text })),
        reason: v.optional(text),
      }),
    ),
  }),
});
