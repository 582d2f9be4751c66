import type { PaymentMethod, ReceiptFlag } from '../domain/session';
import type { DbOrTx } from './knex';
import type { PaymentRow } from './payments';
import { T } from './tables';
import { columnsOf, qualified } from './columns';

/** Where a receipt's reference comes from; references are unique per (mode, source). */
export type ReceiptSource = 'onchain' | 'lightning' | 'simulator';

/** A receipt: money seen arriving, keyed by its reference within its mode and source. */
export interface ReceiptRow {
  id: string;
  reference: string;
  source: ReceiptSource;
  payment_id: string;
  checkout_session_id: string;
  account_id: string;
  livemode: boolean;
  method: PaymentMethod;
  amount_sats: string;
  status: 'received' | 'credited';
  flag: ReceiptFlag;
  created: string;
  credited_at: string | null;
  /** Times the watcher handed it to its workflow again, and when it may next (per-receipt backoff). */
  redeliveries?: number;
  next_redelivery_at?: string | null;
}

/** Every column of `receipts`, as ReceiptRow names them. */
export const RECEIPT_COLUMNS = columnsOf<ReceiptRow>()([
  'id', 'reference', 'source', 'payment_id', 'checkout_session_id', 'account_id', 'livemode', 'method',
  'amount_sats', 'status', 'flag', 'created', 'credited_at', 'redeliveries', 'next_redelivery_at',
]);

/**
 * Stores a receipt unless its reference is known in its mode and source; returns the stored row (the
 * first one wins, so a duplicate report of the same output or payment hash never counts twice). The
 * caller must check that a known row is for the same payment before treating it as its own.
 */
export async function insertReceipt(db: DbOrTx, row: Omit<ReceiptRow, 'status' | 'flag' | 'credited_at'>): Promise<{ row: ReceiptRow; inserted: boolean }> {
  // RETURNING spares the read-back round trip unless the reference was known (then the stored row wins).
  const [inserted] = await db(T.receipts).insert({ ...row, status: 'received' }).onConflict(['livemode', 'source', 'reference']).ignore().returning(RECEIPT_COLUMNS);
  if (inserted) return { row: inserted, inserted: true };
  const known = await db(T.receipts).select(RECEIPT_COLUMNS).where({ livemode: row.livemode, source: row.source, reference: row.reference }).first();
  return { row: known, inserted: false };
}

/** The facts a credit is about: the stored receipt must match every one of them. */
/**
 * Records that money with `reference` was reported for `paymentId` while it is recorded for another
 * payment. True the first time (the caller alerts then), false for every later report of it.
 */
export async function recordReceiptConflict(db: DbOrTx, reference: string, paymentId: string, storedPaymentId: string, now: number): Promise<boolean> {
  const inserted = await db(T.receiptConflicts).insert({ reference, payment_id: paymentId, stored_payment_id: storedPaymentId, created: now })
    .onConflict(['reference', 'payment_id']).ignore().returning('reference');
  return inserted.length > 0;
}

export interface ReceiptToCredit {
  id: string;
  sessionId: string;
  paymentId: string;
  sats: string;
  reference: string;
}

/**
 * Marks receipt `r.id` credited if it is stored with exactly these facts (idempotent): `credited` when
 * this call marked it, `already` when it was credited before. Throws `ReceiptNotStoredError` or
 * `ReceiptMismatchError` otherwise. One statement in the common case; the read only explains a miss.
 */
export async function creditStoredReceipt(db: DbOrTx, r: ReceiptToCredit, flag: ReceiptFlag, now: number): Promise<'credited' | 'already'> {
  const facts = { id: r.id, checkout_session_id: r.sessionId, payment_id: r.paymentId, amount_sats: r.sats, reference: r.reference };
  const marked = await db(T.receipts).where({ ...facts, status: 'received' }).update({ status: 'credited', flag, credited_at: now });
  if (marked > 0) return 'credited';
  const stored = await findReceipt(db, r.id);
  if (!stored) throw new ReceiptNotStoredError(r.id);
  if (stored.checkout_session_id !== r.sessionId || stored.payment_id !== r.paymentId || stored.amount_sats !== r.sats || stored.reference !== r.reference) {
    throw new ReceiptMismatchError(r.id, r.sessionId);
  }
  return 'already';
}

export class ReceiptNotStoredError extends Error {
  constructor(id: string) {
    super(`No receipt ${id}`);
    this.name = 'ReceiptNotStoredError';
  }
}

export class ReceiptMismatchError extends Error {
  constructor(id: string, sessionId: string) {
    super(`Receipt ${id} does not match the stored receipt of session ${sessionId}`);
    this.name = 'ReceiptMismatchError';
  }
}

export async function findReceipt(db: DbOrTx, id: string): Promise<ReceiptRow | undefined> {
  return db(T.receipts).select(RECEIPT_COLUMNS).where({ id }).first();
}

/** A receipt with the payment it paid (null when that payment is gone), as one row. */
export interface ReceiptWithPayment {
  receipt: ReceiptRow;
  payment: Pick<PaymentRow, 'id' | 'checkout_session_id' | 'seq' | 'amount' | 'exchange_rate' | 'target_amount' | 'expires_at' | 'received_sats' | 'amount_paid'> | null;
}

/** Receipt `id` and its payment in one round trip (the receipt signal's read sits on the path to `paid`). */
export async function findReceiptWithPayment(db: DbOrTx, id: string): Promise<ReceiptWithPayment | undefined> {
  const row = await db(`${T.receipts} as r`).leftJoin(`${T.payments} as p`, 'p.id', 'r.payment_id').where('r.id', id).first(
    ...qualified('r', RECEIPT_COLUMNS), 'p.id as p_id', 'p.checkout_session_id as p_checkout_session_id', 'p.seq as p_seq', 'p.amount as p_amount',
    'p.exchange_rate as p_exchange_rate', 'p.target_amount as p_target_amount', 'p.expires_at as p_expires_at',
    'p.received_sats as p_received_sats', 'p.amount_paid as p_amount_paid',
  );
  if (!row) return undefined;
  const { p_id, p_checkout_session_id, p_seq, p_amount, p_exchange_rate, p_target_amount, p_expires_at, p_received_sats, p_amount_paid, ...receipt } = row;
  return {
    receipt: receipt as ReceiptRow,
    payment: p_id == null ? null : {
      id: p_id, checkout_session_id: p_checkout_session_id, seq: p_seq, amount: p_amount, exchange_rate: p_exchange_rate,
      target_amount: p_target_amount, expires_at: p_expires_at, received_sats: p_received_sats, amount_paid: p_amount_paid,
    },
  };
}

/** Receipts stored but not yet credited, older than `olderThan`: to hand to their workflows again. */
export async function uncreditedReceipts(db: DbOrTx, olderThan: number, limit = 500): Promise<ReceiptRow[]> {
  return db(T.receipts).select(RECEIPT_COLUMNS).where({ status: 'received' }).andWhere('created', '<', olderThan).orderBy('created').limit(limit);
}

/**
 * Uncredited receipts older than `olderThan` whose next hand-off is due at `now` (each backs off on its
 * own), the least recently tried first, so receipts stuck for long never starve the newer ones.
 */
export async function receiptsDueForRedelivery(db: DbOrTx, olderThan: number, now: number, limit = 500): Promise<ReceiptRow[]> {
  return db(T.receipts).select(RECEIPT_COLUMNS).where({ status: 'received' }).andWhere('created', '<', olderThan)
    .andWhere((q) => q.whereNull('next_redelivery_at').orWhere('next_redelivery_at', '<=', now))
    .orderByRaw('next_redelivery_at asc nulls first, created asc').limit(limit);
}

/**
 * Claims one more hand-off of a receipt if it is still uncredited and due at `now`, recording when the
 * next may happen. The check and the write are one statement, so when several watchers run (the API and
 * worker processes, or replicas) only one of them hands a due receipt on.
 */
export async function claimRedelivery(db: DbOrTx, id: string, now: number, nextAt: number): Promise<boolean> {
  const claimed = await db(T.receipts).where({ id, status: 'received' })
    .andWhere((q) => q.whereNull('next_redelivery_at').orWhere('next_redelivery_at', '<=', now))
    .update({ redeliveries: db.raw('redeliveries + 1'), next_redelivery_at: nextAt }, ['id']);
  return claimed.length === 1;
}

/** Receipts stored for longer than `olderThan` allows and still not credited (reconcile reports them). */
export async function staleUncreditedReceipts(db: DbOrTx, olderThan: number): Promise<ReceiptRow[]> {
  return db(T.receipts).select(RECEIPT_COLUMNS).where({ status: 'received' }).andWhere('created', '<', olderThan).orderBy('created').limit(1000);
}

/** References of a session's credited receipts: the dedupe set a resumed workflow starts from. */
export async function creditedReferences(db: DbOrTx, sessionId: string): Promise<string[]> {
  const rows = await db(T.receipts).select('reference').where({ checkout_session_id: sessionId, status: 'credited' });
  return rows.map((r: { reference: string }) => r.reference);
}
