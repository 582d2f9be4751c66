import type { Knex } from 'knex';

/**
 * Wakes the outbox relay when an event is recorded for dispatch (stored with `dispatched_at` null:
 * its account has an enabled endpoint), so a delivery starts at once instead of at the relay's next
 * poll. PostgreSQL delivers a NOTIFY at commit and folds identical ones of a transaction into one, so
 * a transition recording several events wakes the relay once, and a rolled-back one never. Events of
 * accounts without endpoints are stored as dispatched and notify nothing. The poll stays: a relay that
 * was not listening (restarting, its connection lost) still finds every event.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function events_notify_relay() returns trigger language plpgsql as $$
    begin
      perform pg_notify('checkout_events_recorded', '');
      return null;
    end $$`);
  await knex.raw(`
    create trigger events_notify_relay after insert on events
    for each row when (new.dispatched_at is null) execute function events_notify_relay()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists events_notify_relay on events');
  await knex.raw('drop function if exists events_notify_relay()');
}
