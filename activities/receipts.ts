import { ApplicationFailure } from '@temporalio/activity';
import { findReceiptWithPayment } from '../src/db/receipts';
import { readSessionState } from '../src/db/sessionState';
import { normalizeDecimal } from '../src/domain/money';
import type { ReceiptInput, SessionState } from '../src/domain/session';
import type { ActivityDeps } from './deps';
import { activityLog } from './log';

/** A stored receipt as the workflow credits it, read from the database, never from a message. */
export type ReceiptFacts = ReceiptInput & { credited: boolean };

/** Reading receipts for the session workflow: the database is the only source of money facts. */
export function receiptActivities(deps: ActivityDeps) {
  const { db } = deps;

  /**
   * The facts of receipt `receiptId` (amount, reference, its payment's locked terms) if it is stored for
   * session `sessionId` and paid one of that session's payments; null otherwise (an unknown receipt,
   * another session's, or a forged ID), so a message can name a receipt but never state its amount.
   */
  async function receiptFacts(input: { sessionId: string; receiptId: string }): Promise<ReceiptFacts | null> {
    const found = await findReceiptWithPayment(db, input.receiptId);
    const receipt = found?.receipt;
    if (!receipt || receipt.checkout_session_id !== input.sessionId) {
      activityLog(deps.log).warn({ sessionId: input.sessionId, receiptId: input.receiptId }, 'receipt signal refused: no such receipt of this session');
      return null;
    }
    const payment = found.payment;
    if (!payment || payment.checkout_session_id !== input.sessionId) {
      activityLog(deps.log).warn({ sessionId: input.sessionId, receiptId: input.receiptId }, 'receipt signal refused: its payment is not of this session');
      return null;
    }
    return {
      receiptId: receipt.id, reference: receipt.reference, paymentId: payment.id, method: receipt.method, sats: receipt.amount_sats,
      payment: {
        id: payment.id, seq: payment.seq, amount: normalizeDecimal(payment.amount),
        exchangeRate: normalizeDecimal(payment.exchange_rate), targetAmount: payment.target_amount, expiresAt: Number(payment.expires_at),
        receivedSats: payment.received_sats, amountPaid: normalizeDecimal(payment.amount_paid),
      },
      credited: receipt.status === 'credited',
    };
  }

  /**
   * A closed session woken by a receipt: its state from the read model and that receipt's facts, in one
   * local activity (two reads side by side) instead of two in sequence, so a receipt for an idle-closed
   * session waits for one database round trip, not two, before its credit is scheduled.
   */
  async function loadSessionWithReceipt(input: { sessionId: string; receiptId: string }): Promise<{ state: SessionState; facts: ReceiptFacts | null }> {
    const [state, facts] = await Promise.all([readSessionState(db, input.sessionId), receiptFacts(input)]);
    if (!state) throw ApplicationFailure.nonRetryable(`No checkout session ${input.sessionId}`, 'SessionNotFound');
    return { state, facts };
  }

  return { receiptFacts, loadSessionWithReceipt };
}
