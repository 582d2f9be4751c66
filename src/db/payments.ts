import type { PaymentState, SessionState } from '../domain/session';
import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import { queryPrepared } from './prepared';
import type { Scope } from './sessions';
import { T } from './tables';
import { columnsOf, qualified } from './columns';

/** A payments row. */
export interface PaymentRow {
  id: string;
  checkout_session_id: string;
  account_id: string;
  livemode: boolean;
  seq: number;
  currency: string;
  amount: string;
  exchange_rate: string;
  target_amount: string;
  status: PaymentState['status'];
  payment_request: string | null;
  payment_hash: string | null;
  onchain_address: string | null;
  address_index: number | null;
  received_sats: string;
  amount_paid: string;
  expires_at: string;
  created: string;
  modified: string;
}

/**
 * Every column of a payment, named (also the order of INSERT_PAYMENT's values): prepared statements list
 * them instead of `*`, because PostgreSQL refuses to run a prepared statement whose result columns
 * changed since it was planned on a connection, so a column added by a later migration would break
 * every running process. A new column is read once it is listed here (with a new statement version).
 */
export const PAYMENT_COLUMNS = columnsOf<PaymentRow>()(['id', 'checkout_session_id', 'account_id', 'livemode', 'seq', 'currency',
  'amount', 'exchange_rate', 'target_amount', 'status', 'payment_request', 'payment_hash', 'onchain_address', 'address_index',
  'received_sats', 'amount_paid', 'expires_at', 'created', 'modified']);

export async function findPaymentBySeq(db: DbOrTx, sessionId: string, seq: number): Promise<PaymentRow | undefined> {
  return (await queryPrepared<PaymentRow>(db, PAYMENT_BY_SEQ, [sessionId, seq]))[0];
}

const PAYMENT_BY_SEQ = {
  name: 'payment_by_seq_v2',
  text: `select ${PAYMENT_COLUMNS.join(', ')} from ${T.payments} where checkout_session_id = ? and seq = ? limit 1`,
};

export async function findPayment(db: DbOrTx, id: string, scope?: Scope): Promise<PaymentRow | undefined> {
  const q = db(T.payments).select(PAYMENT_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

/**
 * The payment an on-chain address or Lightning payment hash belongs to (what the watcher sees). An address
 * is looked up through its owner (src/db/addressOwners.ts): only the payments of the one session it was
 * handed to can match, never another account's (even one that was given the same address before
 * addresses had owners); a renewed payment keeps its unfunded address, so the newest of them wins.
 */
export async function findPaymentByChainTarget(db: DbOrTx, target: { address?: string; paymentHash?: string }): Promise<PaymentRow | undefined> {
  if (target.address) {
    return db(`${T.onchainAddresses} as a`).join(`${T.payments} as p`, (j) => j.on('p.checkout_session_id', 'a.checkout_session_id')
      .andOn('p.onchain_address', 'a.address').andOn('p.account_id', 'a.account_id').andOn('p.livemode', 'a.livemode'))
      .where('a.address', target.address).orderBy('p.seq', 'desc').first(qualified('p', PAYMENT_COLUMNS));
  }
  if (target.paymentHash) return db(T.payments).select(PAYMENT_COLUMNS).where({ payment_hash: target.paymentHash }).first();
  return undefined;
}

/** Inserts a payment; a retry with the same (session, seq) keeps the first one. */
export async function insertPayment(db: DbOrTx, row: PaymentRow): Promise<PaymentRow> {
  // RETURNING spares the read-back round trip unless a retry lost the race (then the stored row wins).
  const [inserted] = await queryPrepared<PaymentRow>(db, INSERT_PAYMENT, PAYMENT_COLUMNS.map((c) => row[c]));
  return inserted ?? (await findPaymentBySeq(db, row.checkout_session_id, row.seq))!;
}
const INSERT_PAYMENT = {
  name: 'insert_payment_v2',
  text: `insert into ${T.payments} (${PAYMENT_COLUMNS.join(', ')}) values (${PAYMENT_COLUMNS.map(() => '?').join(', ')})
    on conflict (checkout_session_id, seq) do nothing returning ${PAYMENT_COLUMNS.join(', ')}`,
};

/**
 * Mirrors the payments the workflow state holds (status and amounts received), scoped to the session.
 * Call only after the session row's version-guarded write succeeded in the same transaction. Returns
 * the rows it changed, as written (the events of the transition describe them without a read).
 */
export async function writePaymentStates(db: DbOrTx, state: SessionState, now: number): Promise<PaymentRow[]> {
  const written: PaymentRow[] = [];
  for (const p of state.payments) {
    const rows: PaymentRow[] = await db(T.payments).where({ id: p.id, checkout_session_id: state.id }).andWhere((q) => q.whereNot({ status: p.status })
      .orWhereNot({ received_sats: p.receivedSats }))
      .update({ status: p.status, received_sats: p.receivedSats, amount_paid: p.amountPaid, modified: now })
      .returning(PAYMENT_COLUMNS);
    written.push(...rows);
  }
  return written;
}

/** Payments of one session that received funds, oldest first (the session's `payments` array). */
export async function fundedPayments(db: DbOrTx, sessionId: string): Promise<PaymentRow[]> {
  return db(T.payments).select(PAYMENT_COLUMNS).where({ checkout_session_id: sessionId }).andWhere('received_sats', '>', 0).orderBy('seq');
}

/** Funded payments of several sessions in one query (a list page), keyed by session ID, oldest first. */
export async function fundedPaymentsBySession(db: DbOrTx, sessionIds: string[]): Promise<Map<string, PaymentRow[]>> {
  const bySession = new Map<string, PaymentRow[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return bySession;
  const rows: PaymentRow[] = await db(T.payments).select(PAYMENT_COLUMNS).whereIn('checkout_session_id', sessionIds)
    .andWhere('received_sats', '>', 0).orderBy('seq');
  for (const p of rows) bySession.get(p.checkout_session_id)!.push(p);
  return bySession;
}

/** A page of payments, optionally of one session. */
export async function listPayments(db: DbOrTx, scope: Scope, opts: PageOptions & { sessionId?: string }) {
  return pageQuery<PaymentRow>(db, T.payments, PAYMENT_COLUMNS, { account_id: scope.accountId, livemode: scope.livemode,
    ...(opts.sessionId ? { checkout_session_id: opts.sessionId } : {}) }, opts, undefined, { account_id: scope.accountId, livemode: scope.livemode });
}

/** On-chain addresses still worth watching: unpaid payments and those inside the monitoring window. */
export async function watchedAddresses(db: DbOrTx, since: number): Promise<{ address: string; paymentId: string }[]> {
  const rows = await db(T.payments).select('onchain_address', 'id').whereNotNull('onchain_address')
    .andWhere((q) => q.where({ status: 'unpaid' }).orWhere('expires_at', '>', since).orWhere('received_sats', '>', 0));
  return rows.map((r: { onchain_address: string; id: string }) => ({ address: r.onchain_address, paymentId: r.id }));
}

/**
 * The on-chain address of the session's latest payment before `seq` if no money ever arrived on it (no
 * receipt, stored or credited, for any payment using it): a renewal may keep it. Null otherwise.
 */
export async function unfundedAddressOfSession(db: DbOrTx, sessionId: string, seq: number): Promise<{ address: string; index: number } | null> {
  const last = await db(T.payments).select('onchain_address', 'address_index').where({ checkout_session_id: sessionId })
    .andWhere('seq', '<', seq).whereNotNull('onchain_address').orderBy('seq', 'desc').first();
  if (!last || last.address_index === null) return null;
  const funded = await db(`${T.receipts} as r`).join(`${T.payments} as p`, 'p.id', 'r.payment_id')
    .where('p.onchain_address', last.onchain_address).first('r.id');
  return funded ? null : { address: last.onchain_address, index: last.address_index };
}
