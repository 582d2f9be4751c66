import { floorToCurrency, jsonNumber } from '../domain/money';
import type { PaymentRow } from '../db/payments';
import type { SessionRow } from '../db/sessions';
import { sessionPaymentView } from './payment';
import { sessionFieldsView } from './sessionFields';

/**
 * A checkout session as the API returns it: the seed's object shape, plus `payment_id`,
 * `exception_status` and `target_amount_due` (SPEC §4–§5). Amounts paid are null until funds arrive.
 */
export function checkoutSessionView(row: SessionRow, funded: PaymentRow[], publicUrl: string, withCustomer = false) {
  const f = row.definition as Record<string, any>;
  const received = row.target_amount_paid !== '0';
  const url = `${publicUrl}/pay/${row.id}`;
  return {
    id: row.id,
    object: 'checkout_session',
    livemode: row.livemode,
    status: row.status,
    default_url: url,
    url,
    currency: row.currency,
    amount: jsonNumber(row.amount),
    target_currency: 'SATS',
    ttl: f.ttl,
    payment_methods: f.payment_methods,
    ...sessionFieldsView(f),
    amount_paid: received ? jsonNumber(floorToCurrency(row.amount_paid, row.currency)) : null,
    target_amount_paid: received ? jsonNumber(row.target_amount_paid) : null,
    target_amount_due: jsonNumber(row.target_amount_due),
    exception_status: row.exception_status,
    // Pending and succeeded refunds (failed and canceled ones give their amount back): docs/refunds.md.
    amount_refunded: jsonNumber(floorToCurrency(row.amount_refunded ?? '0', row.currency)),
    target_amount_refunded: jsonNumber(row.target_amount_refunded ?? '0'),
    payment_id: row.payment_id,
    payments: funded.map(sessionPaymentView),
    amount_paid_tolerance: f.amount_paid_tolerance,
    customer_collections_status: f.customer_collections_status,
    transfers: f.transfers ?? [],
    ...(withCustomer ? { customer_details: row.customer_details ?? null } : {}),
    created: Number(row.created),
    modified: Number(row.modified),
  };
}

export type CheckoutSessionView = ReturnType<typeof checkoutSessionView>;
