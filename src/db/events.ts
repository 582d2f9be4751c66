import { idFromSeed } from '../domain/ids';
import type { DbOrTx } from './knex';
import { queryPrepared, type PreparedStatement } from './prepared';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { T } from './tables';
import { columnsOf } from './columns';

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
  /** When the dispatcher handed it on (or its account had no endpoint to hand it to); null until then. */
  dispatched_at: string | null;
}

/** Every column of `events`, as EventRow names them. */
export const EVENT_COLUMNS = columnsOf<EventRow>()([
  'id', 'dedupe_key', 'account_id', 'livemode', 'event_type', 'object_id', 'data', 'created', 'seq', 'dispatched_at',
]);

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
  const ids = events.map((e) => idFromSeed('evt', e.dedupeKey));
  const values = events.flatMap((e, i) => [ids[i], e.dedupeKey, e.accountId, e.livemode, e.type, e.objectId, JSON.stringify(e.data), e.created,
    // Again for the endpoint check: PostgreSQL types a parameter once, and the two uses have different column types.
    e.accountId, e.livemode, e.created]);
  const inserted = await queryPrepared<{ id: string; dispatched_at: string | null }>(db, insertEvents(events.length), values);
  // Stored as dispatched: nothing to do. Not returned: it existed (a retry), and the dispatcher skips it if dispatched.
  const settled = new Set(inserted.filter((r) => r.dispatched_at !== null).map((r) => r.id));
  return ids.map((id) => (settled.has(id) ? null : id));
}

/**
 * The insert of `n` events (prepared, one statement per `n`): each stored as dispatched at its own time
 * unless its account has an enabled endpoint in its mode.
 */
function insertEvents(n: number): PreparedStatement {
  let statement = INSERT_EVENTS.get(n);
  if (!statement) {
    statement = {
      name: `insert_events_${n}_v1`,
      text: `insert into ${T.events} (id, dedupe_key, account_id, livemode, event_type, object_id, data, created, dispatched_at)
        values ${Array(n).fill(EVENT_ROW).join(', ')} on conflict (dedupe_key) do nothing returning id, dispatched_at`,
    };
    INSERT_EVENTS.set(n, statement);
  }
  return statement;
}
const INSERT_EVENTS = new Map<number, PreparedStatement>();
// One event's values (11 parameters, in the order recordEventsForDispatch lists them).
const EVENT_ROW = `(?, ?, ?, ?, ?, ?, ?, ?, (select case when exists (select 1 from ${T.webhookEndpoints}
  where account_id = ? and livemode = ? and status = 'enabled' and not deleted) then null else ?::bigint end))`;

export interface EventToRecord {
  dedupeKey: string; accountId: string; livemode: boolean; type: string; objectId: string; data: unknown; created: number;
}

export async function findEvent(db: DbOrTx, id: string, scope: Scope): Promise<EventRow | undefined> {
  return db(T.events).select(EVENT_COLUMNS).where({ id, account_id: scope.accountId, livemode: scope.livemode }).first();
}

export async function listEvents(db: DbOrTx, scope: Scope, opts: PageOptions & { eventType?: string }) {
  return pageQuery<EventRow>(db, T.events, EVENT_COLUMNS, { account_id: scope.accountId, livemode: scope.livemode,
    ...(opts.eventType ? { event_type: opts.eventType } : {}) }, opts, ['seq'], { account_id: scope.accountId, livemode: scope.livemode });
}

/** Deletes events older than `before` (retention). Returns how many went. */
export async function pruneEvents(db: DbOrTx, before: number): Promise<number> {
  return db(T.events).where('created', '<', before).delete();
}

/** Marks events as handed to the webhook dispatcher. */
export async function markEventsDispatched(db: DbOrTx, ids: string[], now: number): Promise<void> {
  if (ids.length > 0) await db(T.events).whereIn('id', ids).whereNull('dispatched_at').update({ dispatched_at: now });
}

/**
 * Claims up to `limit` events committed by `before` and never dispatched, oldest first, for the
 * transaction `tx`: their rows stay locked until it ends, and another relay's claim skips them
 * (`FOR UPDATE SKIP LOCKED`), so relays in several replicas share the outbox instead of racing for it.
 */
export async function claimUndispatchedEventIds(tx: DbOrTx, before: number, limit = 100): Promise<string[]> {
  // A plain index scan of events_undispatched, in seq order, never a bitmap scan and a sort (which the
  // planner picks when it expects few undispatched rows: a table not analysed yet). Passing the entries
  // of events already dispatched, only a plain index scan marks them dead so the next claims skip them;
  // after a bitmap scan every claim reads each such event's heap page again until the next vacuum (a
  // burst of 10,000: 2,000 buffers and ~3 ms a claim, bench round 12). Only for the claim's statement.
  await tx.raw('set local enable_bitmapscan = off');
  const rows = await tx(T.events).select('id').whereNull('dispatched_at').andWhere('created', '<=', before)
    .orderBy('seq').limit(limit).forUpdate().skipLocked();
  await tx.raw('set local enable_bitmapscan to default');
  return rows.map((r: { id: string }) => r.id);
}

