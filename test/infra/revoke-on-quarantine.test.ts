/**
 * signing.revokeOnQuarantine, least privilege (issue 15): signer:RevokeSignature is granted to the quarantine
 * function only when the setting is true, on the signing jobs of the trusted profiles' accounts and Regions
 * (a job ARN names no profile), with the signature reads it needs; never by default, never to the verifier.
 */

import { signingJobResources } from '../../cdk/constructs/function-permissions';
import { parseConfig } from '../../definitions/config';
import { expectedFunctionActions } from './expected-permissions';
import { actionsOf, asList, logicalId, type Statement, statementsOfRole, synthesize } from './helpers';
import { unnarrowedGrants } from './iam-narrowing';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const OTHER = 'arn:aws:signer:eu-west-1:444455556666:/signing-profiles/platform/AbCdEf1234';

function quarantineStatements(config: ReturnType<typeof parseConfig>): Statement[] {
  const { shieldRight, template } = synthesize({ config });
  const role = shieldRight.functions.functions.quarantine.role;
  if (!role) throw new Error('quarantine has no role');
  return statementsOfRole(template, logicalId(role));
}

describe('signer:RevokeSignature', () => {
  it('is absent by default, from every role', () => {
    const { template } = synthesize({ config: parseConfig({ signing: { trustedProfiles: [TRUSTED] } }) });
    expect(JSON.stringify(template.toJSON())).not.toContain('signer:RevokeSignature');
  });

  it('is granted to the quarantine function only when revokeOnQuarantine is true, scoped to the trusted profiles’ jobs', () => {
    const config = parseConfig({ signing: { trustedProfiles: [TRUSTED, OTHER], revokeOnQuarantine: true } });
    const statements = quarantineStatements(config);
    expect(actionsOf(statements)).toEqual(
      expectedFunctionActions('quarantine', { revokeOnQuarantine: true }),
    );
    const revoke = statements.filter((s) => asList(s.Action).includes('signer:RevokeSignature'));
    expect(revoke).toHaveLength(1);
    expect(asList(revoke[0]?.Resource).sort()).toEqual([
      'arn:aws:signer:eu-west-1:444455556666:/signing-jobs/*',
      'arn:aws:signer:us-east-1:111122223333:/signing-jobs/*',
    ]);
    // The reads revocation needs: the digest's signatures (ECR) and their revocation status (Signer).
    const reads = statements.filter((s) => asList(s.Action).includes('ecr:ListImageReferrers'));
    expect(JSON.stringify(reads)).toContain(':repository/*');
    // The verifier never revokes, even with the setting on.
    const { shieldRight, template } = synthesize({
      config: parseConfig({
        signing: { mode: 'enforce', trustedProfiles: [TRUSTED], revokeOnQuarantine: true },
      }),
    });
    const verifier = shieldRight.functions.functions.verifyImages.role;
    if (!verifier) throw new Error('verifyImages has no role');
    expect(actionsOf(statementsOfRole(template, logicalId(verifier)))).not.toContain(
      'signer:RevokeSignature',
    );
  });

  it('cannot be enabled without a trusted profile (nothing would be revoked, nothing is granted)', () => {
    expect(() => parseConfig({ signing: { revokeOnQuarantine: true } })).toThrow(
      /signing\.trustedProfiles: expected at least one signing profile ARN when signing\.revokeOnQuarantine is true/,
    );
    expect(signingJobResources([])).toEqual([]);
  });

  it('is the only grant IAM cannot narrow further when enabled, and only because a job ARN names no profile', () => {
    const { template } = synthesize({
      config: parseConfig({
        protectedClusters: ['prod'],
        signing: { trustedProfiles: [TRUSTED], revokeOnQuarantine: true },
      }),
    });
    expect(unnarrowedGrants(template).map((o) => `${o.action} ${o.resource}`)).toEqual([
      'signer:RevokeSignature arn:aws:signer:us-east-1:111122223333:/signing-jobs/*',
    ]);
    expect(
      unnarrowedGrants(template, {
        'signer:RevokeSignature signing-jobs':
          'the signing-job ARN names no profile; the code revokes only jobs of trusted profiles',
      }),
    ).toEqual([]);
  });
});
