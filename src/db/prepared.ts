import type { Knex } from 'knex';
import type { QueryArrayResult, QueryResult } from 'pg';
import type { DbOrTx } from './knex';

/**
 * A statement PostgreSQL parses and plans once per connection. Its name identifies its text on every
 * pooled connection, so a changed text needs a new name (hence the `_v1`, `_v2` suffixes). Its columns
 * are always named, never `select *` / `returning *`: PostgreSQL refuses to run a prepared statement
 * whose result columns changed since it was planned ("cached plan must not change result type"), so a
 * column added by a migration run ahead of a rollout would break every running process.
 *
 * Its parameters are knex's positional `?` (no `$1`), one per use, in the order of `values`; no `?`
 * operator (jsonb) appears in it. knex numbers them `$1`, `$2`… in order, so the text PostgreSQL gets is
 * the same whatever the values (an array is one parameter; the values are never knex fragments), and `pg`
 * refuses a known name with another text on a connection.
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs a prepared statement through knex's public API: a raw query whose client-specific `options`
 * (`name`, `rowMode`) knex's pg dialect mixes into `pg`'s query config, so `pg` prepares it on first use
 * on a connection and later only binds and executes it. knex picks the connection (inside a transaction,
 * the transaction's own; a finished transaction refuses it), reports it to its `query` listeners like any
 * other statement, and leaves the result as `pg` made it (values converted as knex converts them:
 * objects as JSON, int8/NUMERIC as strings). An undefined value is sent as null, as `pg` would.
 */
async function run(db: DbOrTx, statement: PreparedStatement, values: unknown[], rowMode?: 'array'): Promise<QueryResult & QueryArrayResult> {
  const bindings = values.map((v): Knex.Value => (v === undefined ? null : (v as Knex.Value)));
  return db.raw(statement.text, bindings).options(rowMode ? { name: statement.name, rowMode } : { name: statement.name });
}

/** The rows of a prepared statement, as objects keyed by column name. */
export async function queryPrepared<R>(db: DbOrTx, statement: PreparedStatement, values: unknown[]): Promise<R[]> {
  return (await run(db, statement, values)).rows as R[];
}

/** The result of a prepared statement with each row as an array (for joins whose column names repeat). */
export async function queryPreparedArrays(db: DbOrTx, statement: PreparedStatement, values: unknown[]): Promise<QueryArrayResult> {
  return run(db, statement, values, 'array');
}
