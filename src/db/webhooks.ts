import { columnsOf } from './columns';
import { EVENT_COLUMNS, type EventRow } from './events';
import type { DbOrTx } from './knex';
import { incrementCounter } from './metricCounters';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { T } from './tables';

/** A webhook_endpoints row (`we_…`). */
export interface WebhookEndpointRow {
  id: string;
  account_id: string;
  livemode: boolean;
  url: string;
  description: string | null;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  secret: string;
  /** The secret a rotation replaced, still signing until `previous_secret_expires` (ms); null when none. */
  previous_secret: string | null;
  previous_secret_expires: string | null;
  deleted: boolean;
  created: string;
  modified: string;
}

/** One delivery attempt of one event to one endpoint. */
export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  manual: boolean;
  ok: boolean;
  http_status: number | null;
  error_kind: string | null;
  error: string | null;
  duration_ms: number;
  response_snippet: string;
  created: string;
}

/** The fields an update may change. */
export type EndpointPatch = Partial<Pick<WebhookEndpointRow,
  'url' | 'description' | 'enabled_events' | 'status' | 'secret' | 'previous_secret' | 'previous_secret_expires'>>;

/** Every column of `webhook_endpoints`, as WebhookEndpointRow names them. */
export const ENDPOINT_COLUMNS = columnsOf<WebhookEndpointRow>()(['id', 'account_id', 'livemode', 'url', 'description', 'enabled_events', 'status', 'secret',
  'previous_secret', 'previous_secret_expires', 'deleted', 'created', 'modified']);

/** Every column of `webhook_deliveries`, as WebhookDeliveryRow names them. */
export const DELIVERY_COLUMNS = columnsOf<WebhookDeliveryRow>()(['id', 'endpoint_id', 'event_id', 'event_type', 'attempt', 'manual', 'ok',
  'http_status', 'error_kind', 'error', 'duration_ms', 'response_snippet', 'created']);

// jsonb columns take JSON text: knex would send a JS array as a PostgreSQL array literal.
function toDb(patch: EndpointPatch): Record<string, unknown> {
  return patch.enabled_events ? { ...patch, enabled_events: JSON.stringify(patch.enabled_events) } : patch;
}

/** Inserts an endpoint unless its ID exists (an idempotent retry); returns the stored row. */
export async function insertEndpoint(db: DbOrTx, row: WebhookEndpointRow): Promise<WebhookEndpointRow> {
  await db(T.webhookEndpoints).insert(toDb(row)).onConflict('id').ignore();
  return (await findEndpoint(db, row.id))!;
}

/** Endpoints an account has (both modes, deleted ones excepted): what the per-account cap counts. */
export async function countEndpoints(db: DbOrTx, accountId: string): Promise<number> {
  const [{ n }] = await db(T.webhookEndpoints).where({ account_id: accountId, deleted: false }).count({ n: '*' });
  return Number(n);
}

/** An endpoint by ID. With a scope, only a non-deleted endpoint of that account and mode. */
export async function findEndpoint(db: DbOrTx, id: string, scope?: Scope): Promise<WebhookEndpointRow | undefined> {
  const q = db(T.webhookEndpoints).select(ENDPOINT_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode, deleted: false });
  return q.first();
}

/** A page of an account's endpoints in one mode, newest first. */
export async function listEndpoints(db: DbOrTx, scope: Scope, opts: PageOptions) {
  return pageQuery<WebhookEndpointRow>(db, T.webhookEndpoints, ENDPOINT_COLUMNS,
    { account_id: scope.accountId, livemode: scope.livemode, deleted: false }, opts,
    // A deleted endpoint still marks its place (its row stays).
    undefined, { account_id: scope.accountId, livemode: scope.livemode });
}

/** Applies `patch` to a non-deleted endpoint; returns the row after the change. */
export async function updateEndpoint(db: DbOrTx, id: string, patch: EndpointPatch, now: number): Promise<WebhookEndpointRow | undefined> {
  await db(T.webhookEndpoints).where({ id, deleted: false }).update({ ...toDb(patch), modified: now });
  return findEndpoint(db, id);
}

/** Marks an endpoint deleted: it disappears from the API and its pending deliveries stop. */
export async function deleteEndpoint(db: DbOrTx, id: string, now: number): Promise<void> {
  await db(T.webhookEndpoints).where({ id }).update({ deleted: true, status: 'disabled', modified: now });
}

/** The enabled endpoints of an account in one mode (subscription is checked by the caller). */
export async function enabledEndpoints(db: DbOrTx, accountId: string, livemode: boolean): Promise<WebhookEndpointRow[]> {
  return db(T.webhookEndpoints).select(ENDPOINT_COLUMNS)
    .where({ account_id: accountId, livemode, status: 'enabled', deleted: false }).orderBy('created');
}

/** Logs one delivery attempt, and counts it by outcome in the same transaction. */
export async function insertDelivery(db: DbOrTx, row: WebhookDeliveryRow): Promise<void> {
  await db.transaction(async (tx) => {
    await tx(T.webhookDeliveries).insert(row);
    await incrementCounter(tx, 'checkout_webhook_deliveries_total', { outcome: row.ok ? 'ok' : (row.error_kind ?? 'error') });
  });
}

/** A page of an endpoint's delivery attempts, newest first, optionally of one event. */
export async function listDeliveries(db: DbOrTx, endpointId: string, opts: PageOptions & { eventId?: string }) {
  return pageQuery<WebhookDeliveryRow>(db, T.webhookDeliveries, DELIVERY_COLUMNS,
    { endpoint_id: endpointId, ...(opts.eventId ? { event_id: opts.eventId } : {}) }, opts, undefined, { endpoint_id: endpointId });
}

/** Whether any attempt (or, with `okOnly`, a successful automatic one) of this pair is logged. */
export async function hasDelivery(db: DbOrTx, endpointId: string, eventId: string, okOnly = false): Promise<boolean> {
  const q = db(T.webhookDeliveries).first('id').where({ endpoint_id: endpointId, event_id: eventId });
  if (okOnly) q.andWhere({ ok: true, manual: false });
  return (await q) !== undefined;
}

/** Deletes attempts logged before `before` (the events they delivered are pruned too). */
export async function pruneDeliveries(db: DbOrTx, before: number): Promise<number> {
  return db(T.webhookDeliveries).where('created', '<', before).delete();
}

/**
 * Events by ID not yet handed to the dispatcher, in the order they were recorded (`seq`). Events of an
 * account without endpoints are stored as dispatched, so for them this one query is all dispatch costs.
 */
export async function undispatchedEventsInOrder(db: DbOrTx, ids: string[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db(T.events).select(EVENT_COLUMNS).whereIn('id', ids).whereNull('dispatched_at').orderBy('seq');
}

/**
 * Recent events of the same account, mode and stream recorded before `event`, latest first. A stream
 * is a checkout session with its payments and transfers (their `checkout_session`), or one object.
 */
export async function earlierEventsOfStream(
  db: DbOrTx, event: EventRow, stream: string, since: number, limit = 20,
): Promise<EventRow[]> {
  return db(T.events).select(EVENT_COLUMNS)
    .where({ account_id: event.account_id, livemode: event.livemode })
    .andWhere('seq', '<', event.seq).andWhere('created', '>=', since)
    .andWhere((w) => { w.where({ object_id: stream }).orWhereRaw("data->'object'->>'checkout_session' = ?", [stream]); })
    .orderBy('seq', 'desc').limit(limit);
}
