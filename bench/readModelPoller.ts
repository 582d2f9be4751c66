import { createDb, type Db } from '../src/db/knex';

type Waiter = { sessionId: string; resolve: (at: number) => void };

/**
 * Watches the read model (the rows `GET /checkout-sessions/{id}` and `GET /transfers` read) for
 * sessions turning `paid` and for their transfers being posted. One loop polls every `intervalMs`
 * for all waiting sessions at once, so measuring costs one small query per interval, not one per
 * session. A wait resolves with the time the poll's answer arrived: an upper bound, late by at most
 * one interval plus one query.
 */
export class ReadModelPoller {
  private paid: Waiter[] = [];
  private transfers: (Waiter & { count: number })[] = [];
  private stopped = false;
  private loop: Promise<void>;
  /** Its own connection: the poll neither waits for nor adds to the system's pool (or its query count). */
  private readonly db: Db;

  constructor(systemDb: Db, private readonly intervalMs: number) {
    this.db = createDb((systemDb.client.config as { connection: string }).connection, { min: 1, max: 1 });
    this.loop = this.run();
  }

  /** Resolves with `performance.now()` once the session's row shows `paid`. */
  whenPaid(sessionId: string): Promise<number> {
    return new Promise((resolve) => this.paid.push({ sessionId, resolve }));
  }

  /** Resolves with `performance.now()` once `count` transfers of the session are `paid`. */
  whenTransfersPaid(sessionId: string, count: number): Promise<number> {
    return new Promise((resolve) => this.transfers.push({ sessionId, count, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.db.destroy();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, this.intervalMs));
      // A failed poll (e.g. the pool is busy) only delays the answer; the next interval asks again.
      await this.pollOnce().catch((err) => console.error('read-model poll failed:', err));
    }
  }

  private async pollOnce(): Promise<void> {
    if (this.paid.length === 0 && this.transfers.length === 0) return;
    // One round trip for both questions: the poll itself should load the system as little as possible.
    const { rows } = await this.db.raw<{ rows: { id: string; what: string; n: string }[] }>(`
      select id, 'paid' as what, 0 as n from checkout_sessions where id = any(?::text[]) and status = 'paid'
      union all
      select checkout_session_id, 'transfers', count(*) from transfers
        where checkout_session_id = any(?::text[]) and status = 'paid' group by checkout_session_id`,
    [this.paid.map((w) => w.sessionId), this.transfers.map((w) => w.sessionId)]);
    const paid = new Set(rows.filter((r) => r.what === 'paid').map((r) => r.id));
    const counts = new Map(rows.filter((r) => r.what === 'transfers').map((r) => [r.id, Number(r.n)]));
    this.paid = settle(this.paid, paid);
    this.transfers = settle(this.transfers, new Set(
      this.transfers.filter((w) => (counts.get(w.sessionId) ?? 0) >= w.count).map((w) => w.sessionId)));
  }
}

/** Resolves the waiters whose session is in `done`; returns the rest. */
function settle<W extends Waiter>(waiters: W[], done: Set<string>): W[] {
  if (done.size === 0) return waiters;
  const at = performance.now();
  const rest: W[] = [];
  for (const w of waiters) {
    if (done.has(w.sessionId)) w.resolve(at);
    else rest.push(w);
  }
  return rest;
}
