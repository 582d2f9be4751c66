import type { Knex } from 'knex';

/**
 * The node block scan's state. `chain_blocks` is the recent chain as scanned (height → hash, parent):
 * the cursor, and what a reorg is detected against. `chain_outputs` holds outputs to watched addresses
 * seen in those blocks until they are deep enough to count; a reorg deletes the ones whose block
 * vanished (or flags them when they had already been counted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chain_blocks', (t) => {
    t.integer('height').primary();
    t.string('hash', 64).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.bigInteger('scanned_at').notNullable();
  });
  await knex.schema.createTable('chain_outputs', (t) => {
    t.string('reference').primary(); // txid:vout, the receipt reference once counted
    t.string('address').notNullable();
    t.bigInteger('amount_sats').notNullable();
    t.integer('block_height').notNullable();
    t.string('block_hash', 64).notNullable();
    t.string('status').notNullable(); // seen | counted | reorged
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['status', 'block_height']);
    t.index(['block_hash']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('chain_outputs');
  await knex.schema.dropTableIfExists('chain_blocks');
}
