import type { DbOrTx } from './knex';
import { EXTERNAL_ACCOUNT_ID, postLedgerTransaction, type Custody } from './ledger';
import { T } from './tables';

/**
 * The reservation primitives every money-out object (payout, withdrawal link, refund) is built on:
 *
 *   reserve  – in the transaction that records the object: holds `amount` of the account's available
 *              platform-held balance, or throws {@link InsufficientFundsError} (nothing held then);
 *   settle   – the money left: post the ledger movement(s) (see `postLedgerTransaction`) and `release`
 *              the reservation in the same transaction;
 *   release  – the money did not leave (failed, expired, cancelled): give the reservation back.
 *
 * A reservation is not a ledger movement: the sats stay the account's until they actually leave, so a
 * crash between reserve and send loses nothing. The caller makes each call exactly once by changing its
 * object's status in the same transaction, under a lock on the object's row (reserve with the insert,
 * settle/release only from a non-final status). The CHECK `reserved <= balance` makes overdrawing a
 * reservation impossible for any writer.
 *
 * available = balance − reserved − owed debts − transfers this account still has to make (the shares of
 * receipts already credited to it): what may leave right now without taking anyone else's money.
 */
export interface Funds {
  /** Platform-held sats of the account (channels + on-chain wallet). */
  balance: bigint;
  /** Held by money-out objects in flight (`pending` in the API). */
  reserved: bigint;
  /** Settled straight into the merchant's own wallet (never withdrawable here). */
  merchantWallet: bigint;
  /** Fees and transfers its own-wallet receipts owe and its platform-held money has not covered yet. */
  owed: bigint;
  /** Split transfers out of receipts already credited, not yet posted (the recipients' money). */
  transfersOut: bigint;
  /** Withdrawable now. */
  available: bigint;
}

export class InsufficientFundsError extends Error {
  constructor(readonly available: bigint, readonly requested: bigint) {
    super(`insufficient funds: ${requested} sats requested, ${available} available`);
  }
}

/** The account's funds in one mode; with `forUpdate`, its balance row stays locked until the transaction ends. */
export async function accountFunds(db: DbOrTx, accountId: string, livemode: boolean, opts: { forUpdate?: boolean } = {}): Promise<Funds> {
  const q = db(T.accountBalances).first('balance', 'reserved', 'merchant_wallet').where({ account_id: accountId, livemode });
  if (opts.forUpdate) q.forUpdate();
  const row = await q;
  const [owedRow] = await db(T.accountDebts).where({ debtor_account_id: accountId, livemode }).whereRaw('recovered < amount')
    .sum({ owed: db.raw('amount - recovered') });
  // Transfers that are debts are counted in `owed` (they wait for platform-held money), not here.
  const [outRow] = await db(T.transfers).where({ source_account_id: accountId, livemode }).whereNot({ status: 'paid' })
    .whereNotExists((q2) => { q2.select(db.raw('1')).from(`${T.accountDebts} as d`).whereRaw(`d.transfer_id = ${T.transfers}.id`); })
    .sum({ out: 'amount' });
  const balance = BigInt(row?.balance ?? 0);
  const reserved = BigInt(row?.reserved ?? 0);
  const owed = BigInt((owedRow as { owed?: string | null })?.owed ?? 0);
  const transfersOut = BigInt((outRow as { out?: string | null })?.out ?? 0);
  const free = balance - reserved - owed - transfersOut;
  return { balance, reserved, merchantWallet: BigInt(row?.merchant_wallet ?? 0), owed, transfersOut, available: free > 0n ? free : 0n };
}

/**
 * Holds `amount` sats of the account's available balance. Must run in the transaction that records the
 * object the reservation is for; locks the balance row, so concurrent reservations queue and none can
 * take what another already holds. Throws {@link InsufficientFundsError} when it does not fit.
 */
export async function reserve(tx: DbOrTx, accountId: string, livemode: boolean, amount: bigint): Promise<Funds> {
  if (amount <= 0n) throw new RangeError('a reservation must be positive');
  const funds = await accountFunds(tx, accountId, livemode, { forUpdate: true });
  if (funds.available < amount) throw new InsufficientFundsError(funds.available, amount);
  await tx(T.accountBalances).where({ account_id: accountId, livemode }).update({ reserved: tx.raw('reserved + ?::bigint', [amount.toString()]) });
  return { ...funds, reserved: funds.reserved + amount, available: funds.available - amount };
}

/** Gives `amount` sats of an earlier reservation back (the object failed, or settled with less). */
export async function release(tx: DbOrTx, accountId: string, livemode: boolean, amount: bigint): Promise<void> {
  if (amount <= 0n) return;
  const n = await tx(T.accountBalances).where({ account_id: accountId, livemode }).andWhere('reserved', '>=', amount.toString())
    .update({ reserved: tx.raw('reserved - ?::bigint', [amount.toString()]) });
  if (n !== 1) throw new Error(`release of ${amount} sats for ${accountId}: no such reservation`);
}

/** What left the platform for one money-out object: what the recipient got and the network fee paid. */
export interface Settlement {
  /** Ledger keys are `{key}:sent` and `{key}:fee`, so a retried settle posts nothing twice. */
  key: string;
  accountId: string;
  livemode: boolean;
  /** What `reserve` held for the object: released in full (the unused part goes back to available). */
  reserved: bigint;
  amount: bigint;
  fee: bigint;
  /** Where the sats left from: the node's channels (Lightning) or its on-chain wallet. */
  custody: Extract<Custody, 'platform_channels' | 'platform_wallet'>;
  type?: 'payout';
  description?: string;
  now: number;
}

/**
 * The money left: releases the reservation and posts the amount and the actual fee from the account to
 * the outside world, in the caller's transaction. `amount + fee` must fit in `reserved` (the send was
 * capped by the fee limit that was reserved); otherwise nothing is posted and this throws.
 */
export async function settle(tx: DbOrTx, s: Settlement): Promise<void> {
  if (s.amount + s.fee > s.reserved) throw new RangeError(`settle ${s.key}: ${s.amount} + fee ${s.fee} exceeds the ${s.reserved} reserved`);
  await release(tx, s.accountId, s.livemode, s.reserved);
  const base = { livemode: s.livemode, custody: s.custody, now: s.now };
  await postLedgerTransaction(tx, { ...base, key: `${s.key}:sent`, type: s.type ?? 'payout', description: s.description,
    entries: [{ accountId: s.accountId, amount: -s.amount }, { accountId: EXTERNAL_ACCOUNT_ID, amount: s.amount }] });
  if (s.fee > 0n) {
    await postLedgerTransaction(tx, { ...base, key: `${s.key}:fee`, type: 'payout_fee', description: 'Network fee',
      entries: [{ accountId: s.accountId, amount: -s.fee }, { accountId: EXTERNAL_ACCOUNT_ID, amount: s.fee }] });
  }
}
