import knex, { type Knex } from 'knex';

export type Db = Knex;
export type DbOrTx = Knex | Knex.Transaction;

/** How long the database may make a caller wait before it is treated as unreachable. */
export interface DbTimeouts {
  /** Wait for a pooled connection (or a new one) at most this long; then KnexTimeoutError. */
  acquireMs: number;
  /** PostgreSQL cancels any statement running longer (`statement_timeout`); 0 = no limit. */
  statementMs: number;
}

/** A short acquire wait: with PostgreSQL down a request fails in seconds (a 503), not after 30 s. */
export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { acquireMs: 5_000, statementMs: 0 };

/**
 * A knex instance on PostgreSQL. `pg` returns int8 and NUMERIC as strings, which is what we want:
 * the repositories turn them into bigint / decimal strings, never into floats.
 */
export function createDb(connectionString: string, pool = { min: 0, max: 20 }, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): Db {
  const statementMs = Math.max(0, Math.floor(timeouts.statementMs));
  const db = knex({
    client: 'pg',
    connection: connectionString,
    pool: {
      ...pool,
      // Set per connection (not in the URL) so the same URL can serve migrations without a limit.
      afterCreate: (conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) => {
        if (statementMs === 0) return done(null, conn);
        conn.query(`SET statement_timeout = ${statementMs}`, (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: timeouts.acquireMs,
    // knex prints connection failures with console.log; the caller gets the same error and logs it
    // (the API answers 503), so only other messages go through.
    log: { warn: quietConnectionNoise(console.warn), error: quietConnectionNoise(console.error) },
  });
  connectionStrings.set(db, connectionString);
  return db;
}

const connectionStrings = new WeakMap<Db, string>();

/**
 * The URL a pool made by `createDb` connects to, for a connection that must live outside the pool (a
 * LISTEN connection holds its session for as long as anyone listens).
 */
export function connectionStringOf(db: Db): string {
  const url = connectionStrings.get(db);
  if (url === undefined) throw new Error('not a pool made by createDb: its connection URL is unknown');
  return url;
}

const CONNECTION_NOISE = /^(Connection Error|Acquire connection error)/;

function quietConnectionNoise(print: (message: string) => void): (message: string) => void {
  return (message) => { if (!CONNECTION_NOISE.test(String(message))) print(message); };
}
