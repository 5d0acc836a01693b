/** `npm start`: replays examples/events/ against one sandbox and tells the story of each event. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../../definitions/package-root';
import { Simulator } from '../../local/engine';
import { formatEventResult } from '../../local/report';
import { readEvents, useColor } from '../cli-support';

const EXAMPLES = join(PACKAGE_ROOT, 'examples', 'events');

export const help = `Usage: shield-right demo

Replays the example events shipped with shield-right (examples/events/) against one sandbox account and
tells the story of each: what matched, what the workflow did, what was notified.

Example:
  shield-right demo`;

export async function demo(): Promise<number> {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => relative(process.cwd(), join(EXAMPLES, f)));
  const started = Date.now();
  const simulator = new Simulator({});
  console.log(
    `shield-right offline demo: ${files.length} example events, one sandbox account (${simulator.account.accountId}, ${simulator.account.region}), mode ${simulator.config.mode}.\n` +
      'Same rule patterns, state machine files and Lambda handlers as the deployed stack; nothing leaves this machine.\n',
  );
  for (const { label, event } of readEvents(files)) {
    const result = await simulator.processEvent(event, label);
    console.log(
      `${formatEventResult(result, { color: useColor(process.stdout), notifications: 'summary' })}\n`,
    );
  }
  console.log(`Replayed ${files.length} events in ${Date.now() - started} ms.

Replay your own finding (an EventBridge event, or a JSON array of them):
  npx shield-right simulate path/to/finding.json
  npx shield-right simulate --mode observe --json path/to/finding.json
  npx shield-right simulate --scenario examples/scenarios/shared-security-group.json examples/events/01-high-fargate-crypto-miner.json`);
  return 0;
}
