import { idFromSeed } from '../domain/ids';
import type { DbOrTx } from './knex';
import { cursorParam, UnknownCursorError } from './pagination';
import { T } from './tables';

/** The counterparty of money arriving from the outside world (chain, Lightning): never a merchant. */
export const EXTERNAL_ACCOUNT_ID = 'acct_external';

export type LedgerTxnType = 'payment' | 'platform_fee' | 'affiliate_fee' | 'transfer' | 'custody_correction' | 'payout' | 'payout_fee'
  | 'refund' | 'refund_fee' | 'transfer_reversal';

/**
 * Where an entry's sats physically are: the platform node's channels or on-chain wallet, platform-held
 * money whose rail is not determined (moved between accounts, e.g. a debt recovery), or a merchant's own
 * wallet. Only `merchant_wallet` entries stay out of an account's withdrawable balance.
 */
export type Custody = 'platform_channels' | 'platform_wallet' | 'platform' | 'merchant_wallet';

/** A ledger entry: signed sats for one account, where they are (defaults to the transaction's custody). */
export interface LedgerEntryInput { accountId: string; amount: bigint; custody?: Custody }

/** Entries of one ledger transaction that do not sum to zero: a bug, never retried. */
export class LedgerImbalanceError extends Error {
  override readonly name = 'LedgerImbalanceError';
}
/** A debit that would take a running balance below zero (the CHECK of migration 050): refused, never retried. */
export class NegativeBalanceError extends Error {
  override readonly name = 'NegativeBalanceError';
}
/** A running balance would leave its column's range (22003): refused like an overdraft, never retried. */
export class BalanceOverflowError extends Error {
  override readonly name = 'BalanceOverflowError';
}

/** The CHECK of migration 050: a running balance below zero. */
const NON_NEGATIVE_CONSTRAINT = 'account_balances_non_negative';
/** The CHECK of migration 060: a debit that would leave less than payouts in flight have reserved. */
const RESERVED_COVERED_CONSTRAINT = 'account_balances_reserved_covered';

/**
 * Posts one balanced movement (entries sum to zero), exactly once per `key`: a retry finds the key
 * and posts nothing. Must run inside a DB transaction. Refuses to leave any account (other than the
 * external counterparty) below zero. Returns the transaction ID. Entries in `merchant_wallet` custody move
 * the account's `merchant_wallet` column (what settled into its own wallet), every other custody its
 * platform-held `balance`.
 *
 * One statement: the transaction row, its entries and the running balances (`account_balances`) move
 * together, so the cost does not depend on how many entries an account already has. The balance CHECK
 * refuses an overdraft inside the database; the error aborts the caller's transaction, so nothing of
 * the movement (or of anything else the caller wrote) stays. Existing balance rows are updated and
 * missing ones inserted (PostgreSQL checks an INSERT's proposed row before ON CONFLICT, so a debit
 * cannot be an upsert). Balance rows are locked in account order before they change, so concurrent
 * movements between the same accounts (either direction) queue instead of deadlocking.
 */
export async function postLedgerTransaction(
  tx: DbOrTx,
  t: { key: string; type: LedgerTxnType; livemode: boolean; receiptId?: string; transferId?: string;
    sessionId?: string; description?: string; custody?: Custody; entries: LedgerEntryInput[]; now: number },
): Promise<string> {
  if (t.entries.reduce((sum, e) => sum + e.amount, 0n) !== 0n) throw new LedgerImbalanceError(`unbalanced ${t.key}`);
  const id = idFromSeed('txn', t.key);
  const entries = t.entries.filter((e) => e.amount !== 0n);
  if (entries.length === 0) throw new LedgerImbalanceError(`no movement in ${t.key}`);
  const values = entries.map(() => '(?::varchar, ?::bigint, ?::varchar, ?::int)').join(', ');
  const custody = t.custody ?? 'platform';
  try {
    await tx.raw(`
      with txn as (
        insert into ${T.ledgerTransactions} (id, key, type, livemode, receipt_id, transfer_id, checkout_session_id, description, created)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (key) do nothing returning id
      ), entries as (
        insert into ${T.ledgerEntries} (txn_id, account_id, livemode, amount, custody, created)
        select txn.id, v.account_id, ?, v.amount, v.custody, ? from txn cross join (values ${values}) as v(account_id, amount, custody, ord) order by v.ord
        returning account_id, amount, custody
      ), moved as (
        select account_id, sum(case when custody = 'merchant_wallet' then 0 else amount end)::bigint as delta,
          sum(case when custody = 'merchant_wallet' then amount else 0 end)::bigint as wallet_delta
        from entries where account_id <> ? group by account_id
      ), locked as (
        select account_id from ${T.accountBalances} where livemode = ? and account_id in (select account_id from moved)
        order by account_id for update
      ), updated as (
        update ${T.accountBalances} b set balance = b.balance + m.delta, merchant_wallet = b.merchant_wallet + m.wallet_delta
        from moved m join locked l on l.account_id = m.account_id
        where b.account_id = m.account_id and b.livemode = ? returning b.account_id
      )
      insert into ${T.accountBalances} (account_id, livemode, balance, merchant_wallet)
      select account_id, ?, delta, wallet_delta from moved where account_id not in (select account_id from updated) order by account_id
      on conflict (account_id, livemode) do update set balance = ${T.accountBalances}.balance + excluded.balance,
        merchant_wallet = ${T.accountBalances}.merchant_wallet + excluded.merchant_wallet`,
    [id, t.key, t.type, t.livemode, t.receiptId ?? null, t.transferId ?? null, t.sessionId ?? null, t.description ?? null, t.now,
      t.livemode, t.now, ...entries.flatMap((e, i) => [e.accountId, e.amount.toString(), e.custody ?? custody, i]),
      EXTERNAL_ACCOUNT_ID, t.livemode, t.livemode, t.livemode]);
  } catch (err) {
    const pgErr = err as { code?: string; constraint?: string; detail?: string };
    if (pgErr.code === '23514' && (pgErr.constraint === NON_NEGATIVE_CONSTRAINT || pgErr.constraint === RESERVED_COVERED_CONSTRAINT)) {
      throw new NegativeBalanceError(`${t.key} would overdraw an account (${pgErr.detail ?? 'balance below zero'})`);
    }
    if (pgErr.code === '22003') throw new BalanceOverflowError(`${t.key} would take a running balance out of range`);
    throw err;
  }
  return id;
}

/** An account's platform-held balance in one mode: one row of the running balances (0 before its first movement). */
export async function accountBalance(db: DbOrTx, accountId: string, livemode: boolean): Promise<bigint> {
  if (accountId === EXTERNAL_ACCOUNT_ID) return derivedAccountBalance(db, accountId, livemode);
  const row = await db(T.accountBalances).first('balance').where({ account_id: accountId, livemode });
  return BigInt(row?.balance ?? 0);
}

/** An account's platform-held balance in one mode re-derived from its entries (the external account: all of them). */
export async function derivedAccountBalance(db: DbOrTx, accountId: string, livemode: boolean): Promise<bigint> {
  const q = db(T.ledgerEntries).where({ account_id: accountId, livemode });
  if (accountId !== EXTERNAL_ACCOUNT_ID) q.whereNot({ custody: 'merchant_wallet' });
  const row = await q.sum({ total: 'amount' }).first();
  return BigInt(row?.total ?? 0);
}

/** Balance transactions touching one account, newest first, as (entry, transaction) rows. */
export async function listBalanceTransactions(
  db: DbOrTx, accountId: string, livemode: boolean, opts: { limit: number; startingAfter?: string; endingBefore?: string },
) {
  const base = db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .where({ 'e.account_id': accountId, 'e.livemode': livemode });
  const cursorId = opts.startingAfter ?? opts.endingBefore;
  const q = base.clone().select('e.id as entry_id', 't.id', 't.type', 'e.amount', 'e.custody', 't.receipt_id', 't.transfer_id',
    't.checkout_session_id', 't.description', 'e.created');
  if (cursorId) {
    const cursor = await base.clone().select('e.id as entry_id').where('t.id', cursorId).first();
    if (!cursor) throw new UnknownCursorError(cursorId, cursorParam(opts));
    q.andWhere('e.id', opts.startingAfter ? '<' : '>', cursor.entry_id);
  }
  const ascending = Boolean(opts.endingBefore && !opts.startingAfter);
  const rows = await q.orderBy('e.id', ascending ? 'asc' : 'desc').limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return { rows: ascending ? page.reverse() : page, hasMore: rows.length > opts.limit };
}
