/**
 * The sandbox AWS account: in-memory services that behave like AWS where shield-right depends on it,
 * a log of every call (service, operation, input, error), and reproducible fault injection.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDbService } from './dynamodb';
import { Ec2Service } from './ec2';
import { EcrService } from './ecr';
import { EcsService } from './ecs';
import { FaultKeys, injectedFault, keyedRandom } from './faults';
import { GuardDutyService } from './guardduty';
import { Inspector2Service } from './inspector2';
import { modelViolation } from './models/check';
import { OrganizationsService } from './organizations';
import { S3Service } from './s3';
import { SecurityHubService } from './securityhub';
import { SignerService } from './signer';
import { SnsService } from './sns';
import { StsService } from './sts';
import { type AccountContext, AwsError, type SandboxService, type ServiceName } from './types';

export interface ApiCall {
  /** The account whose API answered the call (the account of the caller's credentials). */
  readonly account: string;
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: unknown;
  /** AWS error name, or null on success. */
  readonly error: string | null;
  /** The workflow state that made the call (a Lambda task or a direct integration). */
  readonly state?: string;
  /** Order of the call's start and end among all calls: overlapping calls ran in parallel. */
  readonly startSeq: number;
  readonly endSeq: number;
}

export interface SandboxOptions {
  readonly accountId?: string;
  readonly region?: string;
  readonly partition?: string;
  /** Share (0-1) of calls that fail with an injected fault (throttling, a cancelled transaction, a 409; see faults.ts). */
  readonly faultRate?: number;
  readonly seed?: number;
  /** Fixed clock for reproducible runs (ms since epoch); the real clock otherwise. */
  readonly clock?: () => number;
  /**
   * `reference` (default): the ASL engine evaluates every path with jsonpath-plus and the sandbox keeps every
   * execution history and published message. `fast`: the bulk path for long replays (a cached JSONPath for
   * plain paths, the newest histories and messages only), proven to give the same outcomes
   * (`bench/equivalence.ts`). Both run the handlers' SDK clients through their whole middleware stack (the
   * order of concurrent calls, which fault injection draws on, depends on it) and check every request
   * against the service models.
   */
  readonly engine?: EnginePath;
}

export type EnginePath = 'reference' | 'fast';

export const SANDBOX_ACCOUNT_ID = '111122223333';
export const SANDBOX_REGION = 'us-east-1';

// Calls are logged per async context (one event, one test), so concurrent work is attributed correctly
// and a long replay does not keep every call of every event in memory.
const callLog = new AsyncLocalStorage<ApiCall[]>();
const taskState = new AsyncLocalStorage<string>();

/** Attributes the sandbox calls made inside `fn` to a workflow state. */
export function inState<T>(state: string, fn: () => Promise<T>): Promise<T> {
  return taskState.run(state, fn);
}

/**
 * The number of sequential round trips in a list of calls: the longest chain of calls each starting
 * after the previous one ended (calls made in parallel count once).
 */
export function sequentialRoundTrips(calls: readonly ApiCall[]): number {
  let rounds = 0;
  let lastEnd = -1;
  for (const call of [...calls].sort((a, b) => a.endSeq - b.endSeq)) {
    if (call.startSeq > lastEnd) {
      rounds += 1;
      lastEnd = call.endSeq;
    }
  }
  return rounds;
}

/** Runs `fn` and returns, with its result, every sandbox call made inside it (from any account). */
export async function recordCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: ApiCall[] }> {
  const calls: ApiCall[] = [];
  const result = await callLog.run(calls, fn);
  return { result, calls };
}

export class SandboxAccount implements AccountContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly ecs: EcsService;
  readonly ec2: Ec2Service;
  readonly ecr: EcrService;
  readonly s3: S3Service;
  readonly sns: SnsService;
  readonly dynamodb: DynamoDbService;
  readonly guardduty: GuardDutyService;
  readonly inspector2: Inspector2Service;
  readonly signer: SignerService;
  readonly sts: StsService;
  readonly securityhub: SecurityHubService;
  readonly organizations: OrganizationsService;
  /** What auto-provisioning already created, so a repeat event never resurrects a stopped task. */
  readonly provisioned = new Set<string>();
  /** While executions interleave, the seeded scheduler every call waits on (local/interleaving.ts). */
  interleaving: { turn(): Promise<void> } | undefined;
  readonly engine: EnginePath;
  readonly retention: 'all' | 'recent';
  /** Injected faults so far (a burst test reports retries). */
  faultsInjected = 0;
  private readonly services = new Map<ServiceName, SandboxService>();
  private faultRate: number;
  private faultSeed: number;
  private faultKeys = new FaultKeys();
  private idCounter = 0;
  private callSeq = 0;
  private readonly clock: () => number;

  constructor(options: SandboxOptions = {}) {
    this.accountId = options.accountId ?? SANDBOX_ACCOUNT_ID;
    this.region = options.region ?? SANDBOX_REGION;
    this.partition = options.partition ?? 'aws';
    this.engine = options.engine ?? 'reference';
    this.retention = this.engine === 'fast' ? 'recent' : 'all';
    this.faultRate = options.faultRate ?? 0;
    this.faultSeed = options.seed ?? 1;
    this.clock = options.clock ?? Date.now;
    this.ecr = new EcrService(this);
    this.ecs = new EcsService(this, {
      imagePullable: (image, digest) => this.ecr.imagePullable(image, digest),
      taskInterface: (input) => this.ec2.putTaskInterface(input),
    });
    this.ec2 = new Ec2Service(this);
    this.s3 = new S3Service(this);
    this.sns = new SnsService(this);
    this.dynamodb = new DynamoDbService(this);
    this.guardduty = new GuardDutyService(this);
    // A direct read: Inspector asks for every ACTIVE finding it returns, so no snapshot of the whole registry.
    this.inspector2 = new Inspector2Service(this, {
      ecrImage: (repository, digest) => this.ecr.imageStatus(repository, digest),
    });
    this.signer = new SignerService(this);
    this.ecr.useSigner((spec) => this.signer.signEnvelope(spec));
    this.sts = new StsService(this);
    this.securityhub = new SecurityHubService(this);
    this.organizations = new OrganizationsService(this);
    for (const service of [
      this.signer,
      this.sts,
      this.ecs,
      this.ec2,
      this.ecr,
      this.s3,
      this.sns,
      this.dynamodb,
      this.guardduty,
      this.inspector2,
      this.securityhub,
      this.organizations,
    ]) {
      this.services.set(service.name, service);
    }
  }

  now(): number {
    return this.clock();
  }

  nextId(prefix: string, length = 17): string {
    this.idCounter += 1;
    return `${prefix}${this.idCounter.toString(16).padStart(length, '0')}`;
  }

  /** Registers another simulated service (Step Functions executions, for the operator CLI). */
  register(service: SandboxService): void {
    this.services.set(service.name, service);
  }

  setFaults(rate: number, seed = 1): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be between 0 and 1, got ${rate}`);
    this.faultRate = rate;
    this.faultSeed = seed;
    this.faultKeys = new FaultKeys();
  }

  /** Calls one API operation as AWS would answer it; every call is logged, failures included. */
  async call(service: ServiceName, operation: string, input: Record<string, unknown>): Promise<unknown> {
    const log = callLog.getStore();
    const state = taskState.getStore();
    const startSeq = ++this.callSeq;
    // Yield once, as a network call would, so calls sent together are seen to overlap; executions that
    // interleave (Simulator.processEvents) wait for their turn instead, there and before the answer.
    await (this.interleaving ? this.interleaving.turn() : Promise.resolve());
    const record = (error: string | null): void => {
      log?.push({
        account: this.accountId,
        service,
        operation,
        input,
        error,
        ...(state ? { state } : {}),
        startSeq,
        endSeq: ++this.callSeq,
      });
    };
    const impl = this.services.get(service)?.operations[operation];
    if (!impl) {
      record('UnknownOperationException');
      throw new AwsError(
        'UnknownOperationException',
        `the sandbox does not implement ${service}:${operation}`,
      );
    }
    // AWS refuses a request that breaks its published model before doing anything (docs/aws-behaviours.md O6).
    const invalid = modelViolation(service, operation, input);
    if (invalid) {
      record(invalid.name);
      throw invalid;
    }
    // Drawn from the call's identity, not its arrival order (faults.ts keyedRandom): docs/aws-behaviours.md.
    const random =
      this.faultRate > 0
        ? keyedRandom(this.faultSeed, this.faultKeys.identity(log, state, service, operation, input))
        : undefined;
    if (random && random() < this.faultRate) {
      const fault = injectedFault(service, operation, input, random);
      this.faultsInjected += 1;
      record(fault.name);
      throw fault;
    }
    try {
      const output = await impl(input);
      if (this.interleaving) await this.interleaving.turn();
      record(null);
      return output;
    } catch (err) {
      record(err instanceof Error ? err.name : 'Error');
      throw err;
    }
  }

  snapshot(): Record<string, unknown> {
    return {
      accountId: this.accountId,
      region: this.region,
      provisioned: [...this.provisioned],
      services: Object.fromEntries([...this.services].map(([name, service]) => [name, service.snapshot()])),
    };
  }

  restore(state: Record<string, unknown>): void {
    const services = (state.services ?? {}) as Record<string, unknown>;
    for (const [name, service] of this.services)
      if (services[name] !== undefined) service.restore(services[name]);
    this.provisioned.clear();
    for (const key of Array.isArray(state.provisioned) ? state.provisioned : [])
      this.provisioned.add(String(key));
  }
}
