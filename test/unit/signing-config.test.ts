import { parseConfig } from '../../definitions/config';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';

describe('signing configuration (issue 15)', () => {
  it('revokeOnQuarantine defaults to false and trustedRootFingerprints to empty (the built-in root)', () => {
    const { signing } = parseConfig({});
    expect(signing.revokeOnQuarantine).toBe(false);
    expect(signing.trustedRootFingerprints).toEqual([]);
  });

  it('accepts SHA-256 fingerprints in hex or colon-separated form, and refuses anything else', () => {
    const hex = 'ab'.repeat(32);
    const colons = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(
      parseConfig({ signing: { trustedRootFingerprints: [hex, colons] } }).signing.trustedRootFingerprints,
    ).toEqual([hex, colons]);
    expect(() => parseConfig({ signing: { trustedRootFingerprints: ['ab'.repeat(20)] } })).toThrow(
      /signing\.trustedRootFingerprints/,
    );
  });

  it('refuses revokeOnQuarantine without a trusted profile', () => {
    expect(() => parseConfig({ signing: { revokeOnQuarantine: true } })).toThrow(/revokeOnQuarantine/);
    expect(
      parseConfig({ signing: { revokeOnQuarantine: true, trustedProfiles: [TRUSTED] } }).signing,
    ).toMatchObject({
      revokeOnQuarantine: true,
    });
  });
});
