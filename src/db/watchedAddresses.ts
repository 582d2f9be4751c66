import type { DbOrTx } from './knex';
import { T } from './tables';

/** A live on-chain address the chain sources watch, with its payment. */
export interface WatchedAddress {
  address: string;
  paymentId: string;
}

/**
 * Live-mode addresses worth watching: every address of a session that is active, or that settled
 * (paid/deactivated) less than the monitoring window ago, each address once. Test-mode addresses are never
 * watched on a chain (the simulator pays them), and a settled session's addresses stop being watched
 * once its window has passed, so the set stays proportional to recent business, not to history.
 */
export async function liveWatchedAddresses(db: DbOrTx, settledSince: number, limit = 100_000): Promise<WatchedAddress[]> {
  const rows: { address: string; payment_id: string }[] = await db(`${T.payments} as p`)
    .join(`${T.sessions} as s`, 's.id', 'p.checkout_session_id')
    // Renewals share an unfunded address: one row per address, with its newest payment.
    .distinctOn('p.onchain_address')
    .select('p.onchain_address as address', 'p.id as payment_id')
    .whereNotNull('p.onchain_address')
    .andWhere('p.livemode', true)
    // A settled session's last change (paid, deactivated, a late receipt) opens its monitoring window.
    .andWhere((q) => q.where('s.status', 'active').orWhere('s.modified', '>', settledSince))
    .orderBy([{ column: 'p.onchain_address' }, { column: 'p.created', order: 'desc' }])
    .limit(limit);
  return rows.map((r) => ({ address: r.address, paymentId: r.payment_id }));
}

/**
 * Payment hashes of live invoices worth checking on the node: those of active sessions and of sessions
 * settled less than the monitoring window ago (the Lightning catch-up when no stream cursor exists yet).
 */
export async function liveWatchedInvoiceHashes(db: DbOrTx, settledSince: number, limit = 100_000): Promise<string[]> {
  const rows: { hash: string }[] = await db(`${T.payments} as p`)
    .join(`${T.sessions} as s`, 's.id', 'p.checkout_session_id')
    .select('p.payment_hash as hash')
    .whereNotNull('p.payment_hash')
    .andWhere('p.livemode', true)
    .andWhere((q) => q.where('s.status', 'active').orWhere('s.modified', '>', settledSince))
    .orderBy('p.created', 'desc')
    .limit(limit);
  return rows.map((r) => r.hash);
}
