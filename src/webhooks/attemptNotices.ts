import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { sharedListener } from '../db/notifications';

/** The channel each logged delivery attempt notifies, with `endpoint_id event_id` (migration 144). */
export const DELIVERY_ATTEMPTED_CHANNEL = 'checkout_delivery_attempted';

/** A watch on the attempts of one (endpoint, event) pair. */
export interface AttemptWatch {
  /**
   * Resolves `'notified'` once an attempt of the pair may have been logged since the watch began or
   * the previous call returned (its NOTIFY, or the listener (re)started and may have missed one), or
   * `'timeout'` after `ms`. It says when to look, never what is there: the caller reads the log.
   */
  next(ms: number): Promise<'notified' | 'timeout'>;
  close(): Promise<void>;
}

class Watch implements AttemptWatch {
  private pending = false;
  private wake: (() => void) | null = null;

  constructor(private readonly release: (w: Watch) => Promise<void>) {}

  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  next(ms: number): Promise<'notified' | 'timeout'> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve('notified');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve('timeout'); }, ms);
      this.wake = () => { this.wake = null; clearTimeout(timer); resolve('notified'); };
    });
  }

  /** Stops watching; a wait still pending (given up by its caller, e.g. on cancellation) ends now, holding no timer. */
  close(): Promise<void> {
    this.wake?.();
    return this.release(this);
  }
}

/**
 * The watches of one pool, keyed by pair: one subscription to the channel (on the process's shared
 * LISTEN connection) while any watch is open, and a notification wakes only the watches of its pair.
 */
class AttemptNotices {
  private readonly watches = new Map<string, Set<Watch>>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly db: Db, private readonly log: Logger) {}

  watch(endpointId: string, eventId: string): AttemptWatch {
    const key = `${endpointId} ${eventId}`;
    let set = this.watches.get(key);
    if (!set) this.watches.set(key, (set = new Set()));
    const watch = new Watch(async (w) => {
      set.delete(w);
      if (set.size === 0 && this.watches.get(key) === set) this.watches.delete(key);
      if (this.watches.size === 0 && this.unsubscribe) {
        const unsubscribe = this.unsubscribe;
        this.unsubscribe = null;
        await unsubscribe();
      }
    });
    set.add(watch);
    this.unsubscribe ??= sharedListener(this.db, this.log).subscribe(DELIVERY_ATTEMPTED_CHANNEL, {
      onNotify: (payload) => { for (const w of this.watches.get(payload) ?? []) w.notify(); },
      onListening: () => { for (const s of this.watches.values()) for (const w of s) w.notify(); },
    });
    return watch;
  }
}

const registries = new WeakMap<Db, AttemptNotices>();

/** Watches the attempts of the pair (`endpointId`, `eventId`) through the pool `db`'s LISTEN connection. */
export function watchAttempts(db: Db, log: Logger, endpointId: string, eventId: string): AttemptWatch {
  let registry = registries.get(db);
  if (!registry) registries.set(db, (registry = new AttemptNotices(db, log)));
  return registry.watch(endpointId, eventId);
}
