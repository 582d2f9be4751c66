import { jsonNumber } from '../domain/money';
import type { TransferRow } from '../db/transfers';

/** A transfer (`tr_…`) as the API returns it. */
export function transferView(t: TransferRow) {
  return {
    id: t.id,
    object: 'transfer',
    livemode: t.livemode,
    status: t.status,
    failure_reason: t.status === 'failed' ? (t.failure_reason ?? null) : null,
    amount: jsonNumber(t.amount),
    currency: 'SATS',
    source_account: t.source_account_id,
    destination_account: t.destination_account_id,
    checkout_session: t.checkout_session_id,
    percentage: jsonNumber(t.percentage),
    description: t.description,
    transfer_order: t.index,
    created: Number(t.created),
    modified: Number(t.modified),
  };
}
