import { Gauge, type Registry } from 'prom-client';
import type { DbOrTx } from '../db/knex';
import { T } from '../db/tables';

type Row = Record<string, any>;

/** What one refresh read: the aggregates, and the timestamps the age gauges are computed from at scrape time. */
interface Snapshot {
  sessions: Row[];
  receipts: Row[];
  receiptSats: Row[];
  transfers: Row[];
  transferSats: Row[];
  webhookAttempts: Row[];
  cursors: Row[];
  oldestUncredited: Row[];
}

/** How fresh the figures must be (METRICS_REFRESH_SECONDS); tests pass a clock. */
export interface BusinessMetricsOptions {
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Money-path gauges, read from PostgreSQL. The database is the one place every part (api, worker,
 * watcher, on any number of hosts) writes to, so any API replica reports the same truth. The counts and
 * sums are whole-table aggregates, so they are not run per scrape: one refresh (all of them, once at a
 * time however many scrapes arrive) serves every scrape for `maxAgeMs`. Ages (cursor age, credit lag)
 * are computed at scrape time from the stored timestamps, so they keep rising between refreshes.
 */
export function registerBusinessMetrics(registry: Registry, db: DbOrTx, opts: BusinessMetricsOptions): void {
  const now = opts.now ?? Date.now;
  // Table names come from T (constants), never from input.
  const rows = async (sql: string): Promise<Row[]> => (await db.raw(sql)).rows;
  let cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    if (cached && now() - cached.at < opts.maxAgeMs) return cached.snapshot;
    const pending = refresh();
    cached = { at: now(), snapshot: pending };
    // A failed refresh is not kept: the next scrape tries again.
    pending.catch(() => { if (cached?.snapshot === pending) cached = null; });
    return pending;
  };
  const refresh = async (): Promise<Snapshot> => ({
    sessions: await rows(`select status, livemode, count(*) n from ${T.sessions} group by 1, 2`),
    receipts: await rows(`select method, status, livemode, count(*) n from ${T.receipts} group by 1, 2, 3`),
    receiptSats: await rows(`select method, livemode, sum(amount_sats) s from ${T.receipts} group by 1, 2`),
    transfers: await rows(`select status, livemode, count(*) n from ${T.transfers} group by 1, 2`),
    transferSats: await rows(`select status, livemode, sum(amount) s from ${T.transfers} group by 1, 2`),
    webhookAttempts: await rows(`select ok, error_kind, count(*) n from ${T.webhookDeliveries} group by 1, 2`),
    cursors: await rows('select name, modified from watcher_cursors'),
    oldestUncredited: await rows(`select method, min(created) oldest from ${T.receipts} where status = 'received' group by 1`),
  });

  const gauge = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, s: Snapshot) => void) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry], async collect() { const s = await snapshot(); this.reset(); set(this, s); } });
  const mode = (r: Row) => String(r.livemode);

  gauge('checkout_sessions', 'Checkout sessions by status', ['status', 'livemode'], (g, s) => {
    for (const r of s.sessions) g.set({ status: r.status, livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_receipts', 'Receipts (money arrived) by method and state', ['method', 'status', 'livemode'], (g, s) => {
    for (const r of s.receipts) g.set({ method: r.method, status: r.status, livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_receipts_sats', 'Sats received, by method', ['method', 'livemode'], (g, s) => {
    for (const r of s.receiptSats) g.set({ method: r.method, livemode: mode(r) }, Number(r.s));
  });
  gauge('checkout_transfers', 'Split transfers by status', ['status', 'livemode'], (g, s) => {
    for (const r of s.transfers) g.set({ status: r.status, livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_transfers_sats', 'Sats moved by split transfers, by status', ['status', 'livemode'], (g, s) => {
    for (const r of s.transferSats) g.set({ status: r.status, livemode: mode(r) }, Number(r.s));
  });
  gauge('checkout_webhook_attempts', 'Webhook delivery attempts by outcome (ok, or the error kind)', ['outcome'], (g, s) => {
    for (const r of s.webhookAttempts) g.inc({ outcome: r.ok ? 'ok' : (r.error_kind ?? 'error') }, Number(r.n));
  });
  gauge('checkout_watcher_cursor_age_seconds', 'Seconds since each payment source last advanced its stored cursor', ['source'], (g, s) => {
    for (const r of s.cursors) g.set({ source: r.name }, Math.max(0, (now() - Number(r.modified)) / 1000));
  });
  gauge('checkout_receipt_credit_lag_seconds', 'Age of the oldest receipt not yet credited (0 when none waits), by method', ['method'], (g, s) => {
    for (const method of ['lightning', 'onchain']) g.set({ method }, 0);
    for (const r of s.oldestUncredited) g.set({ method: r.method }, Math.max(0, (now() - Number(r.oldest)) / 1000));
  });
  new Gauge({
    name: 'checkout_metrics_snapshot_age_seconds', help: 'Age of the figures the business gauges show (refreshed every METRICS_REFRESH_SECONDS at most)',
    registers: [registry], async collect() { await snapshot(); this.set(cached ? Math.max(0, (now() - cached.at) / 1000) : 0); },
  });
}
