import type { RefundRow } from '../db/refunds';
import { encodeLnurl } from '../domain/lnurl';
import { jsonNumber } from '../domain/money';
import { withdrawalLinkPageUrl, withdrawRequestUrl } from './withdrawalLink';

/**
 * A refund (`refund`) as the API returns it: Stripe's refund (status `pending` → `succeeded` | `failed` |
 * `canceled`, `amount`, `currency`, `reason`, `metadata`, `failure_reason`) with Speed's money-out fields
 * (`target_amount` in sats, `withdraw_method`, `withdraw_request`). A refund paid as a withdrawal link
 * carries the link's page (`url`, to hand to the customer) and its LNURL in `withdraw_request`.
 */
export function refundView(row: RefundRow, publicUrl: string) {
  const link = row.withdrawal_link_id;
  return {
    id: row.id,
    object: 'refund',
    livemode: row.livemode,
    status: row.status,
    checkout_session: row.checkout_session_id,
    payment: row.payment_id,
    type: row.type,
    currency: row.currency,
    amount: jsonNumber(row.amount),
    target_currency: 'SATS',
    target_amount: jsonNumber(row.target_amount),
    rate: row.rate,
    exchange_rate: jsonNumber(row.exchange_rate),
    reverse_transfers: row.reverse_transfers,
    transfer_reversals: row.transfer_reversals.map((r) => ({ destination_account: r.account, amount: jsonNumber(String(r.amount)) })),
    withdraw_method: row.withdraw_method,
    withdraw_request: link ? encodeLnurl(withdrawRequestUrl(publicUrl, link)) : row.withdraw_request,
    withdrawal_link: link,
    url: link ? withdrawalLinkPageUrl(publicUrl, link) : null,
    fee: jsonNumber(row.fee),
    failure_reason: row.failure_reason,
    reason: row.reason,
    metadata: row.metadata,
    created: Number(row.created),
    modified: Number(row.modified),
  };
}

export type RefundView = ReturnType<typeof refundView>;
