/** Where a benchmark ran: machine, Node.js, commit. Figures are only comparable on the same line. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly platform: string;
  readonly node: string;
  /** `git rev-parse --short HEAD`, `+dirty` when the tree has changes; null outside a repository. */
  readonly commit: string | null;
  readonly packages: Record<string, string>;
  readonly startedAt: string;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(root: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'absent';
  }
}

export function machineInfo(root: string): MachineInfo {
  const cpus = os.cpus();
  const head = git(['rev-parse', '--short', 'HEAD'], root);
  const dirty = head ? (git(['status', '--porcelain', '--untracked-files=no'], root) ?? '') !== '' : false;
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: head ? `${head}${dirty ? '+dirty' : ''}` : null,
    packages: Object.fromEntries(
      ['aws-local-stepfunctions', '@aws-sdk/client-ecs', 'esbuild', 'tsx'].map((n) => [
        n,
        packageVersion(root, n),
      ]),
    ),
    startedAt: new Date().toISOString(),
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.platform}, Node ${m.node}, commit ${m.commit ?? 'unknown (no git)'}`;
}
