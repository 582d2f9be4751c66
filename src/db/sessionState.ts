import { amountChoiceOf } from '../domain/amountChoice';
import { normalizeDecimal as n } from '../domain/money';
import type { PaymentState, SessionState } from '../domain/session';
import { capState, STATE_CAPS } from '../domain/transitions';
import type { DbOrTx } from './knex';
import { PAYMENT_COLUMNS, type PaymentRow } from './payments';
import { creditedReferences } from './receipts';
import { findSession } from './sessions';
import { T } from './tables';

/** A payments row as workflow state. */
export function paymentState(p: PaymentRow): PaymentState {
  return {
    id: p.id, seq: p.seq, amount: n(p.amount), exchangeRate: n(p.exchange_rate), targetAmount: p.target_amount,
    status: p.status, expiresAt: Number(p.expires_at), receivedSats: p.received_sats, amountPaid: n(p.amount_paid),
  };
}

/**
 * A session's workflow state rebuilt from the read model (a receipt or a renewal woke a closed session),
 * or undefined when there is no such session. Keeps the payments the state needs (unpaid, funded, the
 * current one) and the newest credited references: a resumed run dedupes by the receipts' `credited`
 * flag in the database.
 */
export async function readSessionState(db: DbOrTx, sessionId: string): Promise<SessionState | undefined> {
  const row = await findSession(db, sessionId);
  if (!row) return undefined;
  const payments: PaymentRow[] = await db(T.payments).select(PAYMENT_COLUMNS).where({ checkout_session_id: sessionId }).orderBy('seq');
  const definition = row.definition as { amount_paid_tolerance: number; ttl: number };
  return capState({
    id: row.id, accountId: row.account_id, livemode: row.livemode, currency: row.currency, amount: row.amount === null ? null : n(row.amount),
    tolerancePercent: String(definition.amount_paid_tolerance), ttlSeconds: definition.ttl,
    status: row.status, exceptionStatus: row.exception_status, amountPaid: n(row.amount_paid),
    receivedSats: row.target_amount_paid,
    payments: payments.filter((p) => p.status === 'unpaid' || p.received_sats !== '0' || p.id === row.payment_id).map(paymentState),
    currentPaymentId: row.payment_id,
    nextPaymentSeq: payments.reduce((max, p) => Math.max(max, p.seq), 0) + 1,
    seenReceipts: (await creditedReferences(db, sessionId)).slice(-STATE_CAPS.seenReceipts),
    amountChoice: amountChoiceOf(row.definition),
    settledAt: row.status === 'active' ? null : Number(row.modified),
    version: row.version,
  });
}
