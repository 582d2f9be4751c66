import type { Knex } from 'knex';

/**
 * The currency the dashboard shows an account's revenue in besides sats (one of the currencies a session
 * may be priced in, validated at the edge by the same schema as a session's `currency`). Existing
 * accounts get USD, the demo's default pricing currency.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table accounts add column display_currency varchar(8) not null default 'USD'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table accounts drop column display_currency');
}
