import type { Knex } from 'knex';

/**
 * Per-endpoint backoff (a circuit breaker, docs/webhooks.md "A failing endpoint"). Consecutive failures
 * and a receiver's `Retry-After` describe the endpoint, not each of its deliveries:
 * - `webhook_endpoint_circuits`: one row per endpoint that failed since its last success (none = closed).
 *   At `failures` >= the threshold (or at once on a Retry-After) it is open: only the delivery holding
 *   the probe (`probe_by`, until `probe_until`) attempts, not before `open_until`.
 * - `webhook_parked_deliveries`: the delivery workflows waiting on a durable timer while their endpoint's
 *   circuit is open, woken by signal in event order (`seq`) when it closes. A row is a hint, never the
 *   delivery itself: the workflow's own timer wakes it if the row is lost.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table webhook_endpoint_circuits (
      endpoint_id text primary key,
      failures integer not null,
      open_until bigint,
      probe_by text,
      probe_until bigint,
      updated bigint not null
    )`);
  await knex.raw(`
    create table webhook_parked_deliveries (
      workflow_id text primary key,
      endpoint_id text not null,
      event_id text not null,
      seq bigint not null,
      parked_at bigint not null
    )`);
  await knex.raw('create index webhook_parked_deliveries_endpoint_seq on webhook_parked_deliveries (endpoint_id, seq)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_parked_deliveries');
  await knex.schema.dropTableIfExists('webhook_endpoint_circuits');
}
