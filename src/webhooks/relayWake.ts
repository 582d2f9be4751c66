import type { Logger } from 'pino';
import type { Db } from '../db/knex';

/** The channel the events insert notifies (migration 110). */
export const EVENTS_RECORDED_CHANNEL = 'checkout_events_recorded';

interface ListeningConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', fn: () => void): void;
  on(event: 'error' | 'end', fn: (err?: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * Calls `onWake` whenever an event is recorded for dispatch, over one connection of its own outside the
 * pool (LISTEN holds it for good). If that connection fails it is opened again after `retryMs`; until
 * then the relay's poll alone finds the events. Returns a stop function.
 */
export function listenForRecordedEvents(db: Db, onWake: () => void, log: Logger, retryMs = 5_000): () => Promise<void> {
  let connection: ListeningConnection | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  const close = async (c: ListeningConnection) => {
    c.removeAllListeners();
    await db.client.destroyRawConnection(c).catch(() => undefined);
  };
  const connect = async (): Promise<void> => {
    retry = null;
    let c: ListeningConnection | null = null;
    try {
      c = (await db.client.acquireRawConnection()) as ListeningConnection;
      c.on('notification', onWake);
      c.on('error', (err) => lost(c!, err));
      c.on('end', () => lost(c!));
      await c.query(`LISTEN ${EVENTS_RECORDED_CHANNEL}`);
      if (stopped) { await close(c); return; }
      connection = c;
      onWake(); // events recorded while it was not listening
    } catch (err) {
      if (c) await close(c);
      lost(null, err as Error);
    }
  };
  const lost = (c: ListeningConnection | null, err?: Error) => {
    if (c && c !== connection) return;
    connection = null;
    if (c) void close(c);
    if (stopped || retry) return;
    log.warn({ err }, 'outbox relay: not listening for recorded events; polling until the connection is back');
    retry = setTimeout(() => void connect(), retryMs);
    retry.unref();
  };
  const started = connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await started;
    if (connection) {
      const c = connection;
      connection = null;
      await close(c);
    }
  };
}
