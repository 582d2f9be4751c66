import type { Knex } from 'knex';

/** Where each payment source got to (e.g. LND's settle_index), so a restarted watcher resumes there. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('watcher_cursors', (t) => {
    t.string('name').primary();
    t.string('value').notNullable();
    t.bigInteger('modified').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('watcher_cursors');
}
