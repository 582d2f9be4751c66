import type { Knex } from 'knex';

/**
 * Per-endpoint in-flight window (docs/webhooks.md "In flight per endpoint"): one row per delivery
 * workflow that the outbox relay or the circuit waker started and that has not ended yet. The relay
 * and the waker start a delivery only while its endpoint has fewer than WEBHOOK_ENDPOINT_WINDOW rows
 * (under a per-endpoint advisory lock); the others wait as `webhook_parked_deliveries` rows. A delivery
 * workflow deletes its row when it ends (patch `webhook-delivery-window`); a row whose workflow ended
 * without doing so (terminated, or run by older code) is found by the waker (`checked`: when it last
 * asked Temporal) and dropped.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table webhook_inflight_deliveries (
      workflow_id text primary key,
      endpoint_id text not null,
      seq bigint not null,
      started bigint not null,
      checked bigint
    )`);
  await knex.raw('create index webhook_inflight_deliveries_endpoint on webhook_inflight_deliveries (endpoint_id, started)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_inflight_deliveries');
}
