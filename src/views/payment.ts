import { floorToCurrency, jsonNumber } from '../domain/money';
import type { PaymentRow } from '../db/payments';

/** A payment (`pi_…`) as the API returns it. */
export function paymentView(p: PaymentRow) {
  return {
    id: p.id,
    object: 'payment',
    livemode: p.livemode,
    checkout_session: p.checkout_session_id,
    status: p.status,
    currency: p.currency,
    amount: jsonNumber(p.amount),
    exchange_rate: jsonNumber(p.exchange_rate),
    target_currency: 'SATS',
    target_amount: jsonNumber(p.target_amount),
    amount_paid: jsonNumber(floorToCurrency(p.amount_paid, p.currency)),
    target_amount_paid: jsonNumber(p.received_sats),
    payment_method_options: {
      ...(p.payment_request ? { lightning: { payment_request: p.payment_request, payment_hash: p.payment_hash } } : {}),
      ...(p.onchain_address ? { onchain: { address: p.onchain_address } } : {}),
    },
    expires_at: Number(p.expires_at),
    created: Number(p.created),
    modified: Number(p.modified),
  };
}

/** A funded payment inside a session's `payments` array (the seed's short form). */
export function sessionPaymentView(p: PaymentRow) {
  return {
    id: p.id,
    module: 'payment',
    created: Number(p.created),
    modified: Number(p.modified),
    amount_paid: jsonNumber(floorToCurrency(p.amount_paid, p.currency)),
    exchange_rate: jsonNumber(p.exchange_rate),
    target_amount_paid: jsonNumber(p.received_sats),
  };
}
