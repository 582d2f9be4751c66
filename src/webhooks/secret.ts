/**
 * Endpoint secrets, in the Standard Webhooks format: `whsec_<base64 of 24 random bytes>`, the HMAC key
 * being the base64-decoded part after the prefix. The stock `standardwebhooks` libraries (npm, PyPI,
 * …) take the secret exactly as the API returns it. Secrets issued before this format carry `wsec_`
 * with the same base64 key: they still sign, and `secretForStandardWebhooks` gives their standard form.
 */
import { randomBytes } from 'node:crypto';
import { InvalidWebhookSecretError } from './errors';

/** Prefix of every webhook endpoint secret issued now (Standard Webhooks'). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Prefix of the secrets issued before: accepted for signing, never issued. */
export const LEGACY_WEBHOOK_SECRET_PREFIX = 'wsec_';

/** Number of random bytes in a generated secret (192 bits, same as Svix/Standard Webhooks defaults). */
export const WEBHOOK_SECRET_BYTES = 24;

/**
 * How long a rotated-out secret keeps signing beside the new one (as Stripe's "roll secret"): every
 * delivery in that window carries both signatures, so receivers can switch without losing any.
 */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

// Strict standard base64 (with padding): rejects URL-safe alphabets and stray characters, so a secret
// that a receiver's library would decode differently never gets used for signing.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Creates a new endpoint secret: `whsec_` + base64 of 24 cryptographically random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64');
}

/** The base64 key part of a `whsec_…` (or legacy `wsec_…`) secret; throws `InvalidWebhookSecretError` if malformed. */
function keyPart(secret: string): string {
  const prefix = typeof secret !== 'string' ? undefined
    : [WEBHOOK_SECRET_PREFIX, LEGACY_WEBHOOK_SECRET_PREFIX].find((p) => secret.startsWith(p));
  if (prefix === undefined) throw new InvalidWebhookSecretError(`webhook secret must start with "${WEBHOOK_SECRET_PREFIX}"`);
  const encoded = secret.slice(prefix.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new InvalidWebhookSecretError('webhook secret must be non-empty standard base64 after the prefix');
  }
  return encoded;
}

/** Returns the HMAC key bytes of a secret; throws `InvalidWebhookSecretError` if malformed. */
export function secretKeyBytes(secret: string): Buffer {
  return Buffer.from(keyPart(secret), 'base64');
}

/** The secret as a `standardwebhooks` receiver passes it to `new Webhook(…)`: `whsec_…` (a legacy `wsec_` one rewritten). */
export function secretForStandardWebhooks(secret: string): string {
  return WEBHOOK_SECRET_PREFIX + keyPart(secret);
}

/** The secrets that sign a delivery at `now`: the endpoint's, then a rotated-out one still within its overlap. */
export function signingSecrets(
  endpoint: { secret: string; previous_secret?: string | null; previous_secret_expires?: string | number | null }, now: number,
): string[] {
  const { previous_secret: previous, previous_secret_expires: expires } = endpoint;
  return previous && expires !== null && expires !== undefined && Number(expires) > now ? [endpoint.secret, previous] : [endpoint.secret];
}
