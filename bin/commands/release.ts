/** `shield-right release`: undo a containment from its recorded evidence, once the investigation is over. */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type ReleaseResult, releaseIncident } from '../../lambdas/actions/release-image';
import { ReleaseRefusedError } from '../../lambdas/core/errors';
import { plainText } from '../../lambdas/core/escape';
import { INCIDENT_ID } from '../../lambdas/core/incident';
import { shown, UsageError } from '../cli-support';
import { releaseClients } from './member-release';
import {
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorDeps,
  OperatorError,
  processIo,
  withOperator,
} from './operator-context';

export const help = `Usage: shield-right release INCIDENT_ID [--dry-run] [options]

Undoes what the response did, from the evidence it saved before acting: restores the revoked security
group rules (or the container instance's groups, and sets it ACTIVE), restores the image's storage class
and moves its original tags back (a tag that now names another image is left alone), removes the service's
shield-right:incident tag, marks the incident RELEASED, moves the finding's Security Hub copy to RESOLVED
(when the response updated it, securityHub on) and notifies. Stopped tasks are not restarted: their
services replace them. Refused when nothing was contained. Every step can be repeated: when a step cannot
finish yet (an image still being restored from the archive), run the release again.

Options:
  --dry-run              read the evidence and print what would be undone; change nothing
  --json                 print one JSON document
  --member-role-name N   the deployment's memberAccountRoleName: a member account's incident is released
                         there through the central operator role and N-release (offline: the sandbox's)
${OPERATOR_HELP}

Examples:
  shield-right release 5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7 --dry-run
  shield-right release 5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7 --sandbox ./sandbox`;

function actor(sandbox: boolean): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers): the release is still recorded, without a name.
  }
  return `shield-right CLI (${sandbox ? 'sandbox, ' : ''}user ${user})`;
}

function format(result: ReleaseResult): string {
  const head = result.dryRun
    ? `Dry run: incident ${result.incidentId} (${result.previousStatus}) would be released by:`
    : result.released
      ? `Released incident ${result.incidentId} (was ${result.previousStatus}):`
      : `Release of incident ${result.incidentId} is not finished (still ${result.previousStatus}):`;
  const lines = result.steps.map(
    (s) =>
      `  ${s.status.padEnd(12)} ${s.action} ${plainText(s.target, 300)}${s.detail ? ` — ${plainText(s.detail, 1000)}` : ''}`,
  );
  const tail =
    result.dryRun || result.released
      ? []
      : ['Fix what failed (or wait for what is pending) and run the release again.'];
  return [head, ...lines, ...tail].join('\n');
}

export async function release(argv: string[], io: Io = processIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'member-role-name': { type: 'string' },
    },
    allowPositionals: true,
  });
  const [incidentId, ...rest] = positionals;
  if (!incidentId || rest.length > 0) throw new UsageError('release takes exactly one INCIDENT_ID');
  if (!INCIDENT_ID.test(incidentId)) throw new UsageError(`${shown(incidentId)} is not an incident id`);
  const dryRun = values['dry-run'];
  return withOperator(values, io, deps, !dryRun, async (ctx) => {
    let result: ReleaseResult;
    // A member account's incident is undone in that account, and an image in the account it was quarantined
    // in (a registry account's), through their member release roles (bin/commands/member-release.ts).
    const memberRoleName = values['member-role-name'] ?? ctx.sandbox?.simulator.config.memberAccountRoleName;
    const accountClients = await releaseClients(ctx, incidentId, memberRoleName);
    try {
      result = await releaseIncident(
        {
          ...ctx.clients,
          ...accountClients,
          evidenceBucket: ctx.deployment.bucket,
          table: ctx.deployment.table,
          topicArn: ctx.deployment.topicArn,
          region: ctx.deployment.region,
          now: ctx.now,
          onStep: (text) => ctx.progress.update(`${text}…`),
        },
        { incidentId, dryRun, actor: actor(ctx.sandbox !== undefined) },
      );
    } catch (err) {
      if (err instanceof ReleaseRefusedError) throw new OperatorError(`release refused: ${err.message}`);
      throw err;
    }
    ctx.out(values.json ? JSON.stringify(result, null, 2) : format(result));
    return result.dryRun || result.released ? 0 : 1;
  });
}
