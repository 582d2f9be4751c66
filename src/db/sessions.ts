import type { Knex } from 'knex';
import type { SessionDefinition } from '../domain/definition';
import type { SessionState } from '../domain/session';
import type { DbOrTx } from './knex';
import { fundedPayments, type PaymentRow } from './payments';
import { pageQuery, type PageOptions } from './pagination';
import { T } from './tables';

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
  version: number;
  created: string;
  modified: string;
}

/** Scope of every API read: an account in one mode. */
export interface Scope {
  accountId: string;
  livemode: boolean;
}

/** Inserts a new session from its definition; a retried insert is a no-op. Returns true if it inserted. */
/** Inserts a new session's row; returns it, or undefined when it existed already (a retry). */
export async function insertSession(db: DbOrTx, d: SessionDefinition): Promise<SessionRow | undefined> {
  const [row] = await db(T.sessions)
    .insert({
      id: d.id, account_id: d.accountId, livemode: d.livemode, status: 'active', currency: d.currency,
      amount: d.amount, definition: d.fields, link_id: d.linkId, version: 0, created: d.created, modified: d.created,
    })
    .onConflict('id').ignore().returning('*');
  return row;
}

/** What splitting a receipt of session `id` needs: its planned transfers and its account's affiliate terms, in one read. */
export async function findSplitTerms(db: DbOrTx, id: string): Promise<{
  definition: SessionRow['definition']; affiliate_account_id: string | null; affiliate_percentage: string | null;
} | undefined> {
  return db(`${T.sessions} as s`).join(`${T.accounts} as a`, 'a.id', 's.account_id').where('s.id', id)
    .first('s.definition', 'a.affiliate_account_id', 'a.affiliate_percentage');
}

export async function findSession(db: DbOrTx, id: string, scope?: Scope): Promise<SessionRow | undefined> {
  const q = db(T.sessions).select('*').where({ id });
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
  const [written] = await db(T.sessions)
    .where({ id: state.id })
    .andWhere('version', '<', state.version)
    .update({
      status: state.status, amount: state.amount, amount_paid: state.amountPaid, target_amount_paid: state.receivedSats,
      target_amount_due: targetAmountDue, exception_status: state.exceptionStatus, payment_id: state.currentPaymentId,
      version: state.version, modified: now,
      payment_expires_at: state.payments.find((p) => p.id === state.currentPaymentId)?.expiresAt ?? null,
    })
    .returning('*');
  return written as SessionRow | undefined;
}

/**
 * Updates the descriptive fields (metadata, urls, texts): not state, so any status allows it. `fields`
 * computes what to write from the current definition; the row is locked meanwhile, so two concurrent
 * metadata merges both land.
 */
export async function updateSessionFields(
  db: Knex, id: string, fields: (definition: Record<string, unknown>) => Record<string, unknown>, now: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx(T.sessions).where({ id }).first('definition').forUpdate();
    if (!row) return;
    const patch = fields(row.definition as Record<string, unknown>);
    await tx(T.sessions).where({ id }).update({ definition: tx.raw('definition || ?::jsonb', [JSON.stringify(patch)]), modified: now });
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
  return pageQuery<SessionRow>(db, T.sessions, { account_id: scope.accountId, livemode: scope.livemode,
    ...(opts.status ? { status: opts.status } : {}), ...(opts.linkId ? { link_id: opts.linkId } : {}) }, opts);
}
