import type { DbOrTx } from '../../db/knex';
import type { Scope } from '../../db/sessions';
import { T } from '../../db/tables';

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

/** Revenue credited per UTC day over the last `days` days, oldest first, days without revenue as 0. */
export async function dailyRevenue(db: DbOrTx, scope: Scope, days: number, now: number): Promise<{ day: string; sats: string }[]> {
  const start = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const rows: { day: string; total: string }[] = await db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .where({ 'e.account_id': scope.accountId, 'e.livemode': scope.livemode, 't.type': 'payment' })
    .andWhere('e.created', '>=', start)
    .select(db.raw('floor(e.created / ?)::bigint as day', [DAY_MS])).sum({ total: 'e.amount' }).groupByRaw('1') as never;
  const byDay = new Map(rows.map((r) => [Number(r.day), String(r.total)]));
  return Array.from({ length: days }, (_, i) => {
    const day = start / DAY_MS + i;
    return { day: new Date(day * DAY_MS).toISOString().slice(0, 10), sats: byDay.get(day) ?? '0' };
  });
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
