/**
 * Best-effort ordering of deliveries. Each (event, endpoint) pair is its own workflow, so events of one
 * session dispatched milliseconds apart would race to the receiver. Before its first attempt, a delivery
 * waits until the endpoint's previous event of the same stream has had an attempt logged, so a healthy
 * receiver sees `created` before `payment_paid` before `paid`. The wait is bounded: a slow or failing
 * predecessor delays its successors by at most one attempt, never holds them back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventRow } from '../db/events';
import type { DbOrTx } from '../db/knex';
import { earlierEventsOfStream, hasDelivery, type WebhookEndpointRow } from '../db/webhooks';
import { isSubscribed } from '../domain/eventTypes';

/** Events further back than this are not waited for (they were delivered, or gave up, long ago). */
const ORDERING_HORIZON_MS = 10 * 60_000;
const POLL_MS = 25;

/** The stream an event belongs to: its checkout session (sessions, payments, transfers) or its own object. */
export function streamOf(event: Pick<EventRow, 'object_id' | 'data'>): string {
  const object = (event.data as { object?: { checkout_session?: unknown } }).object;
  return typeof object?.checkout_session === 'string' ? object.checkout_session : event.object_id;
}

/** The endpoint's previous event of the same stream (one it is subscribed to and existed for), if any. */
export async function previousEventFor(db: DbOrTx, endpoint: WebhookEndpointRow, event: EventRow): Promise<EventRow | undefined> {
  const since = Math.max(Number(endpoint.created), Number(event.created) - ORDERING_HORIZON_MS);
  const earlier = await earlierEventsOfStream(db, event, streamOf(event), since);
  return earlier.find((e) => isSubscribed(endpoint.enabled_events, e.event_type));
}

/**
 * Waits up to `maxWaitMs` for an attempt of the previous event of the stream to this endpoint.
 * Returns the ID it waited for and whether that attempt was seen in time.
 */
export async function awaitPredecessor(
  db: DbOrTx, endpoint: WebhookEndpointRow, event: EventRow, maxWaitMs: number,
): Promise<{ previous: string | null; inOrder: boolean }> {
  const previous = await previousEventFor(db, endpoint, event);
  if (!previous) return { previous: null, inOrder: true };
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    if (await hasDelivery(db, endpoint.id, previous.id)) return { previous: previous.id, inOrder: true };
    if (Date.now() >= deadline) return { previous: previous.id, inOrder: false };
    await sleep(POLL_MS);
  }
}
