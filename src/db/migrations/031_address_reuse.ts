import type { Knex } from 'knex';

/**
 * Renewals that cost O(1): a session's renewed payment keeps its unfunded on-chain address, so an address
 * belongs to one or more payments of one session (the watcher credits the newest), and the session row
 * knows when its current payment expires, so a read can ask for a renewal without another query.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropUnique(['onchain_address']);
    t.index(['onchain_address', 'seq'], 'payments_onchain_address_seq');
  });
  await knex.schema.alterTable('checkout_sessions', (t) => {
    t.bigInteger('payment_expires_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkout_sessions', (t) => { t.dropColumn('payment_expires_at'); });
  await knex.schema.alterTable('payments', (t) => {
    t.dropIndex(['onchain_address', 'seq'], 'payments_onchain_address_seq');
    t.unique(['onchain_address']);
  });
}
