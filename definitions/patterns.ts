/**
 * EventBridge event patterns of shield-right's rules, defined once: the FindingRules construct deploys
 * them and the offline engine matches events against the very same objects.
 */
import { inspectorSeveritiesAtOrAbove, type ShieldRightConfig } from './config';
import type { WorkflowName } from './functions';

export type EventPattern = Record<string, unknown>;

export const RULE_NAMES = [
  'RuntimeThreatRule',
  'VulnerableImageRule',
  'ClosedImageFindingRule',
  'ImagePushRule',
  'ImageTrustRule',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/**
 * GuardDuty Runtime Monitoring findings about ECS tasks (Fargate and EC2 launch types) at or above the
 * floor, and every ECS-cluster finding whose severity or feature is malformed or missing: those reach
 * ValidateFinding and are rejected loudly (evidence under `rejected/`, an alert), so a schema change
 * upstream cannot silently switch shield-right off. A well-formed finding below the floor does not match.
 */
export function runtimeThreatPattern(config: ShieldRightConfig): EventPattern {
  return {
    source: ['aws.guardduty'],
    'detail-type': ['GuardDuty Finding'],
    detail: {
      resource: { resourceType: ['ECSCluster'] },
      $or: [
        {
          service: { featureName: ['RuntimeMonitoring'] },
          severity: [{ numeric: ['>=', config.minimumSeverity] }],
        },
        // GuardDuty severity is a number from 1.0 (Low) to 10.0 (Critical): anything else is malformed.
        { severity: [{ exists: false }] },
        { severity: [null, true, false, { wildcard: '*' }, { numeric: ['<', 0] }, { numeric: ['>', 10] }] },
        { service: { featureName: [{ exists: false }, null] } },
      ],
    },
  };
}

/** Active Inspector findings on ECR images at or above the configured severity floor. */
export function vulnerableImagePattern(config: ShieldRightConfig): EventPattern {
  return {
    source: ['aws.inspector2'],
    'detail-type': ['Inspector2 Finding'],
    detail: {
      status: ['ACTIVE'],
      severity: inspectorSeveritiesAtOrAbove(config.inspector.minimumSeverity),
      resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] },
    },
  };
}

/** Closed Inspector findings on ECR images: the workflow checks whether shield-right quarantined the image. */
export function closedImageFindingPattern(): EventPattern {
  return {
    source: ['aws.inspector2'],
    'detail-type': ['Inspector2 Finding'],
    detail: {
      status: ['CLOSED'],
      resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] },
    },
  };
}

/**
 * Completed ECR image pushes ("ECR Image Action", ECR user guide, "Amazon ECR events and EventBridge"): a push
 * of a held digest can lift its quarantine. Every push matches (the event does not say who pushed, and a
 * quarantine tag can be pushed too): the workflow looks the digest up and stops there for most.
 */
export function imagePushPattern(): EventPattern {
  return {
    source: ['aws.ecr'],
    'detail-type': ['ECR Image Action'],
    detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
  };
}

/**
 * ECS Task State Change events of tasks that are running and meant to run (ECS developer guide, "Amazon ECS task
 * state change events"): for the ImageTrustRule. ECS sends an event for every status change of every task and
 * container, with `imageDigest` for ECR images once resolved; this keeps one status (RUNNING, the one every
 * started task reaches with its digests known). Several RUNNING events of one task can still arrive (a container's
 * change, a duplicate delivery): the workflow acts once per task ARN (its task claim). Deployed only when
 * `signing.mode` is not `off`.
 */
export function imageTrustPattern(): EventPattern {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: { lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] },
  };
}

export interface RuleDefinition {
  readonly name: RuleName;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly target: WorkflowName;
}

/** Failed, timed-out and aborted executions of shield-right's state machines: notified, incident marked FAILED. */
export function executionFailurePattern(stateMachineArns: readonly string[]): EventPattern {
  return {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [...stateMachineArns] },
  };
}

export function ruleDefinitions(config: ShieldRightConfig): RuleDefinition[] {
  const trust: RuleDefinition[] =
    config.signing.mode === 'off'
      ? []
      : [
          {
            name: 'ImageTrustRule',
            description: 'ECS tasks starting: verify the AWS Signer signatures of their images',
            pattern: imageTrustPattern(),
            target: 'ImageTrustResponse',
          },
        ];
  return [
    {
      name: 'RuntimeThreatRule',
      description: 'GuardDuty Runtime Monitoring findings for ECS tasks',
      pattern: runtimeThreatPattern(config),
      target: 'RuntimeThreatResponse',
    },
    {
      name: 'VulnerableImageRule',
      description: 'Active Inspector findings for ECR images at or above the severity floor',
      pattern: vulnerableImagePattern(config),
      target: 'VulnerableImageResponse',
    },
    {
      name: 'ClosedImageFindingRule',
      description: 'Closed Inspector findings for ECR images (recorded and shown; closed is not fixed)',
      pattern: closedImageFindingPattern(),
      target: 'VulnerableImageResponse',
    },
    {
      name: 'ImagePushRule',
      description: 'ECR image pushes: a push of a digest an incident holds may lift its quarantine',
      pattern: imagePushPattern(),
      target: 'ImagePushCheck',
    },
    ...trust,
  ];
}
