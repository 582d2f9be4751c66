import type { Knex } from 'knex';
import type { QueryArrayConfig, QueryArrayResult, QueryResult } from 'pg';
import type { Db, DbOrTx } from './knex';

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

/**
 * A prepared statement of a read outside any transaction, run on a connection of knex's own pool
 * (`client.acquireConnection`, same pool, limits and `statement_timeout`) but without knex's query
 * runner: for the API's hottest read, where the runner's work per call (scanning the text for `?` twice,
 * cloning the query object, its events) was ~8 % of the request's CPU (bench/README.md, round 10). The
 * statement is still reported to knex's `query` listeners; its rows are as `queryPreparedArrays` gives them.
 */
export async function queryPreparedArraysOnPool(db: Db, statement: PreparedStatement, values: unknown[]): Promise<QueryArrayResult> {
  const text = numbered(statement);
  const bindings = values.map((v) => (v === undefined ? null : v));
  const connection = await db.client.acquireConnection() as { query(config: QueryArrayConfig): Promise<QueryArrayResult> };
  try {
    db.emit('query', { sql: text, bindings, method: 'raw', options: { name: statement.name, rowMode: 'array' } });
    return await connection.query({ name: statement.name, text, values: bindings, rowMode: 'array' });
  } finally {
    await db.client.releaseConnection(connection);
  }
}

const numberedTexts = new WeakMap<PreparedStatement, string>();

/** The statement's text with knex's `?` numbered `$1`, `$2`… as knex would send it (no `?` operator appears in it). */
function numbered(statement: PreparedStatement): string {
  let text = numberedTexts.get(statement);
  if (text === undefined) {
    let n = 0;
    text = statement.text.replace(/\?/g, () => `$${++n}`);
    numberedTexts.set(statement, text);
  }
  return text;
}
