import type { DbOrTx } from '../../db/knex';
import type { Scope } from '../../db/sessions';
import { T } from '../../db/tables';
import type { RevenueGroup } from '../../domain/revenue';

const DAY_MS = 86_400_000;

/**
 * The home page's figures for one account and mode, each one aggregate statement:
 * pending = receipts seen but not yet credited to the ledger (the ledger's balance is what is
 * available); revenue per UTC day = the account's ledger entries of `payment` transactions (net of
 * nothing: fees and transfers are their own transactions, shown in Money).
 */
export async function pendingSats(db: DbOrTx, scope: Scope): Promise<bigint> {
  const row = await db(T.receipts).where({ account_id: scope.accountId, livemode: scope.livemode, status: 'received' })
    .sum({ total: 'amount_sats' }).first();
  return BigInt(row?.total ?? 0);
}

/** Sessions by status (all time) in one grouped count. */
export async function sessionCounts(db: DbOrTx, scope: Scope): Promise<Record<string, number>> {
  const rows: { status: string; n: string }[] = await db(T.sessions).where({ account_id: scope.accountId, livemode: scope.livemode })
    .select('status').count({ n: '*' }).groupBy('status') as never;
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

/**
 * Revenue credited per UTC day over the last `days` days (the UTC dates, oldest first, and the sums of
 * `payment` entries grouped by day and by the priced currency and locked rate of the payment each receipt
 * paid), in one grouped statement. `revenueIn` turns it into sats and the display currency.
 */
export async function dailyRevenue(db: DbOrTx, scope: Scope, days: number, now: number): Promise<{ days: string[]; groups: RevenueGroup[] }> {
  const start = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const rows: { day: string; currency: string | null; rate: string | null; total: string }[] = await db(`${T.ledgerEntries} as e`)
    .join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .leftJoin(`${T.receipts} as r`, 'r.id', 't.receipt_id')
    .leftJoin(`${T.payments} as p`, 'p.id', 'r.payment_id')
    .where({ 'e.account_id': scope.accountId, 'e.livemode': scope.livemode, 't.type': 'payment' })
    .andWhere('e.created', '>=', start)
    .select(db.raw('floor(e.created / ?)::bigint as day', [DAY_MS]), 'p.currency as currency', db.raw('p.exchange_rate::text as rate'))
    .sum({ total: 'e.amount' }).groupByRaw('1, 2, 3') as never;
  const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  return {
    days: Array.from({ length: days }, (_, i) => isoDay(start / DAY_MS + i)),
    groups: rows.map((r) => ({ day: isoDay(Number(r.day)), sats: String(r.total), currency: r.currency, rate: r.rate })),
  };
}

/** The latest credited receipts (payments received), newest first. */
export async function recentReceipts(db: DbOrTx, scope: Scope, limit: number) {
  return db(T.receipts).where({ account_id: scope.accountId, livemode: scope.livemode })
    .select('id', 'checkout_session_id', 'payment_id', 'method', 'amount_sats', 'status', 'flag', 'created')
    .orderBy([{ column: 'created', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
}

/** Sessions flagged for attention (an exception status such as underpaid or overpaid), newest first. */
export async function sessionsNeedingAttention(db: DbOrTx, scope: Scope, limit: number) {
  return db(T.sessions).where({ account_id: scope.accountId, livemode: scope.livemode }).whereNotNull('exception_status')
    .select('id', 'status', 'exception_status', 'created').orderBy([{ column: 'created', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
}
