import { idFromSeed } from '../domain/ids';
import type { DbOrTx } from './knex';
import { T } from './tables';

/** The counterparty of money arriving from the outside world (chain, Lightning): never a merchant. */
export const EXTERNAL_ACCOUNT_ID = 'acct_external';

export type LedgerTxnType = 'payment' | 'platform_fee' | 'affiliate_fee' | 'transfer';

export class LedgerImbalanceError extends Error {}
export class NegativeBalanceError extends Error {}

/**
 * Posts one balanced movement (entries sum to zero), exactly once per `key`: a retry finds the key
 * and posts nothing. Must run inside a DB transaction. Refuses to leave any debited account (other
 * than the external counterparty) below zero. Returns the transaction ID.
 */
export async function postLedgerTransaction(
  tx: DbOrTx,
  t: { key: string; type: LedgerTxnType; livemode: boolean; receiptId?: string; transferId?: string;
    sessionId?: string; description?: string; entries: { accountId: string; amount: bigint }[]; now: number },
): Promise<string> {
  if (t.entries.reduce((sum, e) => sum + e.amount, 0n) !== 0n) throw new LedgerImbalanceError(`unbalanced ${t.key}`);
  const id = idFromSeed('txn', t.key);
  const inserted = await tx(T.ledgerTransactions)
    .insert({ id, key: t.key, type: t.type, livemode: t.livemode, receipt_id: t.receiptId ?? null,
      transfer_id: t.transferId ?? null, checkout_session_id: t.sessionId ?? null, description: t.description ?? null, created: t.now })
    .onConflict('key').ignore().returning('id');
  if (inserted.length === 0) return id;
  await tx(T.ledgerEntries).insert(t.entries.filter((e) => e.amount !== 0n).map((e) => ({
    txn_id: id, account_id: e.accountId, livemode: t.livemode, amount: e.amount.toString(), created: t.now,
  })));
  for (const e of t.entries) {
    if (e.amount < 0n && e.accountId !== EXTERNAL_ACCOUNT_ID) {
      const balance = await accountBalance(tx, e.accountId, t.livemode);
      if (balance < 0n) throw new NegativeBalanceError(`${e.accountId} would go to ${balance} sats by ${t.key}`);
    }
  }
  return id;
}

/** An account's balance in one mode, derived from its entries. */
export async function accountBalance(db: DbOrTx, accountId: string, livemode: boolean): Promise<bigint> {
  const row = await db(T.ledgerEntries).where({ account_id: accountId, livemode }).sum({ total: 'amount' }).first();
  return BigInt(row?.total ?? 0);
}

/** Balance transactions touching one account, newest first, as (entry, transaction) rows. */
export async function listBalanceTransactions(
  db: DbOrTx, accountId: string, livemode: boolean, opts: { limit: number; startingAfter?: string; endingBefore?: string },
) {
  const base = db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .where({ 'e.account_id': accountId, 'e.livemode': livemode });
  const cursorId = opts.startingAfter ?? opts.endingBefore;
  const q = base.clone().select('e.id as entry_id', 't.id', 't.type', 'e.amount', 't.receipt_id', 't.transfer_id',
    't.checkout_session_id', 't.description', 'e.created');
  if (cursorId) {
    const cursor = await base.clone().select('e.id as entry_id').where('t.id', cursorId).first();
    if (!cursor) return { rows: [], hasMore: false };
    q.andWhere('e.id', opts.startingAfter ? '<' : '>', cursor.entry_id);
  }
  const ascending = Boolean(opts.endingBefore && !opts.startingAfter);
  const rows = await q.orderBy('e.id', ascending ? 'asc' : 'desc').limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return { rows: ascending ? page.reverse() : page, hasMore: rows.length > opts.limit };
}
