import { recordEventForDispatch } from '../db/events';
import type { DbOrTx } from '../db/knex';
import { findLink, type LinkRow } from '../db/links';
import { findSession, findSessionWithFunded } from '../db/sessions';
import { linkView } from '../views/link';

/**
 * The link as the API shows it; a checkout link reads its session for its status and payments. Given a
 * transaction, it reads inside it (an event's `data.object` shows the change it describes).
 */
export async function readLinkView(db: DbOrTx, row: LinkRow, publicUrl: string) {
  if (row.kind === 'payment' || !row.checkout_session_id) return linkView(row, publicUrl);
  const found = await findSessionWithFunded(db, row.checkout_session_id);
  return linkView(row, publicUrl, found?.row, found?.funded);
}

/**
 * Records `checkout_link.{action}` / `payment_link.{action}` once per link and action (the dedupe key),
 * in the caller's transaction, so the event exists exactly when the change it describes does. Returns
 * its ID for the dispatcher, or null when its account has no endpoint (nothing to dispatch).
 */
export async function recordLinkEvent(
  tx: DbOrTx, publicUrl: string, kind: LinkRow['kind'], linkId: string, action: 'created' | 'deactivated' | 'paid', now: number,
): Promise<string | null> {
  const row = (await findLink(tx, kind, linkId))!;
  return recordEventForDispatch(tx, {
    dedupeKey: `${linkId}:${action}`, accountId: row.account_id, livemode: row.livemode, type: `${kind}_link.${action}`,
    objectId: linkId, data: { object: await readLinkView(tx, row, publicUrl) }, created: now,
  });
}

/**
 * `checkout_link.paid` for a session that just became paid, if a checkout link opened it; null
 * otherwise. Meant for the transaction that records `checkout_session.paid` (activities/readModel).
 */
export async function recordCheckoutLinkPaid(
  tx: DbOrTx, sessionId: string, publicUrl: string, now: number, knownLinkId?: string | null,
): Promise<string | null> {
  // The caller may have read the session's row in this transaction already (its link never changes).
  const linkId = knownLinkId !== undefined ? knownLinkId : (await findSession(tx, sessionId))?.link_id;
  if (!linkId?.startsWith('clink_')) return null;
  return recordLinkEvent(tx, publicUrl, 'checkout', linkId, 'paid', now);
}
