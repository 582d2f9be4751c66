import type { Logger } from 'pino';
import { claimUndispatchedEventIds } from '../db/events';
import type { DbOrTx } from '../db/knex';
import { listenForRecordedEvents } from './relayWake';
import type { Db } from '../db/knex';

/** Hands the given committed events to webhook deliveries; `db` is the claiming transaction. */
export type EventDispatch = (eventIds: string[], db?: DbOrTx) => Promise<void>;

/**
 * The outbox relay's step, the only way an event reaches a webhook: claims a batch of committed,
 * undispatched events (rows locked, `SKIP LOCKED`: another relay takes other rows), starts their
 * deliveries and marks them dispatched in the same transaction, until none is left. A crash before
 * the commit leaves them undispatched for the next step; a delivery started twice (a lost commit) is
 * refused by Temporal (one workflow ID per event and endpoint). Returns how many events it handed on.
 */
export async function dispatchUndispatched(
  db: DbOrTx, dispatch: EventDispatch, graceMs: number, now = Date.now(), batch = 100,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const ids = await claimUndispatchedEventIds(tx, now - graceMs, batch);
      if (ids.length > 0) await dispatch(ids, tx);
      return ids.length;
    });
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Runs the relay: a step at once whenever an event is recorded for dispatch (PostgreSQL NOTIFY from
 * the insert, migration 110), and every `intervalMs` regardless (a missed notification, a lost
 * listening connection). Steps never overlap; a wake-up during a step runs one more after it, so no
 * event recorded meanwhile waits for the poll. Returns a stop function.
 */
export function startDispatchSweeper(opts: {
  db: Db; dispatch: EventDispatch; log: Logger; intervalMs?: number; graceMs?: number; listen?: boolean;
}): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let again = false;
  let stopped = false;
  const step = (): void => {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    running = dispatchUndispatched(opts.db, opts.dispatch, opts.graceMs ?? 10_000)
      .then((n) => { if (n > 0) opts.log.debug({ events: n }, 'outbox relay dispatched events'); })
      .catch((err) => opts.log.warn({ err }, 'outbox relay step failed; the next one retries'))
      .finally(() => {
        busy = false;
        if (again) step();
      });
  };
  const timer = setInterval(step, opts.intervalMs ?? 10_000);
  timer.unref();
  const unlisten = opts.listen === false ? null : listenForRecordedEvents(opts.db, step, opts.log);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await unlisten?.();
    await running;
  };
}
