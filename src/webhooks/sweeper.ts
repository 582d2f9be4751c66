import type { Logger } from 'pino';
import { undispatchedEventIds } from '../db/events';
import type { DbOrTx } from '../db/knex';

/**
 * Hands on events that were committed but never dispatched (a crash between an API call's commit and
 * its dispatch, say). Dispatch is idempotent per (event, endpoint), so a sweep racing the normal path
 * sends nothing twice. Returns how many events it handed on.
 */
export async function dispatchUndispatched(
  db: DbOrTx, dispatch: (eventIds: string[]) => Promise<void>, graceMs: number, now = Date.now(),
): Promise<number> {
  const ids = await undispatchedEventIds(db, now - graceMs);
  if (ids.length > 0) await dispatch(ids);
  return ids.length;
}

/** Sweeps every `intervalMs` (default 10 s) for events older than `graceMs`; returns a stop function. */
export function startDispatchSweeper(opts: {
  db: DbOrTx; dispatch: (eventIds: string[]) => Promise<void>; log: Logger; intervalMs?: number; graceMs?: number;
}): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = dispatchUndispatched(opts.db, opts.dispatch, opts.graceMs ?? 10_000)
      .then((n) => { if (n > 0) opts.log.info({ events: n }, 'dispatched events whose dispatch had been lost'); })
      .catch((err) => opts.log.warn({ err }, 'event sweep failed; next tick retries'))
      .finally(() => { busy = false; });
  }, opts.intervalMs ?? 10_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
