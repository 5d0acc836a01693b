/**
 * shield-right: the offline simulator and the operator CLI. Only node: modules load up front; a command's
 * module (and the SDK clients, simulator or CDK-free definitions it needs) loads when that command runs,
 * so `shield-right --help` starts in tens of milliseconds.
 *
 * Exit codes: 0 ok, 1 the command did not achieve what was asked (a failed check, an AWS error), 2 a usage
 * error. Results go to stdout, errors to stderr.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Before any SDK client exists: handler logs stay quiet in the terminal unless asked for, and the SDK's
// Node 20 end-of-support notice says nothing about this command's behaviour.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Command {
  readonly run: (argv: string[]) => number | Promise<number>;
  readonly help: string;
}

interface CommandEntry {
  /** Loads the command's module only when it is run (or its help is asked for). */
  readonly load: () => Promise<Command>;
  readonly summary: string;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  simulate: {
    load: () => import('./commands/simulate').then((m) => ({ run: m.simulate, help: m.help })),
    summary: 'replay events offline against a sandbox account',
  },
  'test-pattern': {
    load: () => import('./commands/test-pattern').then((m) => ({ run: m.testPattern, help: m.help })),
    summary: 'does an event match an EventBridge pattern?',
  },
  demo: {
    load: () => import('./commands/demo').then((m) => ({ run: m.demo, help: m.help })),
    summary: 'the offline demo (npm start)',
  },
  respond: {
    load: () => import('./commands/respond').then((m) => ({ run: m.respond, help: m.help })),
    summary: 'start the response to a finding by hand',
  },
  rerun: {
    load: () => import('./commands/rerun').then((m) => ({ run: m.rerun, help: m.help })),
    summary: 'start an execution over with the same input',
  },
  redrive: {
    load: () => import('./commands/redrive').then((m) => ({ run: m.redrive, help: m.help })),
    summary: 'resume a failed execution from its failed step',
  },
  release: {
    load: () => import('./commands/release').then((m) => ({ run: m.release, help: m.help })),
    summary: 'undo a containment from its evidence',
  },
  incidents: {
    load: () => import('./commands/incidents').then((m) => ({ run: m.incidents, help: m.help })),
    summary: 'list recent incidents and what was done',
  },
  incident: {
    load: () => import('./commands/incidents').then((m) => ({ run: m.incident, help: m.incidentHelp })),
    summary: 'one incident in full, with its timeline',
  },
  executions: {
    load: () => import('./commands/executions').then((m) => ({ run: m.executions, help: m.help })),
    summary: 'list recent workflow executions',
  },
  backtest: {
    load: () => import('./commands/backtest').then((m) => ({ run: m.backtest, help: m.help })),
    summary: "what shield-right would have done with an account's past findings",
  },
  reconcile: {
    load: () => import('./commands/reconcile').then((m) => ({ run: m.reconcile, help: m.help })),
    summary: 'sweep for findings whose event was missed, and resolved image incidents',
  },
  verify: {
    load: () => import('./commands/verify').then((m) => ({ run: m.verify, help: m.help })),
    summary: 'verify the AWS Signer signature of an image (exit 0 only if trusted): a deploy gate',
  },
};

const USAGE = `Usage: shield-right <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

Options:
  -h, --help     this text; shield-right <command> --help for a command's options and examples
  -v, --version  the installed version

Exit codes: 0 ok, 1 the command did not achieve what was asked (a failed check, an AWS error),
2 a usage error. NO_COLOR turns colour off; it is only used on a terminal.`;

/** Thrown for an unknown command; reported like the commands' own UsageError (by name, so cli-support stays unloaded). */
class UnknownCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function version(): string {
  // The package root is two levels up from bin/ in the repository and from dist/bin/ plus one in the package.
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'shield-right' && pkg.version) return pkg.version;
    } catch {
      // not this directory: try the next one
    }
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // No command at all is a usage error: the help goes to stderr so a pipe sees nothing.
    (name ? console.log : console.error)(USAGE);
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    // Loaded only here: the name is the user's text, echoed cleaned and cut.
    const { shown } = await import('./cli-support');
    throw new UnknownCommandError(`unknown command ${shown(name)}\n\n${USAGE}`);
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

/**
 * UsageError (cli-support), node:util parseArgs errors and input the offline engine refuses (too deeply nested,
 * over 256 KiB: local/payload-limits.ts) are the user's to fix: one line, exit code 2.
 */
function isUsageError(err: unknown): err is Error {
  return (
    err instanceof Error &&
    (err.name === 'UsageError' ||
      err.name === 'NestingLimitError' ||
      err.name === 'PayloadLimitError' ||
      (err.name === 'TypeError' && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')))
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isUsageError(err)) {
      console.error(`shield-right: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
