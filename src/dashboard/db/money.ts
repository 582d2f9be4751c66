import type { Knex } from 'knex';
import type { DbOrTx } from '../../db/knex';
import type { Scope } from '../../db/sessions';
import { T } from '../../db/tables';

/** Filters of the Money page and its export. */
export interface MoneyFilters {
  type?: string;
  /** Inclusive start and exclusive end, epoch ms. */
  from?: number;
  to?: number;
}

/** One balance transaction as it touches the account: the signed amount of the account's entry. */
export interface MoneyRow {
  entry_id: string;
  id: string;
  type: string;
  amount: string;
  checkout_session_id: string | null;
  receipt_id: string | null;
  transfer_id: string | null;
  description: string | null;
  created: string;
  payment_id: string | null;
  payment_currency: string | null;
  exchange_rate: string | null;
}

/**
 * The account's ledger entries in one mode, newest first by entry ID (keyset on it), with the
 * transaction's type and references and, for money that came from a receipt, the payment's currency
 * and rate (so the export can give the fiat value at the payment's rate). One statement per page.
 * Every entry of the account is here exactly once, so the amounts add up to its balance.
 */
export function moneyQuery(db: DbOrTx, scope: Scope, f: MoneyFilters): Knex.QueryBuilder {
  const q = db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .leftJoin(`${T.receipts} as r`, 'r.id', 't.receipt_id')
    .leftJoin(`${T.payments} as p`, 'p.id', 'r.payment_id')
    .where({ 'e.account_id': scope.accountId, 'e.livemode': scope.livemode })
    .select('e.id as entry_id', 't.id', 't.type', 'e.amount', 't.checkout_session_id', 't.receipt_id', 't.transfer_id', 't.description',
      'e.created', 'p.id as payment_id', 'p.currency as payment_currency', 'p.exchange_rate');
  if (f.type) q.andWhere('t.type', f.type);
  if (f.from !== undefined) q.andWhere('e.created', '>=', f.from);
  if (f.to !== undefined) q.andWhere('e.created', '<', f.to);
  return q;
}

/** A page of `moneyQuery`, newest first; `before` is the last entry ID of the previous page. */
export async function moneyPage(db: DbOrTx, scope: Scope, f: MoneyFilters, limit: number, before?: string): Promise<{ rows: MoneyRow[]; hasMore: boolean }> {
  const q = moneyQuery(db, scope, f);
  if (before) q.andWhere('e.id', '<', before);
  const rows = (await q.orderBy('e.id', 'desc').limit(limit + 1)) as MoneyRow[];
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The sum of the filtered entries (the whole balance when unfiltered). */
export async function moneyTotal(db: DbOrTx, scope: Scope, f: MoneyFilters): Promise<bigint> {
  const row = await moneyQuery(db, scope, f).clearSelect().sum({ total: 'e.amount' }).first();
  return BigInt((row as { total?: string } | undefined)?.total ?? 0);
}
