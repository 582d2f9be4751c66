import { Client } from 'pg';
import type { Logger } from 'pino';
import { connectionStringOf, type Db } from './knex';

/** What a subscriber of a channel is told. */
export interface ChannelSubscriber {
  /** A NOTIFY on the channel, with its payload ('' when none). */
  onNotify(payload: string): void;
  /**
   * The channel is (again) listened to: notifications sent before this moment may have been missed
   * (the connection was still opening, or was lost), so whatever they would have said must be re-read.
   */
  onListening?(): void;
}

/** One LISTEN connection shared by every subscriber of a pool (see `sharedListener`). */
export interface NotificationListener {
  /** Subscribes to `channel` (a lowercase identifier); returns the unsubscribe function. */
  subscribe(channel: string, subscriber: ChannelSubscriber): () => Promise<void>;
}

type ListeningConnection = Client;

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * PostgreSQL LISTEN for a process: one connection of its own outside the pool (LISTEN holds it for as
 * long as anyone listens), opened by the first subscriber and closed after the last leaves. Every
 * channel is listened to on it, so a relay and any number of waiters cost one connection. PostgreSQL
 * delivers a NOTIFY at its transaction's commit, never for a rolled-back one. If the connection fails
 * it is opened again after `retryMs`; until then nothing is notified, so every user of a notification
 * also polls (slowly): a lost notification costs latency, never correctness. After each (re)connect,
 * `onListening` tells each subscriber to re-read what it may have missed.
 */
class PgListener implements NotificationListener {
  private readonly subscribers = new Map<string, Set<ChannelSubscriber>>();
  private connection: ListeningConnection | null = null;
  /** Channels LISTENed on `connection`. */
  private listened = new Set<string>();
  private opening: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db, private readonly log: Logger, private readonly retryMs: number) {}

  subscribe(channel: string, subscriber: ChannelSubscriber): () => Promise<void> {
    if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(subscriber);
    if (this.connection) void this.listen(this.connection, [channel]);
    else this.open();
    return async () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(channel) === set) this.subscribers.delete(channel);
      if (this.subscribers.size === 0) await this.close();
    };
  }

  /** LISTENs to the channels not yet listened to on `c`, then tells their subscribers. */
  private async listen(c: ListeningConnection, channels: string[]): Promise<void> {
    const fresh = channels.filter((ch) => !this.listened.has(ch));
    for (const ch of fresh) this.listened.add(ch);
    try {
      for (const ch of fresh) await c.query(`LISTEN ${ch}`);
    } catch (err) {
      this.lost(c, err as Error);
      return;
    }
    if (c !== this.connection) return;
    for (const ch of fresh) for (const s of this.subscribers.get(ch) ?? []) s.onListening?.();
  }

  private open(): void {
    if (this.opening || this.retry) return;
    this.opening = (async () => {
      let conn: ListeningConnection;
      try {
        conn = new Client({ connectionString: connectionStringOf(this.db) });
        // Before connect: a failure while connecting is reported as an error event too.
        conn.on('error', () => undefined);
        await conn.connect();
      } catch (err) {
        this.opening = null;
        this.lost(null, err as Error);
        return;
      }
      conn.on('notification', (msg) => {
        for (const s of this.subscribers.get(msg.channel) ?? []) s.onNotify(msg.payload ?? '');
      });
      conn.on('error', (err) => this.lost(conn, err));
      conn.on('end', () => this.lost(conn));
      this.opening = null;
      if (this.subscribers.size === 0) { await this.destroy(conn); return; }
      this.connection = conn;
      this.listened = new Set();
      await this.listen(conn, [...this.subscribers.keys()]);
    })();
  }

  private lost(c: ListeningConnection | null, err?: Error): void {
    if (c && c !== this.connection) return;
    this.connection = null;
    this.listened = new Set();
    if (c) void this.destroy(c);
    if (this.subscribers.size === 0 || this.retry) return;
    this.log.warn({ err }, 'not listening for notifications; polling alone until the connection is back');
    this.retry = setTimeout(() => { this.retry = null; if (this.subscribers.size > 0) this.open(); }, this.retryMs);
    this.retry.unref();
  }

  private async close(): Promise<void> {
    if (this.retry) { clearTimeout(this.retry); this.retry = null; }
    await this.opening;
    const c = this.connection;
    if (!c || this.subscribers.size > 0) return;
    this.connection = null;
    this.listened = new Set();
    await this.destroy(c);
  }

  private async destroy(c: ListeningConnection): Promise<void> {
    c.removeAllListeners();
    // A connection already lost may still emit its error: keep a handler so it is not thrown.
    c.on('error', () => undefined);
    await c.end().catch(() => undefined);
  }
}

const listeners = new WeakMap<Db, PgListener>();

/**
 * The LISTEN connection of the pool `db` in this process, shared by all its subscribers. `log` (of the
 * first caller) reports a lost connection; `retryMs` is how long it waits before opening another.
 */
export function sharedListener(db: Db, log: Logger, retryMs = 5_000): NotificationListener {
  let listener = listeners.get(db);
  if (!listener) listeners.set(db, (listener = new PgListener(db, log, retryMs)));
  return listener;
}
