/** shield-right: the offline simulator and the operator CLI. */

import { shown, UsageError } from './cli-support';
import { demo } from './commands/demo';
import { executions, help as executionsHelp } from './commands/executions';
import { incident, incidentHelp, incidents, help as incidentsHelp } from './commands/incidents';
import { reconcile, help as reconcileHelp } from './commands/reconcile';
import { redrive, help as redriveHelp } from './commands/redrive';
import { release, help as releaseHelp } from './commands/release';
import { rerun, help as rerunHelp } from './commands/rerun';
import { respond, help as respondHelp } from './commands/respond';
import { simulate, help as simulateHelp } from './commands/simulate';
import { testPattern, help as testPatternHelp } from './commands/test-pattern';

const COMMANDS: Record<
  string,
  { run: (argv: string[]) => number | Promise<number>; help: string; summary: string }
> = {
  simulate: { run: simulate, help: simulateHelp, summary: 'replay events offline against a sandbox account' },
  'test-pattern': {
    run: testPattern,
    help: testPatternHelp,
    summary: 'does an event match an EventBridge pattern?',
  },
  demo: {
    run: demo,
    help: 'Usage: shield-right demo\n\nReplays examples/events/ and tells the story of each.',
    summary: 'the offline demo (npm start)',
  },
  respond: { run: respond, help: respondHelp, summary: 'start the response to a finding by hand' },
  rerun: { run: rerun, help: rerunHelp, summary: 'start an execution over with the same input' },
  redrive: { run: redrive, help: redriveHelp, summary: 'resume a failed execution from its failed step' },
  release: { run: release, help: releaseHelp, summary: 'undo a containment from its evidence' },
  incidents: { run: incidents, help: incidentsHelp, summary: 'list recent incidents and what was done' },
  incident: { run: incident, help: incidentHelp, summary: 'one incident in full, with its timeline' },
  executions: { run: executions, help: executionsHelp, summary: 'list recent workflow executions' },
  reconcile: {
    run: reconcile,
    help: reconcileHelp,
    summary: 'sweep for findings whose event was missed, and resolved image incidents',
  },
};

const USAGE = `Usage: shield-right <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

Run shield-right <command> --help for a command's options and examples.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command ${shown(name)}\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err instanceof Error &&
        err.name === 'TypeError' &&
        'code' in err &&
        String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`shield-right: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
