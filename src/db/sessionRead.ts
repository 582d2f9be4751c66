import type { QueryArrayResult } from 'pg';
import type { Db } from './knex';
import type { PaymentRow } from './payments';
import type { Scope, SessionRow } from './sessions';
import { T } from './tables';

/** The pg client knex's pool hands out: only what this module calls. */
interface PgConnection {
  query(q: { name: string; text: string; values: unknown[]; rowMode: 'array' }): Promise<QueryArrayResult>;
}

// One round trip for the API's hot read: the session and its funded payments (none until something
// was received: `target_amount_paid` is written in the same transaction as the payments), one row per
// funded payment, or one row with the payment columns null. `__funded` marks where they begin, so new
// columns on either table need no change here; pg parses every column as knex would (int8/NUMERIC as strings).
const SQL = `select s.*, null as "__funded", p.* from ${T.sessions} s
  left join ${T.payments} p on p.checkout_session_id = s.id and s.target_amount_paid > 0 and p.received_sats > 0
  where s.id = $1 and s.account_id = $2 and s.livemode = $3 order by p.seq`;
const STATEMENT = 'checkout_session_read_v1';

/**
 * A session of `scope` with its funded payments, read with one named prepared statement (parsed and
 * planned once per connection) straight on a pooled pg connection: the GET path skips the query
 * builder. The statement is still reported to knex's `query` listeners, so it is counted like any other.
 */
export async function readSessionWithFunded(
  db: Db, id: string, scope: Scope,
): Promise<{ row: SessionRow; funded: PaymentRow[] } | undefined> {
  const values = [id, scope.accountId, scope.livemode];
  const connection = (await db.client.acquireConnection()) as PgConnection;
  let result: QueryArrayResult;
  try {
    db.client.emit('query', { sql: SQL, bindings: values, method: 'select' });
    result = await connection.query({ name: STATEMENT, text: SQL, values, rowMode: 'array' });
  } finally {
    await db.client.releaseConnection(connection);
  }
  if (result.rows.length === 0) return undefined;
  const names = result.fields.map((f) => f.name);
  const split = names.indexOf('__funded');
  const toObject = (values: unknown[], from: number, to: number) => {
    const o: Record<string, unknown> = {};
    for (let i = from; i < to; i++) o[names[i]] = values[i];
    return o;
  };
  const row = toObject(result.rows[0], 0, split) as unknown as SessionRow;
  // The first payment column is its primary key: null only on the row of a session without funded payments.
  const funded = result.rows.filter((r) => r[split + 1] !== null)
    .map((r) => toObject(r, split + 1, names.length) as unknown as PaymentRow);
  return { row, funded };
}
