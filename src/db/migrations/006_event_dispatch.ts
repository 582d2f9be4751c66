import type { Knex } from 'knex';

/**
 * Marks events handed to the webhook dispatcher, so a sweeper can hand on any event whose dispatch was
 * lost to a crash between its commit and the dispatch (the outbox's second half).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.bigInteger('dispatched_at');
  });
  await knex.raw('create index events_undispatched on events (seq) where dispatched_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists events_undispatched');
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('dispatched_at');
  });
}
