import { ApplicationFailure } from '@temporalio/activity';
import { recordEvent } from '../src/db/events';
import { creditedReferences } from '../src/db/receipts';
import { findSession, insertSession } from '../src/db/sessions';
import { T } from '../src/db/tables';
import type { SessionDefinition } from '../src/domain/definition';
import { amountChoiceOf } from '../src/domain/amountChoice';
import { normalizeDecimal } from '../src/domain/money';
import type { EventIntent, PaymentState, SessionState } from '../src/domain/session';
import { capState, STATE_CAPS } from '../src/domain/transitions';
import type { ActivityDeps } from './deps';
import { dispatchBestEffort } from './dispatch';
import { eventObject, writeStateAndEvents } from './readModel';
import { paymentState } from './paymentState';

/** Activities that persist a session's definition and mirror its state. */
export function sessionActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;
  const dispatch = dispatchBestEffort(deps);

  /** Inserts the session row and its `checkout_session.created` event (idempotent). */
  async function persistNewSession(definition: SessionDefinition): Promise<void> {
    const eventIds = await db.transaction(async (tx) => {
      await insertSession(tx, definition);
      const id = await recordEvent(tx, {
        dedupeKey: `${definition.id}:created`, accountId: definition.accountId, livemode: definition.livemode,
        type: 'checkout_session.created', objectId: definition.id,
        data: { object: await eventObject(tx, 'checkout_session.created', definition.id, publicUrl) }, created: definition.created,
      });
      return [id];
    });
    await dispatch(eventIds);
  }

  /** Mirrors the workflow state into the read model and records the transition's events. */
  async function recordSession(input: { state: SessionState; events: EventIntent[] }): Promise<void> {
    const eventIds = await db.transaction((tx) => writeStateAndEvents(tx, input.state, input.events, publicUrl, Date.now()));
    await dispatch(eventIds);
  }

  /** Rebuilds a session's workflow state from the read model (a receipt woke a closed session). */
  async function loadSessionState(sessionId: string): Promise<SessionState> {
    const row = await findSession(db, sessionId);
    if (!row) throw ApplicationFailure.nonRetryable(`No checkout session ${sessionId}`, 'SessionNotFound');
    const payments = await db(T.payments).select('*').where({ checkout_session_id: sessionId }).orderBy('seq');
    const definition = row.definition as { amount_paid_tolerance: number; ttl: number };
    return capState({
      id: row.id, accountId: row.account_id, livemode: row.livemode, currency: row.currency, amount: row.amount === null ? null : normalizeDecimal(row.amount),
      tolerancePercent: String(definition.amount_paid_tolerance), ttlSeconds: definition.ttl,
      status: row.status, exceptionStatus: row.exception_status, amountPaid: normalizeDecimal(row.amount_paid),
      receivedSats: row.target_amount_paid,
      payments: payments.filter((p) => p.status === 'unpaid' || p.received_sats !== '0' || p.id === row.payment_id).map(paymentState) as PaymentState[],
      currentPaymentId: row.payment_id,
      nextPaymentSeq: payments.reduce((max, p) => Math.max(max, p.seq), 0) + 1,
      // The newest references only: a resumed run dedupes by the receipts' `credited` flag in the database.
      seenReceipts: (await creditedReferences(db, sessionId)).slice(-STATE_CAPS.seenReceipts),
      amountChoice: amountChoiceOf(row.definition),
      settledAt: row.status === 'active' ? null : Number(row.modified),
      version: row.version,
    });
  }

  return { persistNewSession, recordSession, loadSessionState };
}
