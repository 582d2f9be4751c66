import type { Knex } from 'knex';

/**
 * Wakes the deliveries waiting for this one (src/webhooks/ordering.ts): each logged attempt of an
 * (endpoint, event) pair notifies `checkout_delivery_attempted` with `endpoint_id event_id` as payload.
 * PostgreSQL delivers it at commit (never for a rolled-back insert), and a waiter re-reads the log
 * before it trusts anything, so the notification only says when to look, never what is there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function webhook_deliveries_notify_attempt() returns trigger language plpgsql as $$
    begin
      perform pg_notify('checkout_delivery_attempted', new.endpoint_id || ' ' || new.event_id);
      return null;
    end $$`);
  await knex.raw(`
    create trigger webhook_deliveries_notify_attempt after insert on webhook_deliveries
    for each row execute function webhook_deliveries_notify_attempt()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists webhook_deliveries_notify_attempt on webhook_deliveries');
  await knex.raw('drop function if exists webhook_deliveries_notify_attempt()');
}
