import type { PaymentRow } from '../src/db/payments';
import { normalizeDecimal as n } from '../src/domain/money';
import type { PaymentState } from '../src/domain/session';

/** A payments row as workflow state. */
export function paymentState(p: PaymentRow): PaymentState {
  return {
    id: p.id, seq: p.seq, amount: n(p.amount), exchangeRate: n(p.exchange_rate), targetAmount: p.target_amount,
    status: p.status, expiresAt: Number(p.expires_at), receivedSats: p.received_sats, amountPaid: n(p.amount_paid),
  };
}
