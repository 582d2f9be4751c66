import type { Knex } from 'knex';
import type { DbOrTx } from '../../db/knex';
import type { Scope } from '../../db/sessions';
import { T } from '../../db/tables';
import { WITHDRAWAL_LINKS } from '../../db/withdrawalLinks';

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
  /** The money-out object the entry belongs to: its ledger key's first part (`is_…`, `wlink_…`, `re_…`). */
  key_object: string;
  /** The refund a withdrawal link paid, when it was one. */
  link_refund_id: string | null;
}

/** The payout, withdrawal link and refund an entry belongs to (money out), from its ledger key. */
export function moneyOutRefs(r: Pick<MoneyRow, 'key_object' | 'link_refund_id'>): { payout: string; withdrawal_link: string; refund: string } {
  const k = r.key_object;
  return {
    payout: k.startsWith('is_') ? k : '',
    withdrawal_link: k.startsWith('wlink_') ? k : '',
    refund: k.startsWith('re_') ? k : r.link_refund_id ?? '',
  };
}

/**
 * The money-out object a ledger transaction's key names: `payout:{is_…}:sent` / `:fee`,
 * `{wlink_…}:{hash}:withdrawal` / `_fee`, `{re_…}:refund` / `:refund_fee` (the keys the settling
 * activities post under, each unique per object); NULL for every other transaction.
 */
const KEY_OBJECT = "(regexp_match(t.key, '(^|:)((is|wlink|re)_[0-9A-Za-z]+)(:|$)'))[2]";

/**
 * The account's ledger entries in one mode, newest first by entry ID (keyset on it), with the
 * transaction's type and references and, for money that came from a receipt, the payment's currency
 * and rate (so the export can give the fiat value at the payment's rate), and for money out the payout,
 * withdrawal link or refund it paid (the ledger key starts with that object's ID: `is_…:sent`,
 * `wlink_…:{hash}:withdrawal`, `re_…:refund`; a link's row names the refund it paid). One statement per page.
 * Every entry of the account is here exactly once, so the amounts add up to its balance.
 */
export function moneyQuery(db: DbOrTx, scope: Scope, f: MoneyFilters): Knex.QueryBuilder {
  const q = db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .leftJoin(`${T.receipts} as r`, 'r.id', 't.receipt_id')
    .leftJoin(`${T.payments} as p`, 'p.id', 'r.payment_id')
    .leftJoin(`${WITHDRAWAL_LINKS} as w`, (j) => { j.on('w.id', '=', db.raw(KEY_OBJECT)); })
    .where({ 'e.account_id': scope.accountId, 'e.livemode': scope.livemode })
    .select('e.id as entry_id', 't.id', 't.type', 'e.amount', 't.checkout_session_id', 't.receipt_id', 't.transfer_id', 't.description',
      'e.created', 'p.id as payment_id', 'p.currency as payment_currency', 'p.exchange_rate',
      db.raw(`coalesce(${KEY_OBJECT}, '') as key_object`), 'w.refund_id as link_refund_id');
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
