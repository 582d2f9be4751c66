import type { WithdrawalLinkRow } from '../db/withdrawalLinks';
import { encodeLnurl } from '../domain/lnurl';
import { jsonNumber } from '../domain/money';

/** The LNURL-withdraw endpoint a link's LNURL encodes (LUD-03's first GET). */
export function withdrawRequestUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/lnurlw/${id}`;
}

/** The customer-facing page of a link: its QR code. */
export function withdrawalLinkPageUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/w/${id}`;
}

/**
 * A withdrawal link (`withdrawal.link`) as the API returns it: Speed's object (`url`, `currency`,
 * `amount`, `target_currency`, `status`, …) plus what the protocol and the ledger need to show:
 * `withdraw_request` (the LNURL, bech32 `lnurl1…`), the sats it pays and the routing fee it may cost,
 * and, once paid, the payment hash and the fee actually paid. `k1` never leaves the LNURL exchange.
 */
export function withdrawalLinkView(row: WithdrawalLinkRow, publicUrl: string) {
  return {
    id: row.id,
    object: 'withdrawal.link',
    livemode: row.livemode,
    status: row.status,
    url: withdrawalLinkPageUrl(publicUrl, row.id),
    withdraw_request: encodeLnurl(withdrawRequestUrl(publicUrl, row.id)),
    currency: row.currency,
    amount: jsonNumber(row.amount),
    target_currency: 'SATS',
    target_amount: jsonNumber(row.target_amount),
    exchange_rate: jsonNumber(row.exchange_rate),
    fee_limit: jsonNumber(row.fee_limit),
    fee: jsonNumber(row.fee),
    payment_hash: row.status === 'paid' ? row.payment_hash : null,
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    description: row.description,
    statement_descriptor: row.statement_descriptor,
    metadata: row.metadata,
    refund: row.refund_id,
    failure_reason: row.failure_reason,
    paid_at: row.paid_at === null ? null : Number(row.paid_at),
    created: Number(row.created),
    modified: Number(row.modified),
  };
}

export type WithdrawalLinkView = ReturnType<typeof withdrawalLinkView>;
