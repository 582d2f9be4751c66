import type { Knex } from 'knex';

/**
 * Business counters, kept where the rows they count are written (src/db/metricCounters.ts): one row per
 * (name, labels, shard), incremented in the transaction of the transition it counts, so `/metrics` reads
 * a few dozen rows instead of aggregating whole tables. Shards spread concurrent increments of one
 * series over several rows (each increment locks its row until its transaction commits).
 * The partial indexes keep the gauges' reads to the rows they are about: the sessions needing attention
 * (an exception status) and the receipts not yet credited (the credit lag).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table metric_counters (
      name varchar(100) not null,
      labels jsonb not null,
      shard smallint not null,
      value bigint not null default 0,
      primary key (name, labels, shard)
    )`);
  await knex.raw('create index checkout_sessions_needing_attention on checkout_sessions (livemode) where exception_status is not null');
  await knex.raw(`create index receipts_uncredited on receipts (method, created) where status = 'received'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists receipts_uncredited');
  await knex.raw('drop index if exists checkout_sessions_needing_attention');
  await knex.schema.dropTableIfExists('metric_counters');
}
