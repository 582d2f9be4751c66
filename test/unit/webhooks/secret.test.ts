import fc from 'fast-check';
import {
  generateWebhookSecret,
  InvalidWebhookSecretError,
  secretForStandardWebhooks,
  secretKeyBytes,
} from '../../../src/webhooks';

describe('generateWebhookSecret', () => {
  it('is wsec_ + standard base64 of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^wsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKeyBytes(secret)).toHaveLength(24);
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateWebhookSecret));
    expect(secrets.size).toBe(200);
  });
});

describe('secretKeyBytes', () => {
  it('decodes exactly the base64 after the prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (key) => {
        const secret = `wsec_${Buffer.from(key).toString('base64')}`;
        expect(Buffer.compare(secretKeyBytes(secret), Buffer.from(key))).toBe(0);
        expect(secretForStandardWebhooks(secret)).toBe(Buffer.from(key).toString('base64'));
      }),
    );
  });

  it.each([
    ['no prefix', 'c2VjcmV0c2VjcmV0'],
    ['another prefix', 'whsec_c2VjcmV0c2VjcmV0'],
    ['empty key', 'wsec_'],
    ['url-safe alphabet', 'wsec_ab-_cd=='],
    ['bad padding', 'wsec_abc'],
    ['spaces', 'wsec_abcd efgh'],
  ])('rejects %s', (_label, secret) => {
    expect(() => secretKeyBytes(secret)).toThrow(InvalidWebhookSecretError);
  });
});
