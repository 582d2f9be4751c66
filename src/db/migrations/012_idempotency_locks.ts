import type { Knex } from 'knex';

/**
 * An Idempotency-Key is locked while its request runs: a concurrent request with the same key gets a
 * 409 instead of running the handler a second time. The lock expires, so a request whose process died
 * can be retried (with the same seed, so it finds what the first attempt made).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.bigInteger('locked_until');
    t.index(['created']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropIndex(['created']);
    t.dropColumn('locked_until');
  });
}
