/**
 * Best-effort ordering of deliveries. Each (event, endpoint) pair is its own workflow, so events of one
 * session dispatched milliseconds apart would race to the receiver. Before its first attempt, a delivery
 * waits until the endpoint's previous event of the same stream has had an attempt logged, so a healthy
 * receiver sees `created` before `payment_paid` before `paid`. The wait is bounded: a slow or failing
 * predecessor delays its successors by at most one attempt (and at most `ORDERING_WAIT_MAX_MS`),
 * never holds them back.
 *
 * The wait is woken by the attempt's insert (a NOTIFY, migration 144) over the process's one LISTEN
 * connection, and looks at the log again every `FALLBACK_POLL_MS` regardless: a notification lost with
 * that connection costs a second at most, never the order or the bound.
 */
import type { Logger } from 'pino';
import type { EventRow } from '../db/events';
import type { Db, DbOrTx } from '../db/knex';
import { earlierEventsOfStream, hasDelivery, type WebhookEndpointRow } from '../db/webhooks';
import { isSubscribed } from '../domain/eventTypes';
import { watchAttempts } from './attemptNotices';

/** Events further back than this are not waited for (they were delivered, or gave up, long ago). */
const ORDERING_HORIZON_MS = 10 * 60_000;
/** How often a waiting delivery reads the log without being woken. */
export const FALLBACK_POLL_MS = 1_000;

/**
 * The longest a delivery waits for its predecessor, whatever the attempt timeout. The wait holds one
 * of the webhook worker's delivery slots, and the predecessor may be the one not yet running: with
 * every slot taken by successors waiting for deliveries queued behind them, the worker would send
 * nothing for a whole attempt timeout (up to minutes). A receiver that answers within it still sees
 * its events in order.
 */
export const ORDERING_WAIT_MAX_MS = 5_000;

/** How long a first attempt waits for its predecessor: one attempt timeout, at most `ORDERING_WAIT_MAX_MS`. */
export function orderingWaitMs(attemptTimeoutMs: number): number {
  return Math.min(attemptTimeoutMs, ORDERING_WAIT_MAX_MS);
}

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
  db: Db, endpoint: WebhookEndpointRow, event: EventRow, maxWaitMs: number,
  opts: { log: Logger; fallbackPollMs?: number; signal?: AbortSignal },
): Promise<{ previous: string | null; inOrder: boolean }> {
  const previous = await previousEventFor(db, endpoint, event);
  if (!previous) return { previous: null, inOrder: true };
  const deadline = Date.now() + maxWaitMs;
  // Watched before the first look: an attempt logged while that look runs still wakes the wait.
  const watch = watchAttempts(db, opts.log, endpoint.id, previous.id);
  try {
    for (;;) {
      // A cancelled attempt (its worker shutting down) stops waiting at once rather than at the bound.
      opts.signal?.throwIfAborted();
      if (await hasDelivery(db, endpoint.id, previous.id)) return { previous: previous.id, inOrder: true };
      const left = deadline - Date.now();
      if (left <= 0) return { previous: previous.id, inOrder: false };
      await untilAborted(watch.next(Math.min(left, opts.fallbackPollMs ?? FALLBACK_POLL_MS)), opts.signal);
    }
  } finally {
    await watch.close();
  }
}

/** `wait`, ended early (resolved) when `signal` aborts; the caller then sees the abort. */
function untilAborted(wait: Promise<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.resolve();
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => { onAbort = resolve; signal.addEventListener('abort', onAbort, { once: true }); });
  return Promise.race([wait, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
