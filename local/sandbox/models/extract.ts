/**
 * Writes `constraints.json` from the botocore service models: the input constraints (required members,
 * enums, lengths, patterns, ranges) of every operation shield-right calls: the sandbox's dispatch
 * tables, the ASL integrations in statemachines/, and the SDK commands in lambdas/ and bin/.
 *
 *   npx tsx local/sandbox/models/extract.ts [path/to/botocore.git]
 *
 * Needs the botocore mirror (a bare git directory); tests only read the committed JSON.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SandboxAccount } from '../account';
import { StatesService } from '../states';
import type { ServiceName } from '../types';
import { translateJavaPattern } from './java-pattern';
import type { ConstraintData, ServiceConstraints, Shape } from './types';

const REPO_ROOT = resolve(__dirname, '../../..');
const BOTOCORE_GIT = process.argv[2] ?? '/work/.mirror/boto+botocore/repo';
const COMMIT = '0e6e2404b85dc336dd2889814e089bde7d1a4c55';
const OUTPUT = join(__dirname, 'constraints.json');

const MODELS: Readonly<Record<ServiceName, string>> = {
  dynamodb: 'dynamodb/2012-08-10',
  ec2: 'ec2/2016-11-15',
  ecr: 'ecr/2015-09-21',
  ecs: 'ecs/2014-11-13',
  guardduty: 'guardduty/2017-11-28',
  inspector2: 'inspector2/2020-06-08',
  s3: 's3/2006-03-01',
  sns: 'sns/2010-03-31',
  states: 'stepfunctions/2016-11-23',
  signer: 'signer/2017-08-25',
  sts: 'sts/2011-06-15',
  securityhub: 'securityhub/2018-10-26',
  organizations: 'organizations/2016-11-28',
};

/** `@aws-sdk/client-<name>` to the sandbox service; CloudFormation is only called against AWS (`bin/commands/operator-context.ts`). */
const CLIENTS: Readonly<Record<string, ServiceName | null>> = {
  dynamodb: 'dynamodb',
  ec2: 'ec2',
  ecr: 'ecr',
  ecs: 'ecs',
  guardduty: 'guardduty',
  inspector2: 'inspector2',
  s3: 's3',
  sns: 'sns',
  sfn: 'states',
  signer: 'signer',
  sts: 'sts',
  securityhub: 'securityhub',
  organizations: 'organizations',
  cloudformation: null,
};

interface BotocoreShape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

interface BotocoreModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, BotocoreShape>;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : filesUnder(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

/** Every operation the code can call, by service, with where it was found. */
function usedOperations(notes: string[]): Map<ServiceName, Set<string>> {
  const used = new Map<ServiceName, Set<string>>();
  const add = (service: ServiceName, operation: string): void => {
    const set = used.get(service) ?? new Set<string>();
    set.add(operation);
    used.set(service, set);
  };
  const account = new SandboxAccount();
  const unused = async (): Promise<never> => {
    throw new Error('not called');
  };
  account.register(new StatesService(account, { start: unused, redrive: unused }));
  // The dispatch tables are private to the account: read them as the generator's one exception.
  const registered = (account as unknown as { services: Map<ServiceName, { operations: object }> }).services;
  for (const [service, impl] of registered)
    for (const operation of Object.keys(impl.operations)) add(service, operation);
  for (const file of filesUnder(join(REPO_ROOT, 'statemachines'), '.asl.json')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /states:::(?:aws-sdk:)?(dynamodb|ecs|ecr|ec2|s3|sns|sfn):([A-Za-z0-9]+)/g,
    )) {
      const [, client = '', op = ''] = m;
      const service = CLIENTS[client];
      if (service) add(service, op.charAt(0).toUpperCase() + op.slice(1));
    }
  }
  for (const dir of ['lambdas', 'bin']) {
    for (const file of filesUnder(join(REPO_ROOT, dir), '.ts')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g,
      )) {
        const [, names = '', client = ''] = m;
        const service = CLIENTS[client];
        // The imported name, not a local alias (`ListFindingsCommand as ListGuardDutyFindingsCommand`).
        const commands = names
          .split(',')
          .map((name) => name.trim().split(/\s+as\s+/)[0] ?? '')
          .flatMap((name) => /^(?:type\s+)?([A-Z][A-Za-z0-9]+)Command$/.exec(name)?.[1] ?? []);
        if (service === undefined && commands.length > 0)
          throw new Error(`unmapped client ${client} in ${file}`);
        if (service === null) {
          if (commands.length > 0)
            notes.push(
              `Not covered: ${client} ${commands.join(', ')} (${relative(REPO_ROOT, file)}), only called against AWS.`,
            );
          continue;
        }
        if (service) for (const command of commands) add(service, command);
      }
    }
  }
  return used;
}

function readModel(path: string): BotocoreModel {
  return JSON.parse(
    execFileSync('git', ['-C', BOTOCORE_GIT, 'show', `${COMMIT}:${path}`], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString(),
  ) as BotocoreModel;
}

function compact(
  name: string,
  shape: BotocoreShape,
  keep: (ref: string) => boolean,
  notes: string[],
  service: string,
): Shape {
  switch (shape.type) {
    case 'structure': {
      const members = Object.fromEntries(
        Object.entries(shape.members ?? {})
          .filter(([, ref]) => keep(ref.shape))
          .map(([member, ref]) => [member, ref.shape]),
      );
      return {
        type: 'structure',
        ...(shape.required?.length ? { required: shape.required } : {}),
        ...(Object.keys(members).length ? { members } : {}),
      };
    }
    case 'list':
      return {
        type: 'list',
        ...(shape.member && keep(shape.member.shape) ? { member: shape.member.shape } : {}),
        ...bounds(shape),
      };
    case 'map':
      return {
        type: 'map',
        ...(shape.key && keep(shape.key.shape) ? { key: shape.key.shape } : {}),
        ...(shape.value && keep(shape.value.shape) ? { value: shape.value.shape } : {}),
        ...bounds(shape),
      };
    default: {
      let pattern: string | undefined;
      if (shape.pattern !== undefined) {
        const translated = translateJavaPattern(shape.pattern);
        if (translated.ok) pattern = translated.source;
        else notes.push(`Pattern of ${service} ${name} not checked (${translated.reason}): ${shape.pattern}`);
      }
      return {
        type: shape.type as 'string',
        ...bounds(shape),
        ...(pattern !== undefined ? { pattern } : {}),
        ...(shape.enum ? { enum: shape.enum } : {}),
      };
    }
  }
}

function bounds(shape: BotocoreShape): { min?: number; max?: number } {
  return {
    ...(shape.min !== undefined ? { min: shape.min } : {}),
    ...(shape.max !== undefined ? { max: shape.max } : {}),
  };
}

/** Whether a shape carries a constraint itself or through what it contains (cycles resolved by fixpoint). */
function constrainedShapes(model: BotocoreModel, roots: string[]): Set<string> {
  const reachable = new Set<string>();
  const visit = (name: string): void => {
    if (reachable.has(name)) return;
    reachable.add(name);
    const s = model.shapes[name];
    for (const ref of [
      ...Object.values(s?.members ?? {}),
      ...(s?.member ? [s.member] : []),
      ...(s?.key ? [s.key] : []),
      ...(s?.value ? [s.value] : []),
    ])
      visit(ref.shape);
  };
  for (const root of roots) visit(root);
  const own = (s: BotocoreShape): boolean =>
    s.min !== undefined ||
    s.max !== undefined ||
    s.pattern !== undefined ||
    s.enum !== undefined ||
    (s.required?.length ?? 0) > 0;
  const constrained = new Set(
    [...reachable].filter((n) => {
      const s = model.shapes[n];
      return s !== undefined && own(s);
    }),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of reachable) {
      if (constrained.has(n)) continue;
      const s = model.shapes[n];
      const refs = [
        ...Object.values(s?.members ?? {}),
        ...(s?.member ? [s.member] : []),
        ...(s?.key ? [s.key] : []),
        ...(s?.value ? [s.value] : []),
      ];
      if (refs.some((ref) => constrained.has(ref.shape))) {
        constrained.add(n);
        grew = true;
      }
    }
  }
  return constrained;
}

function main(): void {
  const notes: string[] = [
    'Member names are botocore member names, which the SDK v3 command inputs use; timestamps are not checked.',
  ];
  const used = usedOperations(notes);
  const services: Record<string, ServiceConstraints> = {};
  for (const [service, operations] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
    const path = `botocore/data/${MODELS[service]}/service-2.json`;
    const model = readModel(path);
    const inputs: Record<string, string | null> = {};
    for (const operation of [...operations].sort()) {
      const op = model.operations[operation];
      if (!op) throw new Error(`${service}:${operation} is not in ${path}`);
      inputs[operation] = op.input?.shape ?? null;
    }
    const roots = Object.values(inputs).filter((s): s is string => s !== null);
    const constrained = constrainedShapes(model, roots);
    const shapes: Record<string, Shape> = {};
    for (const name of [...constrained].sort()) {
      const shape = model.shapes[name];
      if (shape) shapes[name] = compact(name, shape, (ref) => constrained.has(ref), notes, service);
    }
    services[service] = { model: path, operations: inputs, shapes };
  }
  const data: ConstraintData = {
    source: {
      repository: 'https://github.com/boto/botocore',
      commit: COMMIT,
      generator: 'local/sandbox/models/extract.ts',
    },
    notes,
    services,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(data, null, 2)}\n`);
  // Committed in the repository's own JSON format, so regenerating gives no spurious diff.
  execFileSync('npx', ['biome', 'format', '--write', OUTPUT], { cwd: REPO_ROOT, stdio: 'ignore' });
  const count = Object.values(services).reduce((n, s) => n + Object.keys(s.operations).length, 0);
  console.log(`wrote ${relative(REPO_ROOT, OUTPUT)}: ${count} operations, ${notes.length} notes`);
}

main();
