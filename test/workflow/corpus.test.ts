/**
 * Public sample events (the shared corpus, placed beside the clone) against the project's own rules and
 * workflows. Bare finding bodies are wrapped in the EventBridge envelope their service would deliver.
 * Skipped when the corpus is absent.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { DEFAULT_CONFIG } from '../../definitions/config';
import type { WorkflowName } from '../../definitions/functions';
import { type RuleName, ruleDefinitions } from '../../definitions/patterns';
import { REPO_ROOT } from '../../local/asl-runner';
import { type ExecutionSummary, Simulator } from '../../local/engine';
import { compilePattern } from '../../local/event-pattern';
import { runInSandbox } from '../../local/sandbox/transport';

type Json = Record<string, unknown>;

interface CorpusEvent {
  /** Path inside the corpus, with forward slashes. */
  readonly file: string;
  /** First two path segments, e.g. `guardduty/ecs`. */
  readonly folder: string;
  readonly event: Json;
}

const CANDIDATES = [
  join(__dirname, '..', '..', '..', 'shared', 'corpus'),
  resolve(REPO_ROOT, '..', 'shared', 'corpus'),
];
const CORPUS = CANDIDATES.find((dir) => existsSync(dir) && statSync(dir).isDirectory());

const ENVELOPES: Record<string, { source: string; detailType: string }> = {
  guardduty: { source: 'aws.guardduty', detailType: 'GuardDuty Finding' },
  inspector2: { source: 'aws.inspector2', detailType: 'Inspector2 Finding' },
};

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

/** What EventBridge would deliver for a bare finding: the envelope of its service, account from the body. */
function wrap(body: Json, top: string, file: string): Json {
  const envelope = ENVELOPES[top];
  if (!envelope) throw new Error(`${file}: a finding body outside guardduty/ or inspector2/`);
  const account = body.accountId ?? body.awsAccountId ?? body.AccountId;
  const region = body.region ?? body.Region;
  return {
    version: '0',
    id: `corpus-${file.replace(/[^A-Za-z0-9]/g, '').slice(-40)}`,
    'detail-type': envelope.detailType,
    source: envelope.source,
    account: typeof account === 'string' ? account : '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: typeof region === 'string' ? region : 'us-east-1',
    resources: [],
    detail: body,
  };
}

function loadCorpus(dir: string): CorpusEvent[] {
  return jsonFiles(dir).map((path) => {
    const file = relative(dir, path).split(sep).join('/');
    const [top = '', second = ''] = file.split('/');
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isJson(raw)) throw new Error(`${file}: not a JSON object`);
    const event = file.endsWith('finding-body.json') ? wrap(raw, top, file) : raw;
    return { file, folder: `${top}/${second}`, event };
  });
}

const EVENTS = CORPUS ? loadCorpus(CORPUS) : [];
const RULES = ruleDefinitions(DEFAULT_CONFIG).map((rule) => ({
  name: rule.name,
  matches: compilePattern(rule.pattern),
}));

function matchedRules(event: unknown): RuleName[] {
  return RULES.filter((rule) => rule.matches(event)).map((rule) => rule.name);
}

function detailOf(event: Json): Json {
  return isJson(event.detail) ? event.detail : {};
}

/** The expectation, read from the event's own fields (not from the patterns). */
function expectedRules(c: CorpusEvent): RuleName[] {
  const detail = detailOf(c.event);
  // A completed ECR push (ECR user guide, "Amazon ECR events and EventBridge") is checked for a lifted hold.
  const envelope = isJson(c.event) ? c.event : {};
  if (
    envelope.source === 'aws.ecr' &&
    envelope['detail-type'] === 'ECR Image Action' &&
    detail['action-type'] === 'PUSH' &&
    detail.result === 'SUCCESS'
  )
    return ['ImagePushRule'];
  if (c.folder !== 'inspector2/ecr') return [];
  const resources = Array.isArray(detail.resources) ? detail.resources.filter(isJson) : [];
  if (!resources.some((r) => r.type === 'AWS_ECR_CONTAINER_IMAGE')) return [];
  if (detail.status === 'ACTIVE' && (detail.severity === 'HIGH' || detail.severity === 'CRITICAL')) {
    return ['VulnerableImageRule'];
  }
  return detail.status === 'CLOSED' ? ['ClosedImageFindingRule'] : [];
}

const describeCorpus = CORPUS ? describe : describe.skip;

describeCorpus('shared corpus against the rules', () => {
  it('was found and holds GuardDuty and Inspector events', () => {
    expect(EVENTS.filter((e) => e.folder.startsWith('guardduty/')).length).toBeGreaterThan(0);
    expect(EVENTS.filter((e) => e.folder.startsWith('inspector2/')).length).toBeGreaterThan(0);
  });

  for (const c of EVENTS) {
    it(`${c.file}: matches ${expectedRules(c).join(', ') || 'no rule'}`, () => {
      expect(matchedRules(c.event)).toEqual(expectedRules(c));
    });
  }

  it('the only ECS-cluster GuardDuty findings are Malware Protection (EbsVolumeScan), not Runtime Monitoring', () => {
    const ecs = EVENTS.filter((e) => e.folder === 'guardduty/ecs');
    expect(ecs.length).toBeGreaterThan(0);
    for (const c of ecs) {
      const detail = detailOf(c.event);
      expect(detail).toMatchObject({
        resource: { resourceType: 'ECSCluster' },
        service: { featureName: 'EbsVolumeScan' },
      });
    }
  });

  it('the same ECS-cluster finding as Runtime Monitoring would match RuntimeThreatRule (the envelope is right)', () => {
    const [c] = EVENTS.filter((e) => e.folder === 'guardduty/ecs');
    const detail = detailOf(c?.event ?? {});
    const service = isJson(detail.service) ? detail.service : {};
    const asRuntime = {
      ...c?.event,
      detail: { ...detail, service: { ...service, featureName: 'RuntimeMonitoring' } },
    };
    expect(matchedRules(asRuntime)).toEqual(['RuntimeThreatRule']);
  });

  it('at least one Inspector ECR finding is actionable (non-vacuous expectations)', () => {
    const actionable = EVENTS.filter((c) => expectedRules(c).includes('VulnerableImageRule'));
    expect(actionable.length).toBeGreaterThan(0);
  });
});

/** Executions that end in an engine error rather than a workflow outcome. */
const ENGINE_ERRORS = new Set(['States.Runtime', 'TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

function problem(file: string, how: string, run: ExecutionSummary): string | undefined {
  if (run.status !== 'SUCCEEDED' && run.status !== 'FAILED') return `${file} (${how}): ${run.status}`;
  if (run.status === 'FAILED' && ENGINE_ERRORS.has(run.error ?? '')) {
    return `${file} (${how}): ${run.error}: ${run.cause ?? ''}`;
  }
  return undefined;
}

const REPLAYED = EVENTS.filter(
  (c) => c.folder.startsWith('guardduty/') || c.folder.startsWith('inspector2/'),
);

/** One sandbox per account, as `simulate` builds one for the account of its events. */
function byAccount(events: readonly CorpusEvent[]): [string, CorpusEvent[]][] {
  const groups = new Map<string, CorpusEvent[]>();
  for (const c of events) {
    const account =
      typeof c.event.account === 'string' && /^\d{12}$/.test(c.event.account) ? c.event.account : '';
    groups.set(account, [...(groups.get(account) ?? []), c]);
  }
  return [...groups];
}

describeCorpus('shared corpus replayed through the engine', () => {
  const groups = byAccount(REPLAYED);

  it('has events to replay', () => {
    expect(REPLAYED.length).toBeGreaterThan(0);
  });

  for (const [account, events] of groups) {
    it(`account ${account || '(invalid, sandbox default)'}: ${events.length} events end SUCCEEDED or FAILED, never in an engine error`, async () => {
      // Arrange
      const simulator = new Simulator(account ? { accountId: account } : {});
      const problems: string[] = [];
      let executions = 0;

      // Act: through the rules, then started directly as `shield-right respond` would
      for (const c of events) {
        const result = await simulator.processEvent(c.event, c.file);
        const target: WorkflowName =
          c.event.source === 'aws.inspector2' ? 'VulnerableImageResponse' : 'RuntimeThreatResponse';
        const direct = await runInSandbox(simulator.account, () => simulator.startExecution(target, c.event));
        for (const run of result.executions) {
          executions += 1;
          const found = problem(c.file, 'rule', run);
          if (found) problems.push(found);
        }
        executions += 1;
        const found = problem(c.file, `direct ${target}`, direct);
        if (found) problems.push(found);
      }

      // Assert
      expect(problems).toEqual([]);
      expect(executions).toBeGreaterThanOrEqual(events.length);
    });
  }
});
