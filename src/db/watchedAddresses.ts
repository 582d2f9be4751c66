import type { Knex } from 'knex';
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
 * once its window has passed. Abandoned sessions stay active, so the set grows with open business:
 * nothing here is capped, and no source ever loads the whole set at once.
 */
function watched(db: DbOrTx, settledSince: number): Knex.QueryBuilder {
  return db(`${T.payments} as p`)
    .join(`${T.sessions} as s`, 's.id', 'p.checkout_session_id')
    // Renewals share an unfunded address: one row per address, with its newest payment.
    .distinctOn('p.onchain_address')
    .select('p.onchain_address as address', 'p.id as payment_id')
    .whereNotNull('p.onchain_address')
    .andWhere('p.livemode', true)
    // A settled session's last change (paid, deactivated, a late receipt) opens its monitoring window.
    .andWhere((q) => q.where('s.status', 'active').orWhere('s.modified', '>', settledSince))
    .orderBy([{ column: 'p.onchain_address' }, { column: 'p.created', order: 'desc' }]);
}

const toWatched = (rows: { address: string; payment_id: string }[]): WatchedAddress[] =>
  rows.map((r) => ({ address: r.address, paymentId: r.payment_id }));

/**
 * Which of `addresses` (the outputs of one block, say) are watched: one indexed `= ANY($1)` lookup
 * (payments_onchain_address_seq), so a block costs the same with a thousand or a million addresses watched.
 */
export async function watchedAmong(db: DbOrTx, addresses: string[], settledSince: number): Promise<WatchedAddress[]> {
  if (addresses.length === 0) return [];
  return toWatched(await watched(db, settledSince).whereRaw('p.onchain_address = any(?::text[])', [addresses]));
}

/**
 * One page of the watched set in address order, after `after` (exclusive; '' starts at the beginning).
 * A poller walks the set page by page (keyset paging on the same index), never holding all of it.
 */
export async function watchedAddressPage(db: DbOrTx, settledSince: number, after: string, limit: number): Promise<WatchedAddress[]> {
  return toWatched(await watched(db, settledSince).andWhere('p.onchain_address', '>', after).limit(limit));
}

/** The whole watched set, page by page: for tests and small installations, never for a block scan. */
export async function liveWatchedAddresses(db: DbOrTx, settledSince: number, pageSize = 10_000): Promise<WatchedAddress[]> {
  const all: WatchedAddress[] = [];
  for (let page = await watchedAddressPage(db, settledSince, '', pageSize); page.length > 0;
    page = page.length < pageSize ? [] : await watchedAddressPage(db, settledSince, page[page.length - 1].address, pageSize)) {
    all.push(...page);
  }
  return all;
}

/**
 * One page of the payment hashes of live invoices worth checking on the node (those of active sessions
 * and of sessions settled less than the monitoring window ago), after `after` in hash order: the
 * Lightning catch-up when no stream cursor exists yet walks them all, page by page.
 */
export async function watchedInvoiceHashPage(db: DbOrTx, settledSince: number, after: string, limit: number): Promise<string[]> {
  const rows: { hash: string }[] = await db(`${T.payments} as p`)
    .join(`${T.sessions} as s`, 's.id', 'p.checkout_session_id')
    .select('p.payment_hash as hash')
    .whereNotNull('p.payment_hash')
    .andWhere('p.livemode', true)
    .andWhere('p.payment_hash', '>', after)
    .andWhere((q) => q.where('s.status', 'active').orWhere('s.modified', '>', settledSince))
    .orderBy('p.payment_hash')
    .limit(limit);
  return rows.map((r) => r.hash);
}
