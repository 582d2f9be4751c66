import type { Knex } from 'knex';
import type { SessionDefinition } from '../domain/definition';
import type { SessionState } from '../domain/session';
import type { DbOrTx } from './knex';
import { queryPrepared } from './prepared';
import { fundedPayments, type PaymentRow } from './payments';
import { pageQuery, type PageOptions } from './pagination';
import { T } from './tables';
import { columnsOf } from './columns';

/** A checkout_sessions row (NUMERIC and int8 columns come back as strings). */
export interface SessionRow {
  id: string;
  account_id: string;
  livemode: boolean;
  status: SessionState['status'];
  currency: string;
  amount: string | null;
  definition: Record<string, unknown>;
  amount_paid: string;
  target_amount_paid: string;
  target_amount_due: string | null;
  exception_status: SessionState['exceptionStatus'];
  payment_id: string | null;
  customer_details: Record<string, unknown> | null;
  link_id: string | null;
  /** When the current payment expires (epoch ms): a read past it asks the workflow for a renewal. */
  payment_expires_at?: string | null;
  /** What its pending and succeeded refunds take, in its currency and in sats (written by refunds only). */
  amount_refunded?: string;
  target_amount_refunded?: string;
  version: number;
  created: string;
  modified: string;
}

/**
 * Every column of a session row, named: prepared statements list them instead of `*`, because
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was planned
 * ("cached plan must not change result type"), so a column added by the next release's migration
 * would break every running process. A new column is read once it is listed here (and the
 * statements' names get a new version suffix).
 */
export const SESSION_ROW_COLUMNS = columnsOf<SessionRow>()(['id', 'account_id', 'livemode', 'status', 'currency', 'amount', 'definition',
  'amount_paid', 'target_amount_paid', 'target_amount_due', 'exception_status', 'payment_id', 'customer_details', 'link_id',
  'payment_expires_at', 'amount_refunded', 'target_amount_refunded', 'version', 'created', 'modified']);
const RETURNING_SESSION = SESSION_ROW_COLUMNS.join(', ');

/** Scope of every API read: an account in one mode. */
export interface Scope {
  accountId: string;
  livemode: boolean;
}

/** Inserts a new session's row; returns it, or undefined when it existed already (a retry). */
export async function insertSession(db: DbOrTx, d: SessionDefinition): Promise<SessionRow | undefined> {
  const [row] = await queryPrepared<SessionRow>(db, INSERT_SESSION,
    [d.id, d.accountId, d.livemode, d.currency, d.amount, JSON.stringify(d.fields), d.linkId, d.created, d.created]);
  return row;
}

const INSERT_SESSION = {
  name: 'insert_session_v4',
  text: `insert into ${T.sessions} (id, account_id, livemode, status, currency, amount, definition, link_id, version, created, modified)
    values (?, ?, ?, 'active', ?, ?, ?, ?, 0, ?, ?) on conflict (id) do nothing returning ${RETURNING_SESSION}`,
};

/** What splitting a receipt of session `id` needs: its planned transfers and its account's affiliate terms, in one read. */
export async function findSplitTerms(db: DbOrTx, id: string): Promise<{
  definition: SessionRow['definition']; affiliate_account_id: string | null; affiliate_percentage: string | null;
  onchain_settlement: 'platform' | 'merchant_wallet';
} | undefined> {
  return db(`${T.sessions} as s`).join(`${T.accounts} as a`, 'a.id', 's.account_id').where('s.id', id)
    .first('s.definition', 'a.affiliate_account_id', 'a.affiliate_percentage', 'a.onchain_settlement');
}

export async function findSession(db: DbOrTx, id: string, scope?: Scope): Promise<SessionRow | undefined> {
  const q = db(T.sessions).select(SESSION_ROW_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

/**
 * A session with its funded payments (the API object's `payments`). A session nothing was received for
 * (`target_amount_paid` 0, written in the same transaction as its payments) has none: no second query.
 */
export async function findSessionWithFunded(
  db: DbOrTx, id: string, scope?: Scope,
): Promise<{ row: SessionRow; funded: PaymentRow[] } | undefined> {
  const row = await findSession(db, id, scope);
  return row ? withFunded(db, row) : undefined;
}

/** A session row already in hand with its funded payments (none to read until something was received). */
export async function withFunded(db: DbOrTx, row: SessionRow): Promise<{ row: SessionRow; funded: PaymentRow[] }> {
  return { row, funded: row.target_amount_paid === '0' ? [] : await fundedPayments(db, row.id) };
}

/**
 * Mirrors the workflow's state into the read model. Guarded by `version`, so a retried or delayed
 * write never takes the row back to an older state. Returns the row as written, or undefined when the
 * stored version was already as new (nothing written).
 */
export async function writeSessionState(db: DbOrTx, state: SessionState, targetAmountDue: string | null, now: number): Promise<SessionRow | undefined> {
  const [written] = await queryPrepared<SessionRow>(db, WRITE_SESSION_STATE, [
    state.version, state.status, state.amount, state.amountPaid, state.receivedSats, targetAmountDue, state.exceptionStatus,
    state.currentPaymentId, now, state.payments.find((p) => p.id === state.currentPaymentId)?.expiresAt ?? null, state.id, state.version,
  ]);
  return written;
}

// Every transition runs it: prepared (src/db/prepared.ts).
const WRITE_SESSION_STATE = {
  name: 'write_session_state_v4',
  text: `update ${T.sessions} set version = ?, status = ?, amount = ?, amount_paid = ?, target_amount_paid = ?, target_amount_due = ?,
      exception_status = ?, payment_id = ?, modified = ?, payment_expires_at = ?
    where id = ? and version < ? returning ${RETURNING_SESSION}`,
};

/**
 * Updates the descriptive fields (metadata, urls, texts): not state, so any status allows it. `fields`
 * computes what to write from the current definition; the row is locked meanwhile, so two concurrent
 * metadata merges both land. `written` runs after the write in the same transaction (the stored object
 * is rendered again there).
 */
export async function updateSessionFields(
  db: Knex, id: string, fields: (definition: Record<string, unknown>) => Record<string, unknown>, now: number,
  written?: (tx: Knex.Transaction) => Promise<void>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx(T.sessions).where({ id }).first('definition').forUpdate();
    if (!row) return;
    const patch = fields(row.definition as Record<string, unknown>);
    await tx(T.sessions).where({ id }).update({ definition: tx.raw('definition || ?::jsonb', [JSON.stringify(patch)]), modified: now });
    await written?.(tx);
  });
}

/** Stores the details a customer submitted on the payment page. */
export async function saveCustomerDetails(db: DbOrTx, id: string, details: Record<string, unknown>, now: number): Promise<void> {
  await db(T.sessions).where({ id }).update({ customer_details: details, modified: now });
}

/** A page of sessions, newest first, with `starting_after`/`ending_before` cursors. */
export async function listSessions(
  db: DbOrTx,
  scope: Scope,
  opts: PageOptions & { status?: string; linkId?: string },
): Promise<{ rows: SessionRow[]; hasMore: boolean }> {
  return pageQuery<SessionRow>(db, T.sessions, SESSION_ROW_COLUMNS, sessionListFilter(scope, opts), opts, undefined, sessionListCursorScope(scope));
}

/** The sessions a list shows: the caller's, in its mode, with the list's filters. */
export function sessionListFilter(scope: Scope, filters: { status?: string; linkId?: string }): Record<string, unknown> {
  return { account_id: scope.accountId, livemode: scope.livemode,
    ...(filters.status ? { status: filters.status } : {}), ...(filters.linkId ? { link_id: filters.linkId } : {}) };
}

/** Where a list's cursor is looked up: any of the caller's sessions in its mode, whatever the filters. */
export function sessionListCursorScope(scope: Scope): Record<string, unknown> {
  return { account_id: scope.accountId, livemode: scope.livemode };
}

/** Sessions by ID (those that exist, in no particular order). */
export async function findSessions(db: DbOrTx, ids: string[]): Promise<SessionRow[]> {
  if (ids.length === 0) return [];
  return db(T.sessions).select(SESSION_ROW_COLUMNS).whereIn('id', ids);
}
