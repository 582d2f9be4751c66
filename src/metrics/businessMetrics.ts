import { Gauge, type Registry } from 'prom-client';
import type { DbOrTx } from '../db/knex';
import { T } from '../db/tables';

/**
 * Money-path gauges, read from PostgreSQL at each scrape. The database is the one place every part
 * (api, worker, watcher, on any number of hosts) writes to, so any API replica reports the same truth.
 */
export function registerBusinessMetrics(registry: Registry, db: DbOrTx): void {
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], collect: (g: Gauge<L>) => Promise<void>) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry], async collect() { this.reset(); await collect(this); } });

  // Table names come from T (constants), never from input.
  const rows = async (sql: string): Promise<Record<string, any>[]> => (await db.raw(sql)).rows;
  const mode = (r: Record<string, any>) => String(r.livemode);

  gauge('checkout_sessions', 'Checkout sessions by status', ['status', 'livemode'], async (g) => {
    for (const r of await rows(`select status, livemode, count(*) n from ${T.sessions} group by 1, 2`)) g.set({ status: r.status, livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_receipts', 'Receipts (money arrived) by method and state', ['method', 'status', 'livemode'], async (g) => {
    for (const r of await rows(`select method, status, livemode, count(*) n from ${T.receipts} group by 1, 2, 3`)) {
      g.set({ method: r.method, status: r.status, livemode: mode(r) }, Number(r.n));
    }
  });
  gauge('checkout_receipts_sats', 'Sats received, by method', ['method', 'livemode'], async (g) => {
    for (const r of await rows(`select method, livemode, sum(amount_sats) s from ${T.receipts} group by 1, 2`)) g.set({ method: r.method, livemode: mode(r) }, Number(r.s));
  });
  gauge('checkout_transfers', 'Split transfers by status', ['status', 'livemode'], async (g) => {
    for (const r of await rows(`select status, livemode, count(*) n from ${T.transfers} group by 1, 2`)) g.set({ status: r.status, livemode: mode(r) }, Number(r.n));
  });
  gauge('checkout_transfers_sats', 'Sats moved by split transfers, by status', ['status', 'livemode'], async (g) => {
    for (const r of await rows(`select status, livemode, sum(amount) s from ${T.transfers} group by 1, 2`)) g.set({ status: r.status, livemode: mode(r) }, Number(r.s));
  });
  gauge('checkout_webhook_attempts', 'Webhook delivery attempts by outcome (ok, or the error kind)', ['outcome'], async (g) => {
    for (const r of await rows(`select ok, error_kind, count(*) n from ${T.webhookDeliveries} group by 1, 2`)) {
      g.inc({ outcome: r.ok ? 'ok' : (r.error_kind ?? 'error') }, Number(r.n));
    }
  });
  gauge('checkout_watcher_cursor_age_seconds', 'Seconds since each payment source last advanced its stored cursor', ['source'], async (g) => {
    for (const r of await rows('select name, modified from watcher_cursors')) g.set({ source: r.name }, Math.max(0, (Date.now() - Number(r.modified)) / 1000));
  });
  gauge('checkout_receipt_credit_lag_seconds', 'Age of the oldest receipt not yet credited (0 when none waits), by method', ['method'], async (g) => {
    for (const method of ['lightning', 'onchain']) g.set({ method }, 0);
    for (const r of await rows(`select method, min(created) oldest from ${T.receipts} where status = 'received' group by 1`)) {
      g.set({ method: r.method }, Math.max(0, (Date.now() - Number(r.oldest)) / 1000));
    }
  });
}
