import { CheckoutError } from '../domain/errors';

/** The most metadata keys a session keeps (SPEC §4), counted after an update's merge. */
export const MAX_METADATA_KEYS = 50;

/** A validated `POST /checkout-sessions/{id}` body. */
export type SessionFieldsPatch = Record<string, unknown> & { metadata?: Record<string, unknown> | null };

/**
 * The definition fields an update writes, given the session's current definition (Speed's and
 * Stripe's update semantics):
 * - a field set to `""` is cleared (stored as `null`); a field left out is kept (the API refuses `null`).
 * - `metadata` merges key by key: a key set to `""` is removed, others are added or replaced. An
 *   emptied object reads as `null`.
 * - `success_url` and `success_message` stay mutually exclusive: setting one clears the other, and
 *   setting both in one request is a 400.
 */
export function sessionUpdate(current: Record<string, unknown>, patch: SessionFieldsPatch): Record<string, unknown> {
  if (patch.success_url && patch.success_message) {
    throw new CheckoutError('invalid_data', 'Give either success_url or success_message, not both.', 'success_message');
  }
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === '' ? null : v]));
  if (patch.success_url) out.success_message = null;
  if (patch.success_message) out.success_url = null;
  if (patch.metadata !== undefined && patch.metadata !== null) {
    const merged: Record<string, unknown> = { ...((current.metadata as Record<string, unknown> | null) ?? {}) };
    for (const [key, value] of Object.entries(patch.metadata)) {
      if (value === null || value === '') delete merged[key];
      else merged[key] = value;
    }
    if (Object.keys(merged).length > MAX_METADATA_KEYS) {
      throw new CheckoutError('invalid_data', `metadata can hold at most ${MAX_METADATA_KEYS} keys after the update.`, 'metadata');
    }
    out.metadata = Object.keys(merged).length ? merged : null;
  }
  return out;
}
