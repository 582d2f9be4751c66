import fc from 'fast-check';
import {
  generateWebhookSecret,
  InvalidWebhookSecretError,
  secretForStandardWebhooks,
  secretKeyBytes,
  signingSecrets,
  WEBHOOK_SECRET_OVERLAP_MS,
} from '../../../src/webhooks';

describe('generateWebhookSecret', () => {
  it('is whsec_ (Standard Webhooks) + standard base64 of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKeyBytes(secret)).toHaveLength(24);
    expect(secretForStandardWebhooks(secret)).toBe(secret);
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateWebhookSecret));
    expect(secrets.size).toBe(200);
  });
});

describe('secretKeyBytes', () => {
  it('decodes exactly the base64 after the prefix, whsec_ or the legacy wsec_', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (key) => {
        const encoded = Buffer.from(key).toString('base64');
        for (const secret of [`whsec_${encoded}`, `wsec_${encoded}`]) {
          expect(Buffer.compare(secretKeyBytes(secret), Buffer.from(key))).toBe(0);
          expect(secretForStandardWebhooks(secret)).toBe(`whsec_${encoded}`);
        }
      }),
    );
  });

  it.each([
    ['no prefix', 'c2VjcmV0c2VjcmV0'],
    ['another prefix', 'sk_c2VjcmV0c2VjcmV0'],
    ['empty key', 'whsec_'],
    ['empty legacy key', 'wsec_'],
    ['url-safe alphabet', 'whsec_ab-_cd=='],
    ['bad padding', 'whsec_abc'],
    ['spaces', 'wsec_abcd efgh'],
  ])('rejects %s', (_label, secret) => {
    expect(() => secretKeyBytes(secret)).toThrow(InvalidWebhookSecretError);
  });
});

describe('signingSecrets', () => {
  const rotatedAt = 1_700_000_000_000;
  const endpoint = { secret: 'whsec_bmV3', previous_secret: 'wsec_b2xk', previous_secret_expires: String(rotatedAt + WEBHOOK_SECRET_OVERLAP_MS) };

  it('signs with the new and the rolled-out secret for 24 hours after a rotation, then with the new one alone', () => {
    expect(WEBHOOK_SECRET_OVERLAP_MS).toBe(24 * 60 * 60 * 1000);
    expect(signingSecrets(endpoint, rotatedAt)).toEqual(['whsec_bmV3', 'wsec_b2xk']);
    expect(signingSecrets(endpoint, rotatedAt + WEBHOOK_SECRET_OVERLAP_MS - 1)).toEqual(['whsec_bmV3', 'wsec_b2xk']);
    expect(signingSecrets(endpoint, rotatedAt + WEBHOOK_SECRET_OVERLAP_MS)).toEqual(['whsec_bmV3']);
  });

  it('signs with the one secret of an endpoint never rotated', () => {
    expect(signingSecrets({ secret: 'whsec_bmV3', previous_secret: null, previous_secret_expires: null }, rotatedAt)).toEqual(['whsec_bmV3']);
  });
});
