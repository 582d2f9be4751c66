import { jsonNumber } from '../domain/money';
import type { PayoutRow } from '../db/payouts';

/** Explorer link of an on-chain payout's transaction, where a public explorer exists for the network. */
const EXPLORERS: Record<string, string> = { mainnet: 'https://mempool.space/tx/', testnet: 'https://mempool.space/testnet/tx/', signet: 'https://mempool.space/signet/tx/' };

/** A payout (`is_…`) as the API returns it: Speed's instant-send object. */
export function payoutView(p: PayoutRow, network?: string) {
  return {
    id: p.id,
    object: 'instant_send',
    livemode: p.livemode,
    status: p.status,
    amount: jsonNumber(p.amount),
    currency: p.currency,
    exchange_rate: jsonNumber(p.exchange_rate),
    target_amount: jsonNumber(p.target_amount),
    target_currency: 'SATS',
    /** Network fee: the limit reserved while unpaid, what was actually paid once paid. */
    fees: jsonNumber(p.status === 'paid' ? (p.fee ?? '0') : p.fee_limit),
    fee_limit: jsonNumber(p.fee_limit),
    withdraw_method: p.withdraw_method,
    withdraw_type: p.withdraw_type,
    withdraw_request: p.withdraw_request,
    payment_request: p.payment_request,
    payment_hash: p.payment_hash,
    txid: p.txid,
    explorer_link: p.txid && network && EXPLORERS[network] ? `${EXPLORERS[network]}${p.txid}` : null,
    note: p.note,
    failure_reason: p.status === 'failed' ? p.failure_reason : null,
    created: Number(p.created),
    modified: Number(p.modified),
  };
}
