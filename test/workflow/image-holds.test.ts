/**
 * One hold per digest (issue 14, defect 4): two incidents quarantine the same digest; releasing one leaves
 * the image quarantined and says which incident still holds it; releasing the last restores the image with
 * the tags the first quarantine moved away.
 */
import { releaseIncident } from '../../lambdas/actions/release-image';
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import { runInSandbox } from '../../local/sandbox/transport';
import { sandboxReleaseDeps } from '../helpers/release-deps';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v1.4.2`;
const TASKS = ['0123456789abcdef0123456789abcde0', '0123456789abcdef0123456789abcde1'];
const FINDINGS = ['f0000000000000000000000000000001', 'f0000000000000000000000000000002'];

async function image(sim: Simulator) {
  const out = (await sim.account.call('ecr', 'DescribeImages', {
    repositoryName: 'payments-api',
    filter: { imageStatus: 'ANY' },
  })) as { imageDetails: { imageStatus?: string; imageTags?: string[] }[] };
  return out.imageDetails[0];
}

describe('one hold per digest', () => {
  it('a release lifts the quarantine only when no other open incident holds the digest', async () => {
    // Two tasks of one service on one digest, a High finding on each: two incidents hold the digest.
    const sim = new Simulator({
      clock: CLOCK,
      scenario: {
        tasks: TASKS.map((id) => ({
          cluster: 'prod',
          service: 'payments-api',
          taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`,
          containers: [{ name: 'app', image: IMAGE }],
        })),
      },
    });
    for (const [i, taskId] of TASKS.entries()) {
      await sim.processEvent(runtimeEvent({ id: FINDINGS[i], taskId, severity: 8 }));
    }
    expect(await image(sim)).toMatchObject({ imageStatus: 'ARCHIVED' });

    const first = await runInSandbox(sim.account, () =>
      releaseIncident(sandboxReleaseDeps(sim, CLOCK), { incidentId: FINDINGS[0] ?? '', actor: 'alice' }),
    );

    expect(first.released).toBe(true);
    expect(first.steps.find((s) => s.action === 'restore-image')).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining(`still held by incident ${FINDINGS[1]}`),
    });
    expect(await image(sim)).toMatchObject({ imageStatus: 'ARCHIVED' });

    const last = await runInSandbox(sim.account, () =>
      releaseIncident(sandboxReleaseDeps(sim, CLOCK), { incidentId: FINDINGS[1] ?? '', actor: 'alice' }),
    );

    expect(last.released).toBe(true);
    const restored = await image(sim);
    expect(restored?.imageStatus).toBe('ACTIVE');
    expect(restored?.imageTags).toEqual(['v1.4.2']);
  }, 60_000);
});
