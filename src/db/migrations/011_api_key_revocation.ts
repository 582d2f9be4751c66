import type { Knex } from 'knex';

/** API keys can be revoked: a revoked key stays listed (for the audit trail) and authenticates nothing. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.bigInteger('revoked_at');
    t.string('label'); // what issued it (e.g. "demo"), so a restart can revoke its predecessor
    t.index(['account_id', 'created']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropIndex(['account_id', 'created']);
    t.dropColumn('label');
    t.dropColumn('revoked_at');
  });
}
