import { release, reserve, settle } from './funds';
import type { DbOrTx } from './knex';
import { incrementCounter } from './metricCounters';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { T } from './tables';
import { columnsOf } from './columns';

/** A payout (`is_…`, Speed's instant send). Amounts are sats as strings (int8), `amount` a decimal. */
export interface PayoutRow {
  id: string;
  account_id: string;
  livemode: boolean;
  status: 'unpaid' | 'paid' | 'failed';
  withdraw_method: 'lightning' | 'onchain';
  withdraw_type: 'bolt11' | 'lightning_address' | 'lnurl' | 'onchain_address';
  withdraw_request: string;
  payment_request: string | null;
  payment_hash: string | null;
  onchain_address: string | null;
  currency: string;
  amount: string;
  exchange_rate: string;
  target_amount: string;
  fee_limit: string;
  reserved_amount: string;
  fee: string | null;
  txid: string | null;
  raw_tx: string | null;
  failure_reason: string | null;
  note: string | null;
  created: string;
  modified: string;
  /** When Temporal confirmed its workflow (ms); null until then: the money-out starter starts it (migration 170). */
  workflow_started_at: string | null;
}

/** Every column of `payouts`, as PayoutRow names them. */
export const PAYOUT_COLUMNS = columnsOf<PayoutRow>()([
  'id', 'account_id', 'livemode', 'status', 'withdraw_method', 'withdraw_type', 'withdraw_request',
  'payment_request', 'payment_hash', 'onchain_address', 'currency', 'amount', 'exchange_rate',
  'target_amount', 'fee_limit', 'reserved_amount', 'fee', 'txid', 'raw_tx', 'failure_reason', 'note',
  'created', 'modified', 'workflow_started_at',
]);

/** The payment hash is already another payout's (the node would refuse a second payment anyway). */
export class DuplicatePaymentHashError extends Error {}

/**
 * Records a payout and reserves `reserved_amount` of the account's available balance in one
 * transaction (src/db/funds.ts): both or neither. A payout with this ID already recorded (a retried
 * request) is returned as it is, reserving nothing again. Throws `InsufficientFundsError`.
 */
export async function insertPayoutWithReservation(tx: DbOrTx, row: PayoutRow): Promise<{ row: PayoutRow; inserted: boolean }> {
  const existing = await findPayout(tx, row.id);
  if (existing) return { row: existing, inserted: false };
  await reserve(tx, row.account_id, row.livemode, BigInt(row.reserved_amount));
  try {
    const [inserted] = await tx(T.payouts).insert(row).returning(PAYOUT_COLUMNS);
    return { row: inserted, inserted: true };
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'payouts_payment_hash') throw new DuplicatePaymentHashError(`payment hash ${row.payment_hash} is already another payout's`);
    throw err;
  }
}

export async function findPayout(db: DbOrTx, id: string, scope?: Scope): Promise<PayoutRow | undefined> {
  const q = db(T.payouts).select(PAYOUT_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

/** The payout of a Lightning payment hash in one mode, if any. */
export async function findPayoutByHash(db: DbOrTx, livemode: boolean, paymentHash: string): Promise<PayoutRow | undefined> {
  return db(T.payouts).select(PAYOUT_COLUMNS).where({ livemode, payment_hash: paymentHash }).first();
}

/** Locks the payout row until the transaction ends (settle/release check its status under the lock). */
export async function lockPayout(tx: DbOrTx, id: string): Promise<PayoutRow | undefined> {
  return tx(T.payouts).select(PAYOUT_COLUMNS).where({ id }).forUpdate().first();
}

/** Records the on-chain transaction before it is broadcast, so a retry after a crash finds and re-broadcasts it. */
export async function recordPayoutTransaction(db: DbOrTx, id: string, tx: { txid: string; rawTx: string; fee: bigint }, now: number): Promise<void> {
  await db(T.payouts).where({ id, status: 'unpaid' }).whereNull('txid')
    .update({ txid: tx.txid, raw_tx: tx.rawTx, fee: tx.fee.toString(), modified: now });
}

/**
 * Paid: settles the reservation (amount + actual fee to the outside world, the rest released) and marks
 * the payout paid, once: a payout no longer `unpaid` is returned unchanged. Runs in the caller's transaction.
 */
export async function markPayoutPaid(tx: DbOrTx, id: string, fee: bigint, now: number): Promise<{ row: PayoutRow; changed: boolean }> {
  const p = await lockPayout(tx, id);
  if (!p) throw new Error(`no payout ${id}`);
  if (p.status !== 'unpaid') return { row: p, changed: false };
  await settle(tx, {
    key: `payout:${p.id}`, accountId: p.account_id, livemode: p.livemode, reserved: BigInt(p.reserved_amount), amount: BigInt(p.target_amount),
    fee, custody: p.withdraw_method === 'lightning' ? 'platform_channels' : 'platform_wallet', description: `Payout ${p.id}`, now,
  });
  const [row] = await tx(T.payouts).where({ id }).update({ status: 'paid', fee: fee.toString(), modified: now }).returning(PAYOUT_COLUMNS);
  await incrementCounter(tx, 'checkout_payouts_total', { outcome: 'paid', livemode: p.livemode });
  return { row, changed: true };
}

/** Failed: releases the whole reservation and records why, once (see {@link markPayoutPaid}). */
export async function markPayoutFailed(tx: DbOrTx, id: string, reason: string, now: number): Promise<{ row: PayoutRow; changed: boolean }> {
  const p = await lockPayout(tx, id);
  if (!p) throw new Error(`no payout ${id}`);
  if (p.status !== 'unpaid') return { row: p, changed: false };
  await release(tx, p.account_id, p.livemode, BigInt(p.reserved_amount));
  const [row] = await tx(T.payouts).where({ id }).update({ status: 'failed', failure_reason: reason.slice(0, 500), fee: null, modified: now }).returning(PAYOUT_COLUMNS);
  await incrementCounter(tx, 'checkout_payouts_total', { outcome: 'failed', livemode: p.livemode });
  return { row, changed: true };
}

/** A page of an account's payouts in one mode, newest first. */
export async function listPayouts(db: DbOrTx, scope: Scope, opts: PageOptions & { status?: string }) {
  return pageQuery<PayoutRow>(db, T.payouts, PAYOUT_COLUMNS, { account_id: scope.accountId, livemode: scope.livemode, ...(opts.status ? { status: opts.status } : {}) }, opts,
    undefined, { account_id: scope.accountId, livemode: scope.livemode });
}
