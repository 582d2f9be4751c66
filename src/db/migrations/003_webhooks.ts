import type { Knex } from 'knex';

/** Webhook endpoints (SPEC §8) and the log of every delivery attempt. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.text('url').notNullable();
    t.text('description');
    t.jsonb('enabled_events').notNullable(); // event types, `resource.*` or `*`
    t.string('status').notNullable(); // enabled | disabled
    // Kept in clear: signing needs the key itself. It never leaves the API except on create/rotate.
    t.text('secret').notNullable();
    // Soft delete: in-flight deliveries must see "deleted" and stop; the attempt log keeps its endpoint.
    t.boolean('deleted').notNullable().defaultTo(false);
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'created', 'id']);
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('id').primary();
    t.string('endpoint_id').notNullable().references('webhook_endpoints.id');
    t.string('event_id').notNullable(); // no FK: events are pruned after the retention window
    t.string('event_type').notNullable();
    t.integer('attempt').notNullable(); // Temporal's attempt number of the delivery activity
    t.boolean('manual').notNullable().defaultTo(false);
    t.boolean('ok').notNullable();
    t.integer('http_status');
    t.string('error_kind');
    t.text('error');
    t.integer('duration_ms').notNullable();
    t.text('response_snippet').notNullable().defaultTo('');
    t.bigInteger('created').notNullable();
    t.index(['endpoint_id', 'created', 'id']);
    t.index(['endpoint_id', 'event_id']);
    t.index(['created']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['webhook_deliveries', 'webhook_endpoints']) await knex.schema.dropTableIfExists(table);
}
