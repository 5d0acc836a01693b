/**
 * The EventBridge `GuardDuty Finding` event of an ECS runtime finding, in valibot. The normalizer
 * (lambdas/core/finding.ts) reads it in stages, in the order its checks have always reported: the
 * envelope and cluster first, then the task once the cluster's account is known to be ours, then the
 * rest. Fields that are never a reason to reject (free text, process details) are read leniently.
 */
import * as v from 'valibot';
import { isObject } from '../read';
import { exactly, freeText, lenient, list, numberIn, optionalText, raw, record, tags, text } from './fields';

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PARTITION = /^aws(-cn|-us-gov|-iso[a-z-]*)?$/;
// Finding ids go into S3 keys, DynamoDB keys and execution names: keep them to a safe alphabet.
const FINDING_ID = /^[A-Za-z0-9_-]{1,128}$/;
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const DETECTOR_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The finding's account and region default to the event's, its partition to `aws`. */
function withEnvelopeDefaults(event: Record<string, unknown>): Record<string, unknown> {
  const { detail } = event;
  if (!isObject(detail)) return event;
  return {
    ...event,
    detail: {
      ...detail,
      accountId: detail.accountId ?? event.account,
      region: detail.region ?? event.region,
      partition: detail.partition ?? 'aws',
    },
  };
}

/** The envelope, the finding's identity and the cluster it names. */
export const GuardDutyEventSchema = v.pipe(
  record({}),
  v.transform(withEnvelopeDefaults),
  record({
    source: exactly('aws.guardduty'),
    'detail-type': exactly('GuardDuty Finding'),
    account: text(ACCOUNT),
    id: raw,
    time: raw,
    detail: record({
      id: text(FINDING_ID),
      type: text(),
      title: freeText,
      description: freeText,
      severity: numberIn(0, 10),
      accountId: text(ACCOUNT),
      region: text(REGION),
      partition: text(PARTITION),
      service: record({
        // The rule also lets through findings with no feature, to reject them here rather than drop them.
        featureName: exactly('RuntimeMonitoring'),
        // A sample finding (`additionalInfo.sample`) points at placeholder resources.
        additionalInfo: lenient(record({ sample: raw, value: lenient(v.string()) })),
        eventFirstSeen: raw,
        eventLastSeen: raw,
      }),
      resource: record({
        resourceType: exactly('ECSCluster'),
        ecsClusterDetails: record({
          name: text(CLUSTER_NAME),
          arn: optionalText(),
          taskDetails: raw,
        }),
      }),
      updatedAt: raw,
      createdAt: raw,
    }),
  }),
);

/** `detail.service.count`: how many times GuardDuty saw the activity. */
export const OccurrencesSchema = record({ count: v.nullish(numberIn(1, Number.MAX_SAFE_INTEGER), 1) });

/** `taskDetails.arn`, read first: the task must be in the finding's cluster before the rest is read. */
export const TaskArnSchema = v.nullish(record({ arn: text() }));

export const TaskDetailsSchema = record({
  group: optionalText(),
  launchType: optionalText(),
  definitionArn: optionalText(),
  startedBy: freeText,
  startedAt: raw,
  tags,
  containers: v.nullish(list(record({ name: raw, image: text() })), []),
});

const ProcessSchema = record({
  name: freeText,
  executablePath: freeText,
  executableSha256: freeText,
  pid: freeText,
  user: freeText,
  commandLine: raw,
  lineage: lenient(v.array(v.unknown())),
});

/** The parent of the process: the first entry of its lineage that is an object. */
export const ParentProcessSchema = record({ name: freeText, executablePath: freeText, pid: freeText });

/** The rest of the event: the process that was seen, the detector, the finding's ARN and the cluster tags. */
export const FindingContextSchema = record({
  detail: record({
    service: record({
      runtimeDetails: v.nullish(
        record({
          process: lenient(ProcessSchema),
          context: lenient(record({ commandLineExample: raw })),
        }),
      ),
      detectorId: optionalText(DETECTOR_ID),
    }),
    arn: optionalText(),
    resource: record({
      ecsClusterDetails: record({ tags }),
      // The container the activity was seen in (GuardDuty `Resource.containerDetails`, a `Container`):
      // only a hint which of the task's containers to quarantine, never a reason to reject.
      containerDetails: lenient(record({ name: freeText, image: freeText })),
    }),
  }),
});

/** The operator's `--force` marker (`shield-right.force`) on an execution input. */
export const ForceMarkerSchema = record({ force: v.literal(true) });
