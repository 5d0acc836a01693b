/** Shared setup for the operator command tests: captured output streams and a deployed stack's outputs. */
import type { Stack, StackStatus } from '@aws-sdk/client-cloudformation';

/** Captured stdout and stderr for one command run; `tty` marks stderr as a terminal. */
export function streams(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { isTTY: tty, write: (t: string) => err.push(t) },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** An execution ARN of a state machine. */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export interface DeploymentOutputs {
  readonly runtime: string;
  readonly image: string;
  /** The ImagePushCheck state machine; by default named after `image`. */
  readonly imagePush?: string;
  readonly table: string;
  readonly bucket: string;
  readonly topicArn: string;
}

/** The DescribeStacks answer for a deployed `ShieldRight` stack with these outputs. */
export function shieldRightStack(
  outputs: DeploymentOutputs,
  status: StackStatus = 'CREATE_COMPLETE',
): { Stacks: Stack[] } {
  return {
    Stacks: [
      {
        StackName: 'ShieldRight',
        CreationTime: new Date(),
        StackStatus: status,
        Outputs: [
          ['RuntimeThreatResponseArn', outputs.runtime],
          ['VulnerableImageResponseArn', outputs.image],
          ['ImagePushCheckArn', outputs.imagePush ?? outputs.image.replace(/[^:]+$/, 'ImagePushCheck')],
          ['IncidentTableName', outputs.table],
          ['EvidenceBucketName', outputs.bucket],
          ['TopicArn', outputs.topicArn],
        ].map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}
