import { Counter, Gauge, type Registry } from 'prom-client';
import type { DbOrTx } from '../db/knex';
import { COUNTERS, readCounters, type CounterName, type CounterSeries } from '../db/metricCounters';
import { T } from '../db/tables';

type Row = Record<string, any>;

/** What one refresh read: small indexed reads, and the timestamps the age gauges are computed from at scrape time. */
interface Snapshot {
  needingAttention: Row[];
  cursors: Row[];
  oldestUncredited: Row[];
}

/** How fresh the gauges must be (METRICS_REFRESH_SECONDS); tests pass a clock. */
export interface BusinessMetricsOptions {
  maxAgeMs: number;
  now?: () => number;
  /**
   * Running session workflows whose failed work waits for an operator (search attribute
   * `CheckoutAttention`), counted by Temporal's visibility; read at most once per `maxAgeMs`.
   */
  workflowsNeedingAttention?: () => Promise<number>;
}

/**
 * Money-path metrics, read from PostgreSQL. The database is the one place every part (api, worker,
 * watcher, on any number of hosts) writes to, so any API replica reports the same truth.
 * Counters (sessions paid, receipts credited, payouts sent …) are kept where the rows are written, in
 * the transaction of the transition they count (src/db/metricCounters.ts): a scrape reads their few rows,
 * never a whole table. The gauges are an indexed count (sessions needing attention), the watcher cursors
 * and the oldest uncredited receipt: one refresh (all of them, once at a time however many scrapes
 * arrive) serves every scrape for `maxAgeMs`. Ages (cursor age, credit lag) are computed at scrape time
 * from the stored timestamps, so they keep rising between refreshes.
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
    // The partial index checkout_sessions_needing_attention holds exactly these rows.
    needingAttention: await rows(`select livemode, count(*) n from ${T.sessions} where exception_status is not null group by 1`),
    cursors: await rows('select name, modified from watcher_cursors'),
    oldestUncredited: await rows(`select method, min(created) oldest from ${T.receipts} where status = 'received' group by 1`),
  });

  // All counters of one scrape come from one read of the counters table.
  let counterRead: Promise<CounterSeries[]> | null = null;
  const counterSeries = (): Promise<CounterSeries[]> => {
    counterRead ??= readCounters(db).finally(() => { counterRead = null; });
    return counterRead;
  };
  for (const [name, { help, labels }] of Object.entries(COUNTERS) as [CounterName, (typeof COUNTERS)[CounterName]][]) {
    new Counter({
      name, help, labelNames: [...labels], registers: [registry],
      async collect() {
        const series = (await counterSeries()).filter((c) => c.name === name);
        this.reset();
        for (const c of series) this.inc(c.labels, Number(c.value));
      },
    });
  }

  const gauge = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, s: Snapshot) => void) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry], async collect() { const s = await snapshot(); this.reset(); set(this, s); } });
  const mode = (r: Row) => String(r.livemode);

  gauge('checkout_sessions_needing_attention', 'Checkout sessions flagged for an operator (an exception status: underpaid, overpaid …)', ['livemode'], (g, s) => {
    for (const livemode of ['false', 'true']) g.set({ livemode }, 0);
    for (const r of s.needingAttention) g.set({ livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_watcher_cursor_age_seconds', 'Seconds since each payment source last advanced its stored cursor', ['source'], (g, s) => {
    for (const r of s.cursors) g.set({ source: r.name }, Math.max(0, (now() - Number(r.modified)) / 1000));
  });
  gauge('checkout_receipt_credit_lag_seconds', 'Age of the oldest receipt not yet credited (0 when none waits), by method', ['method'], (g, s) => {
    for (const method of ['lightning', 'onchain']) g.set({ method }, 0);
    for (const r of s.oldestUncredited) g.set({ method: r.method }, Math.max(0, (now() - Number(r.oldest)) / 1000));
  });
  // Stuck work is the operator's first question, and the database does not hold it (the workflow's
  // flag is a search attribute): a visibility count, cached like the snapshot. Temporal unreachable →
  // no sample this scrape (an absent series alerts as such), never a failed scrape.
  const countAttention = opts.workflowsNeedingAttention;
  if (countAttention) {
    let counted: { at: number; value: Promise<number | null> } | null = null;
    new Gauge({
      name: 'checkout_workflows_needing_attention',
      help: 'Running checkout-session workflows flagged for an operator (CheckoutAttention: failed work retrying on its backoff)',
      registers: [registry],
      async collect() {
        if (!counted || now() - counted.at >= opts.maxAgeMs) counted = { at: now(), value: countAttention().catch(() => null) };
        const value = await counted.value;
        this.reset();
        if (value === null) counted = null; else this.set(value);
      },
    });
  }
  new Gauge({
    name: 'checkout_metrics_snapshot_age_seconds', help: 'Age of the figures the business gauges show (refreshed every METRICS_REFRESH_SECONDS at most)',
    registers: [registry], async collect() { await snapshot(); this.set(cached ? Math.max(0, (now() - cached.at) / 1000) : 0); },
  });
}
