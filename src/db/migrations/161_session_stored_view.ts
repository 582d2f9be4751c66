import type { Knex } from 'knex';

/**
 * `checkout_sessions.view_json`: the session's API object as JSON text (src/views/storedSessionView.ts),
 * so `GET /checkout-sessions/{id}` reads one text column and sends it, without reading the 42 columns of
 * the row and its funded payments and rendering them. Null means "not stored": the read renders from
 * the row as before (rows written before this migration, rows copied by SQL, or a write that did not
 * render). Null is always safe, a stale text never is, so the database enforces it:
 * - Inserting a session stores null (a row copied from another carries the other's text).
 * - Updating a session's row stores null unless the same statement sets `view_json` itself: a write
 *   that changes any column and does not render in its statement leaves the view unrendered.
 * - Inserting, updating or deleting a payment that received funds (the only payments the object shows)
 *   locks the session's row and stores null. The lock matters: a writer that renders holds the row lock
 *   from its first write until commit, so a payment written concurrently either commits before that
 *   writer's render reads (and is in it) or waits for its commit and then clears the rendered text.
 * Writers render in the transaction that changes the row (activities/readModel.ts and the other callers
 * of `storeSessionView`), after their last write to it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table checkout_sessions add column view_json text');
  await knex.raw(`
    create or replace function checkout_sessions_view_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        new.view_json := null;
      elsif new.view_json is not distinct from old.view_json and new is distinct from old then
        new.view_json := null;
      end if;
      return new;
    end $$`);
  await knex.raw(`
    create trigger checkout_sessions_view_guard before insert or update on checkout_sessions
      for each row execute function checkout_sessions_view_guard()`);
  await knex.raw(`
    create or replace function payments_clear_session_view() returns trigger language plpgsql as $$
    declare
      session_id text := case when tg_op = 'DELETE' then old.checkout_session_id else new.checkout_session_id end;
    begin
      perform 1 from checkout_sessions where id = session_id for update;
      update checkout_sessions set view_json = null where id = session_id and view_json is not null;
      return null;
    end $$`);
  await knex.raw(`
    create trigger payments_clear_session_view_insert after insert on payments
      for each row when (new.received_sats > 0) execute function payments_clear_session_view()`);
  await knex.raw(`
    create trigger payments_clear_session_view_update after update on payments
      for each row when (old.received_sats > 0 or new.received_sats > 0) execute function payments_clear_session_view()`);
  await knex.raw(`
    create trigger payments_clear_session_view_delete after delete on payments
      for each row when (old.received_sats > 0) execute function payments_clear_session_view()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists payments_clear_session_view_delete on payments');
  await knex.raw('drop trigger if exists payments_clear_session_view_update on payments');
  await knex.raw('drop trigger if exists payments_clear_session_view_insert on payments');
  await knex.raw('drop function if exists payments_clear_session_view()');
  await knex.raw('drop trigger if exists checkout_sessions_view_guard on checkout_sessions');
  await knex.raw('drop function if exists checkout_sessions_view_guard()');
  await knex.raw('alter table checkout_sessions drop column if exists view_json');
}
