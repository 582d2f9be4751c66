import type { DbOrTx } from './knex';
import { incrementCounter } from './metricCounters';
import { pageQuery, type PageOptions } from './pagination';
import { T } from './tables';
import { columnsOf } from './columns';

/** A split transfer (`tr_…`) of one receipt to one destination account. */
export interface TransferRow {
  id: string;
  key: string;
  receipt_id: string;
  checkout_session_id: string;
  source_account_id: string;
  destination_account_id: string;
  livemode: boolean;
  index: number;
  amount: string;
  percentage: string;
  description: string | null;
  status: 'pending' | 'paid' | 'failed';
  /** Why the last attempt could not post it (only while `failed`); its session's workflow retries it. */
  failure_reason?: string | null;
  created: string;
  modified: string;
}

/** Every column of `transfers`, as TransferRow names them. */
export const TRANSFER_COLUMNS = columnsOf<TransferRow>()([
  'id', 'key', 'receipt_id', 'checkout_session_id', 'source_account_id', 'destination_account_id',
  'livemode', 'index', 'amount', 'percentage', 'description', 'status', 'failure_reason', 'created',
  'modified',
]);

/** Inserts a transfer unless its key exists; returns the stored row and whether this call made it. */
export async function insertTransfer(db: DbOrTx, row: TransferRow): Promise<{ row: TransferRow; inserted: boolean }> {
  // RETURNING spares the read-back round trip unless the key existed (then the stored row wins).
  const [inserted] = await db(T.transfers).insert(row).onConflict('key').ignore().returning(TRANSFER_COLUMNS);
  if (inserted) return { row: inserted, inserted: true };
  return { row: await db(T.transfers).select(TRANSFER_COLUMNS).where({ key: row.key }).first(), inserted: false };
}

/** Locks a transfer row of one session for the duration of the transaction (check-before-act). */
export async function lockTransfer(db: DbOrTx, id: string, sessionId?: string): Promise<TransferRow | undefined> {
  return db(T.transfers).select(TRANSFER_COLUMNS).where({ id, ...(sessionId ? { checkout_session_id: sessionId } : {}) }).forUpdate().first();
}

/** Marks a transfer paid; counted once, when it becomes paid. */
export async function markTransferPaid(db: DbOrTx, id: string, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    const changed = await tx(T.transfers).where({ id }).whereNot({ status: 'paid' }).update({ status: 'paid', failure_reason: null, modified: now });
    if (changed > 0) await incrementCounter(tx, 'checkout_transfers_total', { outcome: 'paid' });
  });
}

/**
 * Marks a transfer that could not be posted `failed` with the reason (never a paid one). Counted when it
 * becomes failed; a transfer failed already only gets the newer reason.
 */
export async function markTransferFailed(db: DbOrTx, id: string, reason: string, now: number): Promise<void> {
  const change = { status: 'failed', failure_reason: reason.slice(0, 500), modified: now };
  await db.transaction(async (tx) => {
    const changed = await tx(T.transfers).where({ id }).whereNotIn('status', ['paid', 'failed']).update(change);
    if (changed > 0) await incrementCounter(tx, 'checkout_transfers_total', { outcome: 'failed' });
    else await tx(T.transfers).where({ id, status: 'failed' }).update(change);
  });
}

/** Whether the transfer is a debt of an own-wallet receipt (paid by debt recovery, never by `executeTransfer`). */
export async function isDebtTransfer(db: DbOrTx, id: string): Promise<boolean> {
  return Boolean(await db(T.accountDebts).first('id').where({ transfer_id: id }));
}

export async function findTransfer(db: DbOrTx, id: string): Promise<TransferRow | undefined> {
  return db(T.transfers).select(TRANSFER_COLUMNS).where({ id }).first();
}

/** Transfers an account sent or received, in one mode. */
export async function listTransfers(db: DbOrTx, accountId: string, livemode: boolean, opts: PageOptions & { sessionId?: string }) {
  return pageQuery<TransferRow>(db, T.transfers, TRANSFER_COLUMNS, (q) => {
    q.where({ livemode, ...(opts.sessionId ? { checkout_session_id: opts.sessionId } : {}) })
      .andWhere((w) => { w.where({ source_account_id: accountId }).orWhere({ destination_account_id: accountId }); });
  }, opts, ['created', 'index', 'id'], (q) => { // one receipt's transfers share `created`: their order breaks the tie
    q.where({ livemode }).andWhere((w) => { w.where({ source_account_id: accountId }).orWhere({ destination_account_id: accountId }); });
  });
}
