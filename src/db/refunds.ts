import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { T } from './tables';
import { columnsOf } from './columns';

export const REFUNDS = 'refunds';

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

/** A refunds row (int8 and numeric columns come back as strings). */
export interface RefundRow {
  id: string;
  account_id: string;
  livemode: boolean;
  checkout_session_id: string;
  payment_id: string | null;
  status: RefundStatus;
  type: 'full' | 'partial' | 'excess';
  currency: string;
  amount: string;
  rate: 'original' | 'current';
  exchange_rate: string;
  target_amount: string;
  reverse_transfers: boolean;
  transfer_reversals: { account: string; amount: string }[];
  withdraw_method: 'withdrawal_link' | 'lightning';
  withdraw_request: string | null;
  payment_hash: string | null;
  fee_limit: string | null;
  fee: string | null;
  withdrawal_link_id: string | null;
  failure_reason: string | null;
  reason: string | null;
  metadata: Record<string, unknown> | null;
  created: string;
  modified: string;
  /** When Temporal confirmed its workflow (ms); null until then: the money-out starter starts it (migration 170). */
  workflow_started_at: string | null;
}

/** Every column of `refunds`, as RefundRow names them. */
export const REFUND_COLUMNS = columnsOf<RefundRow>()([
  'id', 'account_id', 'livemode', 'checkout_session_id', 'payment_id', 'status', 'type', 'currency',
  'amount', 'rate', 'exchange_rate', 'target_amount', 'reverse_transfers', 'transfer_reversals',
  'withdraw_method', 'withdraw_request', 'payment_hash', 'fee_limit', 'fee', 'withdrawal_link_id',
  'failure_reason', 'reason', 'metadata', 'created', 'modified', 'workflow_started_at',
]);

/** Inserts a refund as `pending`; undefined when its ID existed (a retried create). */
export async function insertRefund(db: DbOrTx, row: Omit<RefundRow, 'status' | 'fee' | 'failure_reason' | 'modified' | 'workflow_started_at'>): Promise<RefundRow | undefined> {
  const [inserted] = await db(REFUNDS).insert({
    ...row, status: 'pending', transfer_reversals: JSON.stringify(row.transfer_reversals),
    metadata: row.metadata === null ? null : JSON.stringify(row.metadata), modified: row.created,
  }).onConflict('id').ignore().returning(REFUND_COLUMNS);
  return inserted;
}

export async function findRefund(db: DbOrTx, id: string, scope?: Scope): Promise<RefundRow | undefined> {
  const q = db(REFUNDS).select(REFUND_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

export async function lockRefund(db: DbOrTx, id: string): Promise<RefundRow | undefined> {
  return db(REFUNDS).select(REFUND_COLUMNS).where({ id }).forUpdate().first();
}

export async function updateRefund(
  db: DbOrTx, id: string, change: Partial<Pick<RefundRow, 'status' | 'fee' | 'failure_reason' | 'withdrawal_link_id'>>, now: number,
): Promise<RefundRow> {
  const [row] = await db(REFUNDS).where({ id }).update({ ...change, modified: now }).returning(REFUND_COLUMNS);
  return row;
}

/** A page of an account's refunds, newest first, optionally of one session. */
export async function listRefunds(db: DbOrTx, scope: Scope, opts: PageOptions & { sessionId?: string }) {
  return pageQuery<RefundRow>(db, REFUNDS, REFUND_COLUMNS, {
    account_id: scope.accountId, livemode: scope.livemode, ...(opts.sessionId ? { checkout_session_id: opts.sessionId } : {}),
  }, opts, undefined, { account_id: scope.accountId, livemode: scope.livemode });
}

/** Sats the pending and succeeded refunds of a session (or of one of its payments) take. */
export async function refundedSats(db: DbOrTx, sessionId: string, paymentId?: string): Promise<bigint> {
  const q = db(REFUNDS).where({ checkout_session_id: sessionId }).whereIn('status', ['pending', 'succeeded']);
  if (paymentId) q.andWhere({ payment_id: paymentId });
  const row = await q.sum({ total: 'target_amount' }).first();
  return BigInt((row as { total?: string | null } | undefined)?.total ?? 0);
}

/**
 * Moves a session's refund totals (`amount_refunded` in its currency, `target_amount_refunded` in sats)
 * by a refund's amounts: + when it is created, − when it fails or is canceled.
 */
export async function moveSessionRefunded(db: DbOrTx, sessionId: string, amount: string, sats: bigint, sign: 1 | -1): Promise<void> {
  await db(T.sessions).where({ id: sessionId }).update({
    amount_refunded: db.raw(`amount_refunded ${sign > 0 ? '+' : '-'} ?::numeric`, [amount]),
    target_amount_refunded: db.raw(`target_amount_refunded ${sign > 0 ? '+' : '-'} ?::bigint`, [sats.toString()]),
  });
}

/** Sats each account received through paid split transfers of a session (of one payment's receipts, if given). */
export async function paidTransfersOf(db: DbOrTx, sessionId: string, paymentId?: string): Promise<{ account: string; amount: bigint }[]> {
  const q = db(`${T.transfers} as t`).select('t.destination_account_id as account').sum({ amount: 't.amount' })
    .where({ 't.checkout_session_id': sessionId, 't.status': 'paid' }).groupBy('t.destination_account_id');
  if (paymentId) q.join(`${T.receipts} as r`, 'r.id', 't.receipt_id').andWhere({ 'r.payment_id': paymentId });
  const rows = await q as { account: string; amount: string }[];
  return rows.map((r) => ({ account: r.account, amount: BigInt(r.amount) }));
}
