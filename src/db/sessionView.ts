import type { Db, DbOrTx } from './knex';
import { queryPrepared, queryPreparedArraysOnPool } from './prepared';
import { pageQuery, type PageOptions } from './pagination';
import { sessionListCursorScope, sessionListFilter, withFunded, SESSION_ROW_COLUMNS, type Scope, type SessionRow } from './sessions';
import type { PaymentRow } from './payments';
import { T } from './tables';

/**
 * The column holding a session's API object as JSON text (migration 161), read only by the statements
 * of this file: it is not part of `SessionRow`, so no other read carries it.
 */
export const STORED_VIEW_COLUMN = 'view_json';

/**
 * Renders the stored text of a session from its row and funded payments (src/views/storedSessionView.ts
 * passes its renderer down: the view lives above this layer).
 */
export type SessionViewRenderer = (row: SessionRow, funded: PaymentRow[]) => string;

const STORE = {
  name: 'store_session_view_v1',
  text: `update ${T.sessions} set ${STORED_VIEW_COLUMN} = ? where id = ?`,
};

/**
 * Stores the rendered object of session `id`. Only inside the transaction that wrote the row, after its
 * last write to the row and its payments, with `text` rendered from the row as that transaction sees it:
 * the row is locked by the transaction's own write, so no other write can land between the read the
 * text was rendered from and this statement (migration 161 clears the text on any write that does not
 * set it). The transaction runs at READ COMMITTED (knex's default), so the reads the text is rendered
 * from, made after the row's write, see every payment committed before the row was locked; under
 * REPEATABLE READ they would see the transaction's first snapshot instead.
 */
export async function storeSessionView(tx: DbOrTx, id: string, text: string): Promise<void> {
  await queryPrepared(tx, STORE, [text, id]);
}

/**
 * Renders and stores the object of session `id` inside a transaction that may not have written its row
 * yet: the row is locked first (`for update`), then read with its funded payments, so the text matches
 * what commits. Nothing is stored for a session that does not exist.
 */
export async function restoreSessionView(tx: DbOrTx, id: string, render: SessionViewRenderer): Promise<void> {
  const [row] = await queryPrepared<SessionRow>(tx, LOCKED_ROW, [id]);
  if (!row) return;
  const { funded } = await withFunded(tx, row);
  await storeSessionView(tx, id, render(row, funded));
}

const LOCKED_ROW = {
  name: 'session_row_for_view_v1',
  text: `select ${SESSION_ROW_COLUMNS.join(', ')} from ${T.sessions} where id = ? for update`,
};

// The key check of the merchant auth (hash, not revoked) and the stored object in one statement: no row
// means no such key; a row with a null id means no session of the key's account and mode.
const VIEW_BY_KEY = {
  name: 'checkout_session_view_by_key_v1',
  text: `with k as (select account_id, livemode from ${T.apiKeys} where key_hash = ? and revoked_at is null)
    select k.account_id, k.livemode, s.id, s.${STORED_VIEW_COLUMN}
    from k left join ${T.sessions} s on s.id = ? and s.account_id = k.account_id and s.livemode = k.livemode`,
};

/**
 * The owner of an unrevoked secret key (by its hash) and, for that owner's session `id`, its stored
 * object: `null` for an unknown or revoked key; `exists` false when the owner has no such session;
 * `view` null when the session's object is not stored (render it from the row).
 */
export async function readSessionViewForKey(
  db: Db, keyHash: string, id: string,
): Promise<{ scope: Scope; exists: boolean; view: string | null } | null> {
  const { rows } = await queryPreparedArraysOnPool(db, VIEW_BY_KEY, [keyHash, id]);
  const first = rows[0] as [string, boolean, string | null, string | null] | undefined;
  if (!first) return null;
  return { scope: { accountId: first[0], livemode: first[1] }, exists: first[2] !== null, view: first[3] };
}

/**
 * A page of sessions exactly as `listSessions` pages them (same filters, order and cursors), each with
 * its stored object only: `view` null when it is not stored (render that one from its row).
 */
export async function listSessionViews(
  db: DbOrTx, scope: Scope, opts: PageOptions & { status?: string },
): Promise<{ rows: { id: string; view: string | null }[]; hasMore: boolean }> {
  const { rows, hasMore } = await pageQuery<{ id: string; view_json: string | null }>(
    db, T.sessions, ['id', STORED_VIEW_COLUMN], sessionListFilter(scope, opts), opts, undefined, sessionListCursorScope(scope));
  return { rows: rows.map((r) => ({ id: r.id, view: r.view_json })), hasMore };
}
