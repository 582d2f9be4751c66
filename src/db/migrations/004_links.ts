import type { Knex } from 'knex';

/**
 * Checkout links (one session each) and payment links (a new session per visit), in one table: both
 * hold the merchant's session fields and differ only in how sessions are opened from them (SPEC §7).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('links', (t) => {
    t.string('id').primary();
    t.string('kind').notNullable(); // checkout | payment
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    // active | deactivated. A checkout link's "paid" is read from its session, never stored twice.
    t.string('status').notNullable();
    t.jsonb('definition').notNullable(); // the validated session fields, as the merchant gave them
    t.string('checkout_session_id'); // checkout links only: their one session
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'kind', 'created', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('links');
}
