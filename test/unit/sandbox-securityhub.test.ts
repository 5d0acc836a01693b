/**
 * Sandbox Security Hub (issue 16; docs/aws-behaviours.md SH1-SH5) and the update shield-right makes on the
 * Security Hub copy of a finding: looked up by the provider's finding ARN, NOTIFIED once, RESOLVED when the
 * incident is resolved, never SUPPRESSED nor moved back; a repeat updates the note only.
 */
import {
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import {
  FindingNotInSecurityHubError,
  type SecurityHubUpdateRequest,
  updateSecurityHubFinding,
} from '../../lambdas/actions/security-hub';
import { NOTE_TEXT_MAX, noteText, productArn } from '../../lambdas/core/security-hub';
import { recordCalls, SandboxAccount } from '../../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const ADMIN = '111122223333';
const MEMBER = '222233334444';
const REGION = 'us-east-1';
const GD_PRODUCT = productArn('guardduty', 'aws', REGION);
const FINDING_ARN = `arn:aws:guardduty:${REGION}:${MEMBER}:detector/d1/finding/f1`;

const client = new SecurityHubClient({ region: REGION });
attachSandbox(client, 'securityhub');

function account(): SandboxAccount {
  const home = new SandboxAccount({ accountId: ADMIN, clock: () => Date.parse('2026-12-01T00:00:00Z') });
  home.securityhub.putFinding({
    Id: FINDING_ARN,
    ProductArn: GD_PRODUCT,
    ProductName: 'GuardDuty',
    AwsAccountId: MEMBER,
    Title: 'Execution:Runtime/ReverseShell',
  });
  home.securityhub.putFinding({
    Id: `arn:aws:guardduty:${REGION}:${ADMIN}:detector/d0/finding/f2`,
    ProductArn: GD_PRODUCT,
    ProductName: 'GuardDuty',
    AwsAccountId: ADMIN,
    Title: 'CryptoCurrency:Runtime/BitcoinTool.B',
  });
  return home;
}

function request(over: Partial<SecurityHubUpdateRequest> = {}): SecurityHubUpdateRequest {
  return {
    source: 'guardduty',
    findingArn: FINDING_ARN,
    accountId: MEMBER,
    partition: 'aws',
    region: REGION,
    incidentId: 'inc-1',
    incidentStatus: 'CONTAINED',
    summary: 'task stopped',
    evidence: 's3://evidence/inc-1/',
    ...over,
  };
}

describe('sandbox GetFindings filters', () => {
  it('joins EQUALS/PREFIX/CONTAINS on a field by OR and their NOT_ forms by AND', async () => {
    const home = account();
    const ids = async (filters: Record<string, Array<{ Value: string; Comparison: string }>>) =>
      runInSandbox(home, async () => {
        const out = await client.send(new GetFindingsCommand({ Filters: filters as never }));
        return (out.Findings ?? []).map((f) => f.AwsAccountId).sort();
      });
    expect(
      await ids({
        AwsAccountId: [
          { Value: MEMBER, Comparison: 'EQUALS' },
          { Value: ADMIN, Comparison: 'EQUALS' },
        ],
      }),
    ).toEqual([ADMIN, MEMBER]);
    expect(
      await ids({
        Title: [
          { Value: 'Reverse', Comparison: 'NOT_CONTAINS' },
          { Value: 'Bitcoin', Comparison: 'NOT_CONTAINS' },
        ],
      }),
    ).toEqual([]);
    expect(await ids({ Title: [{ Value: 'Execution:', Comparison: 'PREFIX' }] })).toEqual([MEMBER]);
  });

  it('refuses more than 10 filtered attributes and a filter it does not implement', async () => {
    const home = account();
    // Eleven real AwsSecurityFindingFilters attributes: one more than the API accepts.
    const names = ['Id', 'ProductArn', 'ProductName', 'AwsAccountId', 'GeneratorId', 'Title', 'RecordState'];
    const more = ['WorkflowStatus', 'CompanyName', 'Region', 'Description'];
    const many = Object.fromEntries(
      [...names, ...more].map((name) => [name, [{ Value: 'x', Comparison: 'EQUALS' }]]),
    );
    await expect(
      runInSandbox(home, () => client.send(new GetFindingsCommand({ Filters: many as never }))),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(
      runInSandbox(home, () =>
        client.send(
          new GetFindingsCommand({ Filters: { ResourceId: [{ Value: 'x', Comparison: 'EQUALS' }] } }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('sandbox BatchUpdateFindings', () => {
  it('answers an unknown or duplicated identifier in UnprocessedFindings, not with an error', async () => {
    const home = account();
    const known = { Id: FINDING_ARN, ProductArn: GD_PRODUCT };
    const out = await runInSandbox(home, () =>
      client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [known, known, { Id: 'nope', ProductArn: GD_PRODUCT }],
          Workflow: { Status: 'NOTIFIED' },
        }),
      ),
    );
    expect(out.ProcessedFindings).toEqual([]);
    expect((out.UnprocessedFindings ?? []).map((u) => u.ErrorCode)).toEqual([
      'DuplicatedFindingIdentifier',
      'DuplicatedFindingIdentifier',
      'FindingNotFound',
    ]);
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('NEW');
  });

  it('refuses a note without UpdatedBy (model) and a note over 512 characters', async () => {
    const home = account();
    const ids = [{ Id: FINDING_ARN, ProductArn: GD_PRODUCT }];
    await expect(
      runInSandbox(home, () =>
        client.send(
          new BatchUpdateFindingsCommand({ FindingIdentifiers: ids, Note: { Text: 'x' } as never }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(
      runInSandbox(home, () =>
        client.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: ids,
            Note: { Text: 'x'.repeat(NOTE_TEXT_MAX + 1), UpdatedBy: 'me' },
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('sandbox import delay and user-defined fields', () => {
  it('holds a finding back for the given number of lookups (the product import delay), then answers it', async () => {
    const home = new SandboxAccount({ accountId: ADMIN });
    const id = `${FINDING_ARN}-late`;
    home.securityhub.importLater(
      { Id: id, ProductArn: GD_PRODUCT, ProductName: 'GuardDuty', AwsAccountId: MEMBER },
      2,
    );
    const lookup = () =>
      runInSandbox(home, () =>
        client.send(new GetFindingsCommand({ Filters: { Id: [{ Value: id, Comparison: 'EQUALS' }] } })),
      );
    expect((await lookup()).Findings).toEqual([]);
    expect((await lookup()).Findings).toEqual([]);
    expect((await lookup()).Findings?.map((f) => f.Workflow?.Status)).toEqual(['NEW']);
  });

  it('keeps UserDefinedFields of an update, adding to those already set', async () => {
    const home = account();
    const ids = [{ Id: FINDING_ARN, ProductArn: GD_PRODUCT }];
    const updates: Record<string, string>[] = [{ a: '1' }, { b: '2' }];
    for (const fields of updates) {
      await runInSandbox(home, () =>
        client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: ids, UserDefinedFields: fields })),
      );
    }
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.UserDefinedFields).toEqual({ a: '1', b: '2' });
  });
});

describe('updateSecurityHubFinding', () => {
  it('sets NOTIFIED and the note once; a repeat updates the note only', async () => {
    const home = account();
    const first = await runInSandbox(home, () => updateSecurityHubFinding(client, request()));
    expect(first).toMatchObject({ previousStatus: 'NEW', status: 'NOTIFIED' });
    const stored = home.securityhub.finding(FINDING_ARN, GD_PRODUCT);
    expect(stored?.Workflow.Status).toBe('NOTIFIED');
    expect(stored?.Note).toMatchObject({ UpdatedBy: 'shield-right' });
    expect(stored?.Note?.Text).toContain('inc-1');
    expect(stored?.Note?.Text).toContain(MEMBER);

    const { result: repeat, calls } = await recordCalls(() =>
      runInSandbox(home, () => updateSecurityHubFinding(client, request({ summary: 'finding seen again' }))),
    );
    expect(repeat.status).toBeUndefined();
    const update = calls.find((c) => c.operation === 'BatchUpdateFindings');
    expect(update?.input).not.toHaveProperty('Workflow');
    expect(update?.input).toHaveProperty('Note');
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Note?.Text).toContain('seen again');
  });

  it('moves to RESOLVED when the incident is resolved, and never back to NOTIFIED', async () => {
    const home = account();
    await runInSandbox(home, () => updateSecurityHubFinding(client, request()));
    await runInSandbox(home, () => updateSecurityHubFinding(client, request({ incidentStatus: 'RESOLVED' })));
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
    const again = await runInSandbox(home, () => updateSecurityHubFinding(client, request()));
    expect(again.status).toBeUndefined();
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
  });

  it("leaves a human's SUPPRESSED in place", async () => {
    const home = account();
    home.securityhub.putFinding({
      Id: FINDING_ARN,
      ProductArn: GD_PRODUCT,
      ProductName: 'GuardDuty',
      AwsAccountId: MEMBER,
      Workflow: { Status: 'SUPPRESSED' },
    });
    await runInSandbox(home, () => updateSecurityHubFinding(client, request()));
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('SUPPRESSED');
  });

  it('raises FindingNotInSecurityHub for a finding not imported yet (the workflow retries it later)', async () => {
    const home = account();
    await expect(
      runInSandbox(home, () =>
        updateSecurityHubFinding(client, request({ findingArn: `${FINDING_ARN}-later` })),
      ),
    ).rejects.toBeInstanceOf(FindingNotInSecurityHubError);
    // The finding is about MEMBER: the same ARN under another account is not it.
    await expect(
      runInSandbox(home, () => updateSecurityHubFinding(client, request({ accountId: ADMIN }))),
    ).rejects.toMatchObject({ name: 'FindingNotInSecurityHub' });
  });

  it('keeps the note within the 512 characters the API stores', () => {
    const text = noteText({ incidentId: 'inc-1', summary: 'é'.repeat(2000) });
    expect(Array.from(text).length).toBe(NOTE_TEXT_MAX);
  });
});
