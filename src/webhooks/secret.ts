/**
 * Endpoint secrets. Format `wsec_<base64 of 24 random bytes>`; as in Standard Webhooks, the HMAC key is
 * the base64-decoded part after the prefix (receivers using the `standardwebhooks` library pass that
 * part, or `whsec_` + that part, to `new Webhook(…)`).
 */
import { randomBytes } from 'node:crypto';
import { InvalidWebhookSecretError } from './errors';

/** Prefix of every webhook endpoint secret. */
export const WEBHOOK_SECRET_PREFIX = 'wsec_';

/** Number of random bytes in a generated secret (192 bits, same as Svix/Standard Webhooks defaults). */
export const WEBHOOK_SECRET_BYTES = 24;

// Strict standard base64 (with padding): rejects URL-safe alphabets and stray characters, so a secret
// that a receiver's library would decode differently never gets used for signing.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Creates a new endpoint secret: `wsec_` + base64 of 24 cryptographically random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64');
}

/** Returns the HMAC key bytes of a `wsec_…` secret; throws `InvalidWebhookSecretError` if malformed. */
export function secretKeyBytes(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new InvalidWebhookSecretError(`webhook secret must start with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new InvalidWebhookSecretError('webhook secret must be non-empty standard base64 after the prefix');
  }
  return Buffer.from(encoded, 'base64');
}

/** The part after `wsec_`: what a `standardwebhooks` receiver passes to `new Webhook(…)`. */
export function secretForStandardWebhooks(secret: string): string {
  secretKeyBytes(secret); // validates
  return secret.slice(WEBHOOK_SECRET_PREFIX.length);
}
