import type { Knex } from 'knex';

/**
 * A rotated-out webhook secret keeps signing beside the new one until `previous_secret_expires` (ms):
 * receivers switch secrets without a delivery that verifies with neither. Only the one secret replaced
 * last is kept. Existing `wsec_` secrets stay as they are: they sign the same (the key is the base64
 * after the prefix), and the merchants who hold them keep verifying.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_endpoints', (t) => {
    t.text('previous_secret');
    t.bigInteger('previous_secret_expires');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_endpoints', (t) => {
    t.dropColumn('previous_secret');
    t.dropColumn('previous_secret_expires');
  });
}
