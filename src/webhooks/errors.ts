/**
 * Named errors of the webhook library. Callers branch on `instanceof` (or on `name`, which survives
 * Temporal's failure conversion), never on message text.
 */

/** A webhook secret that is not `whsec_` (or the legacy `wsec_`) followed by non-empty standard base64. */
export class InvalidWebhookSecretError extends Error {
  override readonly name = 'InvalidWebhookSecretError';
}

/** A webhook endpoint URL that must not be delivered to (bad scheme, or a private address in live mode). */
export class InvalidWebhookUrlError extends Error {
  override readonly name = 'InvalidWebhookUrlError';
}

/** The endpoint's host name could not be resolved to any address. */
export class WebhookDnsError extends Error {
  override readonly name = 'WebhookDnsError';
}

/** Arguments that can only come from a bug in the caller (bad timestamp, negative timeout, …). */
export class WebhookArgumentError extends Error {
  override readonly name = 'WebhookArgumentError';
}

/** An event envelope or payload that cannot be turned into the canonical JSON body. */
export class InvalidEventEnvelopeError extends Error {
  override readonly name = 'InvalidEventEnvelopeError';
}
