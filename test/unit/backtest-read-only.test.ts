/**
 * `backtest` is read-only by construction: its clients refuse every operation not named
 * Describe*, List*, Get* or BatchGet* before anything is serialized or sent. Proven on every command
 * of the five SDK packages it uses, with a transport that records whatever reaches it.
 */
import * as ec2 from '@aws-sdk/client-ec2';
import * as ecr from '@aws-sdk/client-ecr';
import * as ecs from '@aws-sdk/client-ecs';
import * as guardduty from '@aws-sdk/client-guardduty';
import * as inspector2 from '@aws-sdk/client-inspector2';
import { isReadOperation, ReadOnlyViolationError, readOnly } from '../../local/backtest/read-only';
import { readOnlyClients } from '../../local/backtest/source';

interface Sendable {
  send(command: unknown): Promise<unknown>;
}
type CommandClass = new (input: object) => unknown;

/** What reached the transport: the request's target header (JSON protocols) and path. */
const sent: string[] = [];
class TransportReached extends Error {
  constructor() {
    super('the request reached the transport');
    this.name = 'TransportReached';
  }
}
const recordingHandler = {
  handle: async (request: { path?: string; headers?: Record<string, string> }) => {
    sent.push(`${request.headers?.['x-amz-target'] ?? ''} ${request.path ?? ''}`);
    throw new TransportReached();
  },
};
const config = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  requestHandler: recordingHandler,
  maxAttempts: 1,
};

const PACKAGES: readonly [string, Record<string, unknown>, Sendable][] = [
  ['ecs', ecs, readOnly(new ecs.ECSClient(config))],
  ['ec2', ec2, readOnly(new ec2.EC2Client(config))],
  ['ecr', ecr, readOnly(new ecr.ECRClient(config))],
  ['guardduty', guardduty, readOnly(new guardduty.GuardDutyClient(config))],
  ['inspector2', inspector2, readOnly(new inspector2.Inspector2Client(config))],
];

function commands(module: Record<string, unknown>): [string, CommandClass][] {
  return Object.entries(module)
    .filter(
      ([name, value]) =>
        /^[A-Z]\w*Command$/.test(name) &&
        typeof (value as { prototype?: { resolveMiddleware?: unknown } }).prototype?.resolveMiddleware ===
          'function',
    )
    .map(([name, value]) => [name.replace(/Command$/, ''), value as CommandClass]);
}

beforeEach(() => {
  sent.length = 0;
});

describe('backtest clients are read-only', () => {
  it('names reads only Describe*, List*, Get*, BatchGet*', () => {
    for (const op of ['DescribeTasks', 'ListFindings', 'GetFindings', 'BatchGetImage'])
      expect(isReadOperation(op)).toBe(true);
    for (const op of [
      'StopTask',
      'PutImage',
      'BatchDeleteImage',
      'RevokeSecurityGroupIngress',
      'Listen',
      'Getaway',
      'UpdateFindings',
      'ArchiveFindings',
      '',
    ])
      expect(isReadOperation(op)).toBe(false);
  });

  it.each(PACKAGES.map(([name, module, client]) => [name, module, client] as const))(
    'refuses every mutating %s operation before it leaves the process',
    async (_name, module, client) => {
      const mutating = commands(module).filter(([op]) => !isReadOperation(op));
      expect(mutating.length).toBeGreaterThan(3);
      for (const [op, Command] of mutating) {
        const error = await client.send(new Command({})).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ReadOnlyViolationError);
        expect((error as ReadOnlyViolationError).operation).toBe(op);
      }
      expect(sent).toEqual([]);
    },
  );

  it('lets a read through to the transport (the guard is not refusing everything)', async () => {
    const client = readOnly(new ecs.ECSClient(config));
    await expect(client.send(new ecs.DescribeTasksCommand({ tasks: ['t'] }))).rejects.toThrow(
      TransportReached,
    );
    await expect(client.send(new ecs.StopTaskCommand({ task: 't' }))).rejects.toThrow(ReadOnlyViolationError);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('DescribeTasks');
  });

  it('the clients backtest builds are all guarded', async () => {
    const clients = readOnlyClients('us-east-1');
    await expect(clients.ecs.send(new ecs.StopTaskCommand({ task: 't' }))).rejects.toThrow(
      ReadOnlyViolationError,
    );
    await expect(
      clients.ec2.send(new ec2.RevokeSecurityGroupIngressCommand({ GroupId: 'sg-1' })),
    ).rejects.toThrow(ReadOnlyViolationError);
    await expect(
      clients.ecr.send(new ecr.BatchDeleteImageCommand({ repositoryName: 'r', imageIds: [] })),
    ).rejects.toThrow(ReadOnlyViolationError);
    await expect(
      clients.guardduty.send(new guardduty.ArchiveFindingsCommand({ DetectorId: 'd', FindingIds: ['f'] })),
    ).rejects.toThrow(ReadOnlyViolationError);
    await expect(
      clients.inspector2.send(
        new inspector2.CreateFilterCommand({ name: 'f', action: 'NONE', filterCriteria: {} }),
      ),
    ).rejects.toThrow(ReadOnlyViolationError);
  });
});
