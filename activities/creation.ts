import { recordEventForDispatch, type EventToRecord } from '../src/db/events';
import { findPaymentBySeq, insertPayment, type PaymentRow } from '../src/db/payments';
import { insertSession } from '../src/db/sessions';
import type { SessionDefinition } from '../src/domain/definition';
import { initialState } from '../src/domain/initialState';
import type { PaymentState } from '../src/domain/session';
import { nextState } from '../src/domain/transitions';
import { checkoutSessionView } from '../src/views/checkoutSession';
import { storeRenderedSessionView } from '../src/views/storedSessionView';
import type { ActivityDeps } from './deps';
import { preparePayment, type PaymentSubject } from './payments';
import { paymentState } from '../src/db/sessionState';
import { eventObject, writeStateAndEvents } from './readModel';

/** Creating a session in one step: its row, its first payment and their events. */
export function creationActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;

  /**
   * Persists a new session and, when it has an amount, makes its first payment (number `seq`) and mirrors
   * the state the workflow reaches by applying `payment_opened` to its initial state: one activity and one
   * transaction where there were three of each. The invoice and address are made before the transaction
   * (they call the rate source and LND). Idempotent: a retry finds the stored payment, the row and the
   * events are keyed, and the state write is version-guarded. Returns the payment (null without an amount).
   */
  async function createSession(input: { definition: SessionDefinition; seq: number }): Promise<PaymentState | null> {
    const { definition, seq } = input;
    let prepared: PaymentRow | null = null;
    if (definition.amount !== null) {
      prepared = await findPaymentBySeq(db, definition.id, seq) ?? await preparePayment(deps, {
        id: definition.id, accountId: definition.accountId, livemode: definition.livemode, currency: definition.currency,
        fields: definition.fields as PaymentSubject['fields'],
      }, seq, definition.amount);
    }
    // Events stay in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
    const { payment } = await db.transaction(async (tx) => {
      const inserted = await insertSession(tx, definition);
      // Its object is the session as created, before the payment exists (no payment yet).
      const created: EventToRecord = {
        dedupeKey: `${definition.id}:created`, accountId: definition.accountId, livemode: definition.livemode,
        type: 'checkout_session.created', objectId: definition.id,
        data: { object: inserted ? checkoutSessionView(inserted, [], publicUrl) : await eventObject(tx, 'checkout_session.created', definition.id, publicUrl) },
        created: definition.created,
      };
      if (!prepared) {
        // No transition follows: the new row's object is stored here (writeStateAndEvents stores it otherwise).
        if (inserted) await storeRenderedSessionView(tx, inserted, []);
        const id = await recordEventForDispatch(tx, created);
        return { payment: null, eventIds: id ? [id] : [] };
      }
      const row = await insertPayment(tx, prepared);
      const stored = paymentState(row);
      const opened = nextState(initialState(definition), { type: 'payment_opened', payment: stored }, Date.now());
      if (!opened.ok) throw new Error(`payment_opened refused at creation: ${opened.error}`);
      const events = opened.effects.flatMap((e) => (e.kind === 'record' ? e.events : []));
      // The payment row was written in this transaction as the state has it: no mirror write, no read
      // back; `created` is recorded first, in the same statement as the transition's events.
      const eventIds = await writeStateAndEvents(tx, opened.state, events, publicUrl, Date.now(), { freshPayments: [row], precedingEvents: [created] });
      return { payment: stored, eventIds };
    });
    return payment;
  }

  return { createSession };
}
