import type { Knex } from 'knex';
import type { QueryArrayResult, QueryResult } from 'pg';
import type { DbOrTx } from './knex';

/**
 * A statement PostgreSQL parses and plans once per connection. Its name identifies its text on every
 * pooled connection, so a changed text needs a new name (hence the `_v1`, `_v2` suffixes). Its columns
 * are always named, never `select *` / `returning *`: PostgreSQL refuses to run a prepared statement
 * whose result columns changed since it was planned ("cached plan must not change result type"), so a
 * column added by a migration run ahead of a rollout would break every running process.
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** The pg client knex's pool hands out: only what this module calls. */
interface PgConnection {
  query(q: { name: string; text: string; values: unknown[]; rowMode?: 'array' }): Promise<QueryResult & QueryArrayResult>;
}

/**
 * Runs a prepared statement straight on the connection knex would use (inside a transaction, the
 * transaction's own): the statements every create or read runs skip the query builder, and PostgreSQL
 * skips their parse and plan after the first use on a connection. They are still reported to knex's
 * `query` listeners, so they are counted like any other statement. Values go through pg's conversion,
 * as knex's do (objects as JSON, bigint-like strings as they are).
 */
async function run(db: DbOrTx, statement: PreparedStatement, values: unknown[], rowMode?: 'array'): Promise<QueryResult & QueryArrayResult> {
  // knex refuses a query on a finished transaction in its query path, which this bypasses: without the
  // same guard, a late call would run on the pooled connection, inside whatever transaction holds it now.
  if (db.isTransaction && (db as Knex.Transaction).isCompleted()) {
    throw new Error(`Transaction query already complete: prepared statement ${statement.name} refused`);
  }
  const connection = (await db.client.acquireConnection()) as PgConnection;
  try {
    db.client.emit('query', { sql: statement.text, bindings: values, method: 'raw' });
    return await connection.query({ ...statement, values, ...(rowMode ? { rowMode } : {}) });
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/** The rows of a prepared statement, as objects keyed by column name. */
export async function queryPrepared<R>(db: DbOrTx, statement: PreparedStatement, values: unknown[]): Promise<R[]> {
  return (await run(db, statement, values)).rows as R[];
}

/** The result of a prepared statement with each row as an array (for joins whose column names repeat). */
export async function queryPreparedArrays(db: DbOrTx, statement: PreparedStatement, values: unknown[]): Promise<QueryArrayResult> {
  return run(db, statement, values, 'array');
}
