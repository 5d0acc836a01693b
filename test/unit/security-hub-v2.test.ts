/**
 * The pure Security Hub (OCSF) mapping (lambdas/core/security-hub-v2.ts; docs/aws-behaviours.md SH6, SH13,
 * SH14) and the decision over both copies (lambdas/core/security-hub-copies.ts): NOTIFIED → 2 In Progress,
 * RESOLVED → 4 Resolved, never 3 Suppressed, forward only; the identifier is the one Security Hub returned.
 */

import { noteText } from '../../lambdas/core/security-hub';
import { type Copies, decide, describeCopies, missingFrom } from '../../lambdas/core/security-hub-copies';
import {
  COMMENT_MAX,
  findingRefOf,
  lookupFilter,
  OCSF_STATUS,
  ocsfIdentity,
  refFilter,
  statusCaption,
  statusIdChange,
  targetStatusId,
} from '../../lambdas/core/security-hub-v2';

const ARN = 'arn:aws:guardduty:us-east-1:222233334444:detector/d1/finding/f1';

describe('OCSF status mapping', () => {
  it('asks for In Progress (2) after a response and Resolved (4) once the incident is released', () => {
    expect(targetStatusId(undefined)).toBe(2);
    expect(targetStatusId('CONTAINED')).toBe(2);
    expect(targetStatusId('RELEASED')).toBe(4);
    expect(targetStatusId('RESOLVED')).toBe(4);
  });

  it('moves forward only: New/Unknown/no status → In Progress → Resolved', () => {
    expect(statusIdChange(undefined, 2)).toBe(2);
    expect(statusIdChange(OCSF_STATUS.UNKNOWN, 2)).toBe(2);
    expect(statusIdChange(OCSF_STATUS.NEW, 2)).toBe(2);
    expect(statusIdChange(OCSF_STATUS.NEW, 4)).toBe(4);
    expect(statusIdChange(OCSF_STATUS.IN_PROGRESS, 4)).toBe(4);
    // Already there, or further on: comment only.
    expect(statusIdChange(OCSF_STATUS.IN_PROGRESS, 2)).toBeUndefined();
    expect(statusIdChange(OCSF_STATUS.RESOLVED, 2)).toBeUndefined();
    expect(statusIdChange(OCSF_STATUS.RESOLVED, 4)).toBeUndefined();
  });

  it('never moves a status a person or the provider set: Suppressed, Archived, Deleted, Other', () => {
    for (const held of [3, 5, 6, 99]) {
      expect(statusIdChange(held, 2)).toBeUndefined();
      expect(statusIdChange(held, 4)).toBeUndefined();
    }
  });

  it('never produces Suppressed (3), whatever it is asked from', () => {
    const produced = [undefined, 0, 1, 2, 3, 4, 5, 6, 99].flatMap((held) =>
      ([2, 4] as const).map((target) => statusIdChange(held, target)),
    );
    expect(produced).not.toContain(3);
  });

  it('names statuses by their OCSF captions for the incident record', () => {
    expect(statusCaption(2)).toBe('In Progress (2)');
    expect(statusCaption(4)).toBe('Resolved (4)');
    expect(statusCaption(undefined)).toBe('no status');
  });

  it('keeps the comment within the 512 characters BatchUpdateFindingsV2 takes', () => {
    const text = noteText({ incidentId: 'inc-1', summary: 'é'.repeat(2000) }, COMMENT_MAX);
    expect(Array.from(text)).toHaveLength(COMMENT_MAX);
  });
});

describe('the finding Security Hub returned', () => {
  const doc = {
    metadata: { uid: 'meta-1', product: { uid: 'prod-1', name: 'GuardDuty' } },
    finding_info: { uid: ARN },
    cloud: { account: { uid: '222233334444' } },
    status_id: 2,
  };

  it('reads the identifying uids and the status; absent or malformed fields stay absent', () => {
    expect(ocsfIdentity(doc)).toEqual({
      metadataUid: 'meta-1',
      findingInfoUid: ARN,
      productUid: 'prod-1',
      accountUid: '222233334444',
      statusId: 2,
    });
    expect(ocsfIdentity({ metadata: { uid: ' ' }, status_id: '2' })).toEqual({});
    expect(ocsfIdentity('not a document')).toEqual({});
  });

  it('updates by metadata.uid when there is one, else by the three uids, else not at all', () => {
    expect(findingRefOf(ocsfIdentity(doc))).toEqual({ MetadataUid: 'meta-1' });
    const { metadata: _m, ...rest } = doc;
    expect(findingRefOf(ocsfIdentity({ ...rest, metadata: { product: { uid: 'prod-1' } } }))).toEqual({
      FindingIdentifier: {
        CloudAccountUid: '222233334444',
        FindingInfoUid: ARN,
        MetadataProductUid: 'prod-1',
      },
    });
    expect(findingRefOf(ocsfIdentity({ finding_info: { uid: ARN } }))).toBeUndefined();
  });

  it('looks the finding up by its ARN in finding_info.uid or metadata.uid, or its bare id, AND the account', () => {
    expect(lookupFilter(ARN, '222233334444')).toEqual({
      CompositeFilters: [
        {
          StringFilters: [
            { FieldName: 'finding_info.uid', Filter: { Value: ARN, Comparison: 'EQUALS' } },
            { FieldName: 'metadata.uid', Filter: { Value: ARN, Comparison: 'EQUALS' } },
            {
              FieldName: 'finding_info.uid',
              Filter: { Value: ARN.slice(ARN.lastIndexOf('/') + 1), Comparison: 'EQUALS' },
            },
          ],
          Operator: 'OR',
        },
        {
          StringFilters: [
            { FieldName: 'cloud.account.uid', Filter: { Value: '222233334444', Comparison: 'EQUALS' } },
          ],
          Operator: 'AND',
        },
      ],
      CompositeOperator: 'AND',
    });
  });

  it('finds a reached finding again by the identifier recorded, nothing else', () => {
    expect(refFilter({ MetadataUid: 'meta-1' }).CompositeFilters).toEqual([
      {
        StringFilters: [{ FieldName: 'metadata.uid', Filter: { Value: 'meta-1', Comparison: 'EQUALS' } }],
        Operator: 'AND',
      },
    ]);
    const fields = refFilter({
      FindingIdentifier: { CloudAccountUid: '1', FindingInfoUid: ARN, MetadataProductUid: 'p' },
    }).CompositeFilters.flatMap((c) => c.StringFilters.map((f) => f.FieldName));
    expect(fields).toEqual(['finding_info.uid', 'cloud.account.uid', 'metadata.product.uid']);
  });
});

describe('both copies', () => {
  const updated = { status: 'updated', held: 'NOTIFIED', kept: false, target: ARN } as const;
  const notFound = { status: 'not-found', message: 'not yet' } as const;
  const off = { status: 'not-enabled', reason: 'InvalidAccessException' } as const;
  const failed = { status: 'failed', error: 'AccessDeniedException', message: 'no' } as const;
  const cases: Array<[string, Copies, ReturnType<typeof decide>]> = [
    ['CSPM only, updated', { cspm: updated, v2: off }, 'updated'],
    ['V2 only, updated', { cspm: off, v2: updated }, 'updated'],
    ['one updated, the other not imported yet: no retry', { cspm: updated, v2: notFound }, 'updated'],
    ['one updated, the other refused', { cspm: failed, v2: updated }, 'updated'],
    ['refused, the other not enabled', { cspm: failed, v2: off }, 'failed'],
    ['refused, the other not imported yet: retried', { cspm: failed, v2: notFound }, 'retry'],
    ['V2 refused, CSPM not imported yet: retried', { cspm: notFound, v2: failed }, 'retry'],
    ['enabled but not imported yet: retried', { cspm: notFound, v2: off }, 'retry'],
    ['neither enabled: not retried', { cspm: off, v2: off }, 'not-in-use'],
  ];

  it.each(cases)('%s', (_name, copies, decision) => {
    expect(decide(copies)).toBe(decision);
  });

  it('records the status held in each copy, or why it was not updated', () => {
    const at = '2026-12-03T00:00:00.000Z';
    expect(
      describeCopies({ cspm: updated, v2: { ...updated, held: 'In Progress (2)', target: 'meta-1' } }, at),
    ).toBe(
      `updated: Security Hub CSPM NOTIFIED · ${ARN} | Security Hub (OCSF) In Progress (2) · meta-1 · ${at}`,
    );
    expect(describeCopies({ cspm: { ...updated, kept: true }, v2: off }, at)).toBe(
      `updated: Security Hub CSPM NOTIFIED (status kept, note updated) · ${ARN} | Security Hub (OCSF) not enabled · ${at}`,
    );
    expect(describeCopies({ cspm: failed, v2: off }, at)).toBe(
      `failed: Security Hub CSPM AccessDeniedException: no | Security Hub (OCSF) not enabled · ${at}`,
    );
    expect(describeCopies({ cspm: off, v2: off }, at)).toMatch(
      /^not updated: neither Security Hub CSPM nor Security Hub is enabled in this account and Region: /,
    );
    expect(missingFrom({ cspm: notFound, v2: notFound })).toBe('Security Hub CSPM and Security Hub (OCSF)');
  });
});
