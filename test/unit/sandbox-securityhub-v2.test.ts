/**
 * Security Hub (the newer one, OCSF) in the sandbox (docs/aws-behaviours.md SH6, SH12-SH16), and the update
 * of both Security Hub copies of a finding against it (lambdas/actions/security-hub-copies.ts): whichever
 * Security Hub the account has enabled, decided from AWS's answers; forward only; an unprocessed finding is
 * a refusal of that copy; a disabled Security Hub is "not enabled", never a failure nor a retry.
 */
import {
  BatchUpdateFindingsV2Command,
  DescribeSecurityHubV2Command,
  GetFindingsCommand,
  GetFindingsV2Command,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { SecurityHubUpdateRequest } from '../../lambdas/actions/security-hub';
import { updateCopies } from '../../lambdas/actions/security-hub-copies';
import { productArn } from '../../lambdas/core/security-hub';
import { decide } from '../../lambdas/core/security-hub-copies';
import { recordCalls, SandboxAccount } from '../../local/sandbox/account';
import type { SecurityHubEnablement } from '../../local/sandbox/securityhub';
import { sandboxMetadataUid } from '../../local/sandbox/securityhub-v2';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';
import { AwsError } from '../../local/sandbox/types';

const ADMIN = '111122223333';
const MEMBER = '222233334444';
const REGION = 'us-east-1';
const GD_PRODUCT = productArn('guardduty', 'aws', REGION);
const GD_PRODUCT_V2 = `arn:aws:securityhub:${REGION}::productv2/aws/guardduty`;
const FINDING_ARN = `arn:aws:guardduty:${REGION}:${MEMBER}:detector/d1/finding/f1`;
const METADATA_UID = sandboxMetadataUid(GD_PRODUCT_V2, FINDING_ARN, MEMBER);

const client = new SecurityHubClient({ region: REGION });
attachSandbox(client, 'securityhub');

/** An administrator account with the given Security Hubs enabled, each holding the finding (OCSF: `statusId`). */
function account(enabled: SecurityHubEnablement, statusId?: number): SandboxAccount {
  const home = new SandboxAccount({ accountId: ADMIN, clock: () => Date.parse('2026-12-01T00:00:00Z') });
  home.securityhub.enable(enabled);
  home.securityhub.putFinding({
    Id: FINDING_ARN,
    ProductArn: GD_PRODUCT,
    ProductName: 'GuardDuty',
    AwsAccountId: MEMBER,
  });
  home.securityhub.putOcsfFinding({
    metadata: { uid: METADATA_UID, product: { uid: GD_PRODUCT_V2, name: 'GuardDuty' } },
    finding_info: { uid: FINDING_ARN, title: 'Execution:Runtime/ReverseShell' },
    cloud: { account: { uid: MEMBER }, region: REGION },
    ...(statusId !== undefined ? { status_id: statusId } : {}),
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
    summary: 'task stopped',
    evidence: 's3://evidence/inc-1/',
    ...over,
  };
}

const CSPM_ONLY = { cspm: true, v2: false };
const V2_ONLY = { cspm: false, v2: true };
const BOTH = { cspm: true, v2: true };
const NEITHER = { cspm: false, v2: false };

describe('sandbox Security Hub (OCSF)', () => {
  it('GetFindingsV2 joins a composite filter by its operator and the composites by CompositeOperator', async () => {
    const home = account(V2_ONLY);
    const find = (filters: unknown) =>
      runInSandbox(home, async () => {
        const out = await client.send(new GetFindingsV2Command({ Filters: filters as never }));
        return (out.Findings ?? []).length;
      });
    const field = (FieldName: string, Value: string) => ({
      FieldName,
      Filter: { Value, Comparison: 'EQUALS' },
    });
    const or = {
      StringFilters: [field('finding_info.uid', 'x'), field('metadata.uid', METADATA_UID)],
      Operator: 'OR',
    };
    const and = {
      StringFilters: [field('finding_info.uid', 'x'), field('metadata.uid', METADATA_UID)],
      Operator: 'AND',
    };
    const account1 = { StringFilters: [field('cloud.account.uid', MEMBER)], Operator: 'AND' };
    expect(await find({ CompositeFilters: [or, account1], CompositeOperator: 'AND' })).toBe(1);
    expect(await find({ CompositeFilters: [and, account1], CompositeOperator: 'AND' })).toBe(0);
    expect(await find({ CompositeFilters: [and, account1], CompositeOperator: 'OR' })).toBe(1);
  });

  it('refuses what it does not implement, and what the model refuses, with ValidationException', async () => {
    const home = account(V2_ONLY);
    const send = (input: Record<string, unknown>) =>
      runInSandbox(home, () => client.send(new GetFindingsV2Command(input as never)));
    await expect(
      send({
        Filters: { CompositeFilters: [{ NumberFilters: [{ FieldName: 'status_id', Filter: { Eq: 2 } }] }] },
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      send({
        Filters: {
          CompositeFilters: [
            { StringFilters: [{ FieldName: 'resources.uid', Filter: { Value: 'x', Comparison: 'EQUALS' } }] },
          ],
        },
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    // MaxResults 1–100 (botocore GetFindingsV2Request): checked before the sandbox answers.
    await expect(send({ MaxResults: 101 })).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('BatchUpdateFindingsV2 answers a finding it does not hold in UnprocessedFindings, not with an error', async () => {
    const home = account(V2_ONLY);
    const out = await runInSandbox(home, () =>
      client.send(new BatchUpdateFindingsV2Command({ MetadataUids: ['nope', METADATA_UID], StatusId: 2 })),
    );
    expect(out.ProcessedFindings).toEqual([{ MetadataUid: METADATA_UID }]);
    expect(out.UnprocessedFindings).toEqual([
      expect.objectContaining({ MetadataUid: 'nope', ErrorCode: 'ResourceNotFoundException' }),
    ]);
    expect(home.securityhub.v2.byFindingUid(FINDING_ARN)).toMatchObject({
      status_id: 2,
      status: 'In Progress',
    });
  });

  it('BatchUpdateFindingsV2 refuses both identifier kinds at once, a comment over 512, an unknown StatusId', async () => {
    const home = account(V2_ONLY);
    const id = { CloudAccountUid: MEMBER, FindingInfoUid: FINDING_ARN, MetadataProductUid: GD_PRODUCT_V2 };
    const send = (input: Record<string, unknown>) =>
      runInSandbox(home, () => client.send(new BatchUpdateFindingsV2Command(input as never)));
    for (const input of [
      { MetadataUids: [METADATA_UID], FindingIdentifiers: [id] },
      { FindingIdentifiers: [id], Comment: 'x'.repeat(513) },
      { FindingIdentifiers: [id], StatusId: 7 },
    ]) {
      await expect(send(input)).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await send({ FindingIdentifiers: [id], Comment: 'checked', StatusId: 4 });
    expect(home.securityhub.v2.byFindingUid(FINDING_ARN)).toMatchObject({ status_id: 4, comment: 'checked' });
  });

  it('answers per enablement: CSPM off → InvalidAccessException, V2 off → DescribeSecurityHubV2 not found', async () => {
    const off = account(NEITHER);
    await expect(runInSandbox(off, () => client.send(new GetFindingsCommand({})))).rejects.toMatchObject({
      name: 'InvalidAccessException',
      message: `Account ${ADMIN} is not subscribed to AWS Security Hub`,
      $metadata: { httpStatusCode: 401 },
    });
    await expect(
      runInSandbox(off, () => client.send(new DescribeSecurityHubV2Command({}))),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(runInSandbox(off, () => client.send(new GetFindingsV2Command({})))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const on = account(V2_ONLY);
    const hub = await runInSandbox(on, () => client.send(new DescribeSecurityHubV2Command({})));
    expect(hub.HubV2Arn).toMatch(/^arn:aws:securityhub:us-east-1:111122223333:hubv2\//);
  });
});

describe('sandbox state', () => {
  it('saves and restores both stores and the enablement; restores a state saved before V2 (an ASFF array)', () => {
    const home = account(BOTH, 3);
    const copy = new SandboxAccount({ accountId: ADMIN });
    copy.securityhub.restore(home.securityhub.snapshot());
    expect(copy.securityhub.enabled).toEqual(BOTH);
    expect(copy.securityhub.v2.byFindingUid(FINDING_ARN)?.status_id).toBe(3);
    expect(copy.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('NEW');

    const legacy = new SandboxAccount({ accountId: ADMIN });
    legacy.securityhub.restore([home.securityhub.finding(FINDING_ARN, GD_PRODUCT)]);
    expect(legacy.securityhub.finding(FINDING_ARN, GD_PRODUCT)).toBeDefined();
    expect(legacy.securityhub.enabled).toEqual(CSPM_ONLY);
    expect(legacy.securityhub.v2.snapshot()).toEqual([]);
  });
});

describe('updating both copies', () => {
  it('CSPM only: the CSPM copy NOTIFIED; Security Hub (OCSF) asked about and found not enabled', async () => {
    const home = account(CSPM_ONLY);
    const { result, calls } = await recordCalls(() =>
      runInSandbox(home, () => updateCopies(client, request())),
    );
    expect(result.copies.cspm).toMatchObject({ status: 'updated', held: 'NOTIFIED' });
    expect(result.copies.v2).toMatchObject({ status: 'not-enabled' });
    expect(decide(result.copies)).toBe('updated');
    expect(result.reached).toEqual({ cspm: { Id: FINDING_ARN, ProductArn: GD_PRODUCT } });
    // The two Security Hubs are asked at once: each one's calls in order, whichever answers first.
    const named = calls.map((c) => `${c.operation}${c.error ? `:${c.error}` : ''}`);
    expect(named.filter((c) => !/V2/.test(c))).toEqual(['GetFindings', 'BatchUpdateFindings']);
    expect(named.filter((c) => /V2/.test(c))).toEqual([
      'GetFindingsV2:AccessDeniedException',
      'DescribeSecurityHubV2:ResourceNotFoundException',
    ]);
  });

  it('V2 only: updates the OCSF copy by the metadata.uid GetFindingsV2 returned, In Progress, with the comment', async () => {
    const home = account(V2_ONLY);
    const { result, calls } = await recordCalls(() =>
      runInSandbox(home, () => updateCopies(client, request())),
    );
    expect(result.copies.cspm).toMatchObject({ status: 'not-enabled' });
    expect(result.copies.v2).toMatchObject({
      status: 'updated',
      held: 'In Progress (2)',
      target: METADATA_UID,
    });
    expect(result.reached).toEqual({ v2: { MetadataUid: METADATA_UID } });
    const update = calls.find((c) => c.operation === 'BatchUpdateFindingsV2');
    expect(update?.input).toMatchObject({ MetadataUids: [METADATA_UID], StatusId: 2 });
    expect(calls.map((c) => c.operation)).not.toContain('BatchUpdateFindings');
    const stored = home.securityhub.v2.byFindingUid(FINDING_ARN);
    expect(stored).toMatchObject({ status_id: 2, status: 'In Progress' });
    expect(stored?.comment).toContain('shield-right incident inc-1');
    expect(stored?.comment).toContain('task stopped');
  });

  it('both: each copy updated; a release resolves both (RESOLVED, Resolved 4)', async () => {
    const home = account(BOTH);
    const first = await runInSandbox(home, () => updateCopies(client, request()));
    expect(decide(first.copies)).toBe('updated');
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('NOTIFIED');
    expect(home.securityhub.v2.byFindingUid(FINDING_ARN)?.status_id).toBe(2);

    const release = await runInSandbox(home, () =>
      updateCopies(client, request({ incidentStatus: 'RELEASED', summary: 'released' }), first.reached),
    );
    expect(release.copies.cspm).toMatchObject({ status: 'updated', held: 'RESOLVED' });
    expect(release.copies.v2).toMatchObject({ status: 'updated', held: 'Resolved (4)' });
    expect(home.securityhub.finding(FINDING_ARN, GD_PRODUCT)?.Workflow.Status).toBe('RESOLVED');
    expect(home.securityhub.v2.byFindingUid(FINDING_ARN)?.status_id).toBe(4);
  });

  it('neither enabled: both "not enabled", nothing updated, nothing to retry', async () => {
    const home = account(NEITHER);
    const { result, calls } = await recordCalls(() =>
      runInSandbox(home, () => updateCopies(client, request())),
    );
    expect(result.copies).toEqual({
      cspm: expect.objectContaining({ status: 'not-enabled' }),
      v2: expect.objectContaining({ status: 'not-enabled' }),
    });
    expect(decide(result.copies)).toBe('not-in-use');
    expect(calls.filter((c) => c.operation.startsWith('BatchUpdate'))).toEqual([]);
  });

  it("forward only in V2: a person's Suppressed and a Resolved stay, the comment alone is updated", async () => {
    for (const held of [3, 4]) {
      const home = account(V2_ONLY, held);
      const { result, calls } = await recordCalls(() =>
        runInSandbox(home, () => updateCopies(client, request())),
      );
      expect(result.copies.v2).toMatchObject({ status: 'updated', kept: true });
      expect(calls.find((c) => c.operation === 'BatchUpdateFindingsV2')?.input).not.toHaveProperty(
        'StatusId',
      );
      expect(home.securityhub.v2.byFindingUid(FINDING_ARN)).toMatchObject({ status_id: held });
      expect(home.securityhub.v2.byFindingUid(FINDING_ARN)?.comment).toContain('inc-1');
    }
  });

  it('an unprocessed V2 finding is a refusal of that copy; the CSPM copy is still updated', async () => {
    const home = account(BOTH);
    jest.spyOn(home.securityhub.v2, 'batchUpdate').mockReturnValueOnce({
      ProcessedFindings: [],
      UnprocessedFindings: [
        { MetadataUid: METADATA_UID, ErrorCode: 'ConflictException', ErrorMessage: 'updated concurrently' },
      ],
    });
    const result = await runInSandbox(home, () => updateCopies(client, request()));
    expect(result.copies.v2).toMatchObject({
      status: 'failed',
      error: 'SecurityHubUpdateRefused',
      message: expect.stringContaining('ConflictException updated concurrently'),
    });
    expect(result.copies.cspm).toMatchObject({ status: 'updated' });
    expect(result.reached).toEqual({ cspm: { Id: FINDING_ARN, ProductArn: GD_PRODUCT } });
  });

  it('V2 enabled but GetFindingsV2 refused (IAM): a failure, never taken for "not enabled"', async () => {
    const home = account(V2_ONLY);
    jest.spyOn(home.securityhub.v2, 'getFindings').mockImplementationOnce(() => {
      throw new AwsError('AccessDeniedException', 'not authorized to perform securityhub:GetFindings', {
        statusCode: 403,
      });
    });
    const result = await runInSandbox(home, () => updateCopies(client, request()));
    expect(result.copies.v2).toMatchObject({ status: 'failed', error: 'AccessDeniedException' });
    expect(decide(result.copies)).toBe('failed');
  });

  it('a disabled Security Hub answering an empty list is still found not enabled (DescribeSecurityHubV2)', async () => {
    const neither = account({ cspm: false, v2: false, v2DisabledAnswer: 'empty' });
    const none = await runInSandbox(neither, () => updateCopies(client, request()));
    expect(none.copies.v2).toMatchObject({ status: 'not-enabled' });
    expect(decide(none.copies)).toBe('not-in-use');
    // CSPM enabled, not imported yet: looked up again later, whatever the disabled V2 answers.
    const later = account({ cspm: true, v2: false, v2DisabledAnswer: 'empty' });
    const missing = await runInSandbox(later, () =>
      updateCopies(client, request({ findingArn: `${FINDING_ARN}-later` })),
    );
    expect(missing.copies).toEqual({
      cspm: expect.objectContaining({ status: 'not-found' }),
      v2: expect.objectContaining({ status: 'not-enabled' }),
    });
    expect(decide(missing.copies)).toBe('retry');
  });
});
