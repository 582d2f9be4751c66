import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { sharedListener } from '../db/notifications';

/** The channel the events insert notifies (migration 110). */
export const EVENTS_RECORDED_CHANNEL = 'checkout_events_recorded';

/**
 * Calls `onWake` whenever an event is recorded for dispatch, and once each time the process's LISTEN
 * connection (src/db/notifications.ts, shared with the delivery waiters) starts listening, for the events
 * recorded while it was not. Until a lost connection is back the relay's poll alone finds the events.
 * Returns a stop function.
 */
export function listenForRecordedEvents(db: Db, onWake: () => void, log: Logger): () => Promise<void> {
  return sharedListener(db, log).subscribe(EVENTS_RECORDED_CHANNEL, { onNotify: onWake, onListening: onWake });
}
