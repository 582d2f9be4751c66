import type { DbOrTx } from '../src/db/knex';
import { recordEventForDispatch } from '../src/db/events';
import { findPayment, writePaymentStates } from '../src/db/payments';
import { findSessionWithFunded, writeSessionState } from '../src/db/sessions';
import type { EventIntent, SessionState } from '../src/domain/session';
import { targetAmountDue } from '../src/domain/transitions';
import { toTargetSats } from '../src/rates';
import { recordCheckoutLinkPaid } from '../src/services/linkEvents';
import { checkoutSessionView } from '../src/views/checkoutSession';
import { paymentView } from '../src/views/payment';

/** The API object an event is about, read inside the same transaction that changed it. */
export async function eventObject(tx: DbOrTx, type: string, objectId: string, publicUrl: string): Promise<unknown> {
  if (type.startsWith('payment.')) {
    const payment = await findPayment(tx, objectId);
    return payment ? paymentView(payment) : { id: objectId };
  }
  const found = await findSessionWithFunded(tx, objectId);
  return found ? checkoutSessionView(found.row, found.funded, publicUrl) : { id: objectId };
}

/**
 * Writes the workflow's state into the read model and records its events, in the caller's
 * transaction (an outbox: the events exist exactly when the state they describe does).
 * Returns the IDs of events recorded by this call that the webhook dispatcher must see (none for an
 * account without endpoints).
 */
export async function writeStateAndEvents(
  tx: DbOrTx, state: SessionState, events: EventIntent[], publicUrl: string, now: number,
): Promise<string[]> {
  // The session row is version-guarded (and locked by this update until commit); its payments are
  // written only when it advanced, so a late attempt never takes a `paid` payment back to `unpaid`.
  if (await writeSessionState(tx, state, targetAmountDue(state, toTargetSats), now)) await writePaymentStates(tx, state, now);
  const recorded: string[] = [];
  for (const e of events) {
    const id = await recordEventForDispatch(tx, {
      dedupeKey: `${state.id}:${state.version}:${e.type}:${e.objectId}`,
      accountId: state.accountId, livemode: state.livemode, type: e.type, objectId: e.objectId,
      data: { object: await eventObject(tx, e.type, e.objectId, publicUrl) }, created: now,
    });
    if (id) recorded.push(id);
  }
  // A session opened by a checkout link pays the link too (`checkout_link.paid`), in the same transaction.
  if (events.some((e) => e.type === 'checkout_session.paid')) {
    const linkEvent = await recordCheckoutLinkPaid(tx, state.id, publicUrl, now);
    if (linkEvent) recorded.push(linkEvent);
  }
  return recorded;
}
