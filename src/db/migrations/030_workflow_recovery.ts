import type { Knex } from 'knex';

/**
 * Failure visibility of the money path: why a transfer is `failed` (it is retried by its session's
 * workflow), and a per-receipt backoff for handing stored receipts to their workflows again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transfers', (t) => {
    t.text('failure_reason').nullable();
  });
  await knex.schema.alterTable('receipts', (t) => {
    t.integer('redeliveries').notNullable().defaultTo(0);
    t.bigInteger('next_redelivery_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transfers', (t) => { t.dropColumn('failure_reason'); });
  await knex.schema.alterTable('receipts', (t) => { t.dropColumn('redeliveries'); t.dropColumn('next_redelivery_at'); });
}
