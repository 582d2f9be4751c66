/**
 * Event retention (SPEC §8: events are kept 30 days). A periodic loop in the worker process deletes
 * older events and the delivery attempts logged for them, and Idempotency-Keys past their 24 hours;
 * deleting is idempotent, so several workers pruning at once only repeat each other's work.
 */
import type { Logger } from 'pino';
import { pruneEvents } from '../db/events';
import { pruneIdempotencyKeys } from '../db/idempotency';
import type { DbOrTx } from '../db/knex';
import { pruneDeliveries } from '../db/webhooks';

const DAY_MS = 86_400_000;

/** Deletes events and delivery attempts older than `retentionDays` before `now`; returns how many of each went. */
export async function pruneExpired(
  db: DbOrTx, retentionDays: number, now = Date.now(),
): Promise<{ events: number; deliveries: number; idempotencyKeys: number }> {
  const before = now - retentionDays * DAY_MS;
  return {
    events: await pruneEvents(db, before), deliveries: await pruneDeliveries(db, before),
    idempotencyKeys: await pruneIdempotencyKeys(db, now - DAY_MS),
  };
}

/** Prunes once now and then every `intervalMs` (default hourly); the returned function stops the loop. */
export function startRetentionLoop(opts: { db: DbOrTx; log: Logger; retentionDays: number; intervalMs?: number }): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const tick = (): void => {
    if (busy) return; // a slow prune is still going: skip this tick rather than pile up deletes
    busy = true;
    running = pruneExpired(opts.db, opts.retentionDays)
      .then((pruned) => { if (pruned.events + pruned.deliveries + pruned.idempotencyKeys > 0) opts.log.info(pruned, 'pruned expired rows'); })
      .catch((err) => { opts.log.warn({ err }, 'event pruning failed; next tick retries'); })
      .finally(() => { busy = false; });
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
