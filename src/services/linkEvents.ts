import { createWebhookDispatcher } from '../webhooks/dispatch';
import type { ServiceContext } from './context';

/**
<<<<<<< HEAD
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

/**
 * Hands events committed by an API call (links, payouts, refunds) to the webhook task queue at once.
 * Only a head start: the outbox relay (src/webhooks/sweeper.ts) dispatches every committed event, these
 * too, and a pair is started once whoever gets there first. A failure is logged, not thrown: the change
 * itself has happened and the merchant gets its answer.
=======
 * Hands committed link events (recorded by src/webhooks/linkEvents in the change's transaction) to the
 * webhook dispatcher, as activities do for session events. A failure is logged, not thrown: the link
 * change itself has happened and the merchant gets its answer; the worker's dispatch sweeper hands the
 * events on shortly after (they stay marked undispatched).
>>>>>>> main
 */
export async function dispatchLinkEvents(ctx: ServiceContext, eventIds: string[]): Promise<void> {
  const dispatch = createWebhookDispatcher({
    db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.config.webhooks.taskQueue, timeoutMs: ctx.config.webhookTimeoutMs,
    log: ctx.log.child({ component: 'webhooks' }),
  });
  await dispatch(eventIds).catch((err) => ctx.log.warn({ err, eventIds }, 'link events recorded; webhook dispatch failed'));
}
