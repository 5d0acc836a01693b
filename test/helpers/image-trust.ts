/** The image trust workflow's offline fixtures: a repository with one image per signature kind, and task starts. */
import { parseConfig, type ResponseMode } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import type { Scenario } from '../../local/provision';
import type { SignatureKind } from '../../local/provision-signatures';

export const ACCOUNT = '111122223333';
export const TRUSTED = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/release`;
export const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
export const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

export const KINDS: readonly SignatureKind[] = [
  'trusted',
  'untrusted-profile',
  'revoked',
  'tampered',
  'expired',
  'none',
];

/** Repository `api`: the image tagged `<kind>` has digest `digestOf(i + 1)` and that signature. */
export const SIGNED_REPOSITORY = {
  name: 'api',
  images: KINDS.map((signature, i) => ({ tags: [signature], digest: digestOf(i + 1), signature })),
};

export function trustSimulator(
  mode: 'enforce' | 'observe' = 'enforce',
  simulateMode?: ResponseMode,
  options: { readonly config?: Record<string, unknown>; readonly scenario?: Scenario } = {},
): Simulator {
  const signing = (options.config?.signing ?? {}) as Record<string, unknown>;
  const config = parseConfig({
    ...options.config,
    signing: { mode, trustedProfiles: [TRUSTED], ...signing },
  });
  return new Simulator({
    config,
    ...(simulateMode ? { mode: simulateMode } : {}),
    scenario: { repositories: [SIGNED_REPOSITORY], ...options.scenario },
  });
}

export function taskArnOf(n: number): string {
  return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/${n.toString(16).padStart(32, '0')}`;
}

/** The ECS Task State Change of task `n` starting `api:<tag>` at `digest` in service `service` of cluster prod. */
export function taskStart(n: number, digest: string, tag: string, service = 'api') {
  const taskArn = taskArnOf(n);
  return {
    version: '0',
    id: `ev-${n}`,
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: '2026-06-01T00:00:00Z',
    region: 'us-east-1',
    resources: [taskArn],
    detail: {
      clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
      taskArn,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/api:7`,
      group: `service:${service}`,
      launchType: 'FARGATE',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      containers: [{ name: 'app', image: `${REGISTRY}/api:${tag}`, imageDigest: digest }],
    },
  };
}
