import knex, { type Knex } from 'knex';

export type Db = Knex;
export type DbOrTx = Knex | Knex.Transaction;

/**
 * A knex instance on PostgreSQL. `pg` returns int8 and NUMERIC as strings, which is what we want:
 * the repositories turn them into bigint / decimal strings, never into floats.
 */
export function createDb(connectionString: string, pool = { min: 0, max: 20 }): Db {
  return knex({ client: 'pg', connection: connectionString, pool, acquireConnectionTimeout: 30_000 });
}
