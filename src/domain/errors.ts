/**
 * What went wrong, in the business's words (Medusa's `MedusaError.Types`). Services and everything below
 * them throw these, never HTTP statuses; the edge maps each kind to a status once (`src/api/errors.ts`),
 * so the worker and the CLI can call the same services.
 */
export const ERROR_KINDS = [
  /** The input breaks a rule (a field, a combination, a state it cannot apply to). HTTP 400. */
  'invalid_data',
  /** No such object, or not in the caller's account and mode. HTTP 404. */
  'not_found',
  /** The caller may not do this. HTTP 403. */
  'not_allowed',
  /** The request collides with another one for the same object. HTTP 409. */
  'conflict',
  /** The object exists but can no longer be used (a deactivated link). HTTP 410. */
  'gone',
  /** The balance cannot cover amount + fee limit; nothing was reserved. HTTP 400. */
  'insufficient_funds',
  /** A dependency (rate source, workflow service) is down or slow; retrying the same request is safe. HTTP 503. */
  'unavailable',
  /** A capacity limit of the object is reached for now (a payment link's open sessions). HTTP 429 + Retry-After. */
  'busy',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A business error: a kind, a message for the caller, the field it concerns and a machine-readable code where one is defined. */
export class CheckoutError extends Error {
  override readonly name = 'CheckoutError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The request field at fault (`transfers[0].percentage`), when one is. */
    readonly param?: string,
    /** A machine-readable reason where one is defined (`insufficient_funds`). */
    readonly code?: string,
  ) {
    super(message);
  }

  /**
   * A well-formed request the object's current state refuses (deactivating what is already deactivated
   * or paid, canceling a refund being paid): a `conflict` (HTTP 409) with code `unexpected_state`.
   * Stripe answers these with a 400 and a `…_unexpected_state` code; a 409 (RFC 9110: a conflict with
   * the current state of the target resource) says the request itself was right, which clients and
   * fuzzers (schemathesis) tell apart from a malformed one. The code is the same either way.
   */
  static unexpectedState(message: string, param?: string): CheckoutError {
    return new CheckoutError('conflict', message, param, 'unexpected_state');
  }

  /** A create whose unique field names an object that already exists (a user's email): a 409 `resource_already_exists`. */
  static alreadyExists(message: string, param: string): CheckoutError {
    return new CheckoutError('conflict', message, param, 'resource_already_exists');
  }

  /** Whether `err` is an `unexpectedState` refusal. */
  static isUnexpectedState(err: unknown): boolean {
    return err instanceof CheckoutError && err.kind === 'conflict' && err.code === 'unexpected_state';
  }

  /** "No such checkout session: 'cs_…'" on `id`. */
  static notFound(what: string, id: string): CheckoutError {
    return new CheckoutError('not_found', `No such ${what}: '${id}'`, 'id');
  }
}

/** A `busy` refusal that says when to come back. */
export class BusyError extends CheckoutError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super('busy', message);
  }
}
