import { idFromSeed } from '../domain/ids';
import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { T } from './tables';

/** An event row; `data` is the object as the API showed it when the event happened. */
export interface EventRow {
  id: string;
  dedupe_key: string;
  account_id: string;
  livemode: boolean;
  event_type: string;
  object_id: string;
  data: Record<string, unknown>;
  created: string;
  /** Insertion order: events of one session are ordered as they happened. */
  seq: string;
}

/**
 * Records an event once per `dedupeKey` (a retried activity records nothing new). The ID derives from
 * the key, so the same happening always has the same `evt_` ID, and a retry returns the same ID: the
 * caller can dispatch it again (webhook delivery is keyed by event ID, so that is harmless).
 *
 * An event of an account and mode without an enabled endpoint is stored as already dispatched (in the
 * same statement): no endpoint existed when it happened, so none can ever receive it, and the
 * dispatcher and its sweeper skip it without looking up endpoints.
 */
export async function recordEvent(db: DbOrTx, e: EventToRecord): Promise<string> {
  await recordEventForDispatch(db, e);
  return idFromSeed('evt', e.dedupeKey);
}

/**
 * `recordEvent` that tells the caller whether a dispatcher has anything to do: the event's ID if it was
 * stored undispatched (its account has an enabled endpoint) or already existed (a retry: the dispatcher
 * skips it if dispatched), null if it was stored as dispatched. So an account without endpoints costs
 * no dispatch statement at all.
 */
export async function recordEventForDispatch(db: DbOrTx, e: EventToRecord): Promise<string | null> {
  return (await recordEventsForDispatch(db, [e]))[0];
}

/**
 * `recordEventForDispatch` for several events in one statement (the events of one transition), in
 * order: for each, its ID if a dispatcher has anything to do, else null.
 */
export async function recordEventsForDispatch(db: DbOrTx, events: EventToRecord[]): Promise<(string | null)[]> {
  if (events.length === 0) return [];
  const rows = events.map((e) => ({
    id: idFromSeed('evt', e.dedupeKey), dedupe_key: e.dedupeKey, account_id: e.accountId, livemode: e.livemode, event_type: e.type,
    object_id: e.objectId, data: JSON.stringify(e.data), created: e.created,
    dispatched_at: db.raw(`(select case when exists (select 1 from ${T.webhookEndpoints} where account_id = ? and livemode = ?
      and status = 'enabled' and not deleted) then null else ?::bigint end)`, [e.accountId, e.livemode, e.created]),
  }));
  const inserted: Array<{ id: string; dispatched_at: string | null }> = await db(T.events).insert(rows)
    .onConflict('dedupe_key').ignore().returning(['id', 'dispatched_at']);
  // Stored as dispatched: nothing to do. Not returned: it existed (a retry), and the dispatcher skips it if dispatched.
  const settled = new Set(inserted.filter((r) => r.dispatched_at !== null).map((r) => r.id));
  return rows.map((r) => (settled.has(r.id) ? null : r.id));
}

export interface EventToRecord {
  dedupeKey: string; accountId: string; livemode: boolean; type: string; objectId: string; data: unknown; created: number;
}

export async function findEvent(db: DbOrTx, id: string, scope: Scope): Promise<EventRow | undefined> {
  return db(T.events).select('*').where({ id, account_id: scope.accountId, livemode: scope.livemode }).first();
}

export async function listEvents(db: DbOrTx, scope: Scope, opts: PageOptions & { eventType?: string }) {
  return pageQuery<EventRow>(db, T.events, { account_id: scope.accountId, livemode: scope.livemode,
    ...(opts.eventType ? { event_type: opts.eventType } : {}) }, opts, ['seq']);
}

/** Deletes events older than `before` (retention). Returns how many went. */
export async function pruneEvents(db: DbOrTx, before: number): Promise<number> {
  return db(T.events).where('created', '<', before).delete();
}

/** Marks events as handed to the webhook dispatcher. */
export async function markEventsDispatched(db: DbOrTx, ids: string[], now: number): Promise<void> {
  if (ids.length > 0) await db(T.events).whereIn('id', ids).whereNull('dispatched_at').update({ dispatched_at: now });
}

/** IDs of events committed before `before` but never dispatched, oldest first. */
export async function undispatchedEventIds(db: DbOrTx, before: number, limit = 500): Promise<string[]> {
  const rows = await db(T.events).select('id').whereNull('dispatched_at').andWhere('created', '<', before).orderBy('seq').limit(limit);
  return rows.map((r: { id: string }) => r.id);
}
