import type { DbOrTx } from '../src/db/knex';
import { recordEventsForDispatch, type EventToRecord } from '../src/db/events';
import { findPayment, writePaymentStates, type PaymentRow } from '../src/db/payments';
import { incrementCounter } from '../src/db/metricCounters';
import { findSessionWithFunded, withFunded, writeSessionState, type SessionRow } from '../src/db/sessions';
import type { EventIntent, SessionState } from '../src/domain/session';
import { targetAmountDue } from '../src/domain/transitions';
import { toTargetSats } from '../src/rates';
import { recordCheckoutLinkPaid } from '../src/webhooks/linkEvents';
import { checkoutSessionView } from '../src/views/checkoutSession';
import { paymentView } from '../src/views/payment';
import { storeRenderedSessionView } from '../src/views/storedSessionView';

/** The API object an event is about, read inside the same transaction that changed it. */
export async function eventObject(tx: DbOrTx, type: string, objectId: string, publicUrl: string): Promise<unknown> {
  if (type.startsWith('payment.')) {
    const payment = await findPayment(tx, objectId);
    return payment ? paymentView(payment) : { id: objectId };
  }
  const found = await findSessionWithFunded(tx, objectId);
  return found ? checkoutSessionView(found.row, found.funded, publicUrl) : { id: objectId };
}

/** What the caller of `writeStateAndEvents` already holds, so it is not read or written again. */
export interface MirrorOptions {
  /** Payment rows inserted in this transaction exactly as the state has them: no mirror write, no read for their events. */
  freshPayments?: PaymentRow[];
  /** Events recorded before the transition's, in the same statement (a new session's `created`). */
  precedingEvents?: EventToRecord[];
}

/**
 * Writes the workflow's state into the read model and records its events, in the caller's
 * transaction (an outbox: the events exist exactly when the state they describe does).
 * Returns the IDs of events recorded by this call that the webhook dispatcher must see (none for an
 * account without endpoints).
 */
export async function writeStateAndEvents(
  tx: DbOrTx, state: SessionState, events: EventIntent[], publicUrl: string, now: number, opts: MirrorOptions = {},
): Promise<string[]> {
  const fresh = new Map((opts.freshPayments ?? []).map((row) => [row.id, row]));
  // Rows as this transaction wrote them: an event about one needs no read.
  const written = new Map(fresh);
  // The session row is version-guarded (and locked by this update until commit); its payments are
  // written only when it advanced, so a late attempt never takes a `paid` payment back to `unpaid`.
  let session = await writeSessionState(tx, state, targetAmountDue(state, toTargetSats), now);
  // The session as this transaction wrote it, with its funded payments: the stored object and the events' object.
  let mirrored: { row: SessionRow; funded: PaymentRow[] } | undefined;
  if (session) {
    const payments = await writePaymentStates(tx, fresh.size === 0 ? state : { ...state, payments: state.payments.filter((p) => !fresh.has(p.id)) }, now);
    for (const row of payments) written.set(row.id, row);
    await countTransitions(tx, state, events);
    // Rendered after the last write to the row and its payments, while the row is locked (migration 161).
    mirrored = await withFunded(tx, session);
    await storeRenderedSessionView(tx, mirrored.row, mirrored.funded);
  }
  // One read per object: the events of one transition all describe the same state of it.
  const objects = new Map<string, unknown>();
  const objectOf = async (e: EventIntent): Promise<unknown> => {
    if (objects.has(e.objectId)) return objects.get(e.objectId);
    let object: unknown;
    if (e.type.startsWith('payment.')) {
      const payment = written.get(e.objectId) ?? await findPayment(tx, e.objectId);
      object = payment ? paymentView(payment) : { id: e.objectId };
    } else {
      const found = mirrored?.row.id === e.objectId ? mirrored
        : session?.id === e.objectId ? await withFunded(tx, session) : await findSessionWithFunded(tx, e.objectId);
      session = found?.row ?? session;
      object = found ? checkoutSessionView(found.row, found.funded, publicUrl) : { id: e.objectId };
    }
    objects.set(e.objectId, object);
    return object;
  };
  const toRecord: EventToRecord[] = [...opts.precedingEvents ?? []];
  for (const e of events) {
    toRecord.push({
      dedupeKey: `${state.id}:${state.version}:${e.type}:${e.objectId}`,
      accountId: state.accountId, livemode: state.livemode, type: e.type, objectId: e.objectId,
      data: { object: await objectOf(e) }, created: now,
    });
  }
  // One statement for all of them: the events of one transition are recorded together or not at all.
  const recorded = (await recordEventsForDispatch(tx, toRecord)).filter((id): id is string => id !== null);
  // A session opened by a checkout link pays the link too (`checkout_link.paid`), in the same transaction.
  if (events.some((e) => e.type === 'checkout_session.paid')) {
    const linkEvent = await recordCheckoutLinkPaid(tx, state.id, publicUrl, now, session?.id === state.id ? session.link_id : undefined);
    if (linkEvent) recorded.push(linkEvent);
  }
  return recorded;
}

const SESSION_TRANSITIONS: Record<string, 'paid' | 'deactivated'> = { 'checkout_session.paid': 'paid', 'checkout_session.deactivated': 'deactivated' };
const PAYMENT_TRANSITIONS: Record<string, 'paid' | 'expired' | 'cancelled'> = { 'payment.paid': 'paid', 'payment.expired': 'expired', 'payment.cancelled': 'cancelled' };

/**
 * Counts the transition's status changes (its events name them) in the transaction that wrote it. Called
 * only when the version-guarded session write advanced the row: a retried or late write counts nothing.
 */
async function countTransitions(tx: DbOrTx, state: SessionState, events: EventIntent[]): Promise<void> {
  const livemode = state.livemode;
  for (const e of events) {
    const session = SESSION_TRANSITIONS[e.type];
    if (session) await incrementCounter(tx, 'checkout_session_transitions_total', { to: session, livemode });
    const payment = PAYMENT_TRANSITIONS[e.type];
    if (payment) await incrementCounter(tx, 'checkout_payment_transitions_total', { to: payment, livemode });
  }
}
