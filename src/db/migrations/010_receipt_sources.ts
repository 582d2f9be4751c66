import type { Knex } from 'knex';

/**
 * Receipt references are unique per (mode, source), not globally. `source` names the network the
 * reference comes from: `onchain` (txid:vout), `lightning` (payment hash) or `simulator` (test-mode
 * simulated money, always `sim:<account>:…`). A simulated reference can therefore never occupy a chain
 * reference, and a test-mode receipt can never occupy a live one: before this, any test key could
 * pre-claim a live payment hash and make the real payment count as a duplicate.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipts', (t) => {
    t.string('source');
  });
  // Existing rows keep their method as their source: the chain they came from (or were simulated as).
  await knex('receipts').update({ source: knex.ref('method') });
  await knex.schema.alterTable('receipts', (t) => {
    t.string('source').notNullable().alter();
    t.dropUnique(['reference']);
    t.unique(['livemode', 'source', 'reference'], { indexName: 'receipts_mode_source_reference_unique' });
  });
  await knex.raw(`alter table receipts add constraint receipts_source_check
    check (source in ('onchain', 'lightning', 'simulator') and (source <> 'simulator' or (not livemode and reference like 'sim:%')))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table receipts drop constraint if exists receipts_source_check');
  await knex.schema.alterTable('receipts', (t) => {
    t.dropUnique(['livemode', 'source', 'reference'], 'receipts_mode_source_reference_unique');
    t.unique(['reference']);
    t.dropColumn('source');
  });
}
