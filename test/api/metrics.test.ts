import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Registry } from 'prom-client';
import { createDb } from '../../src/db/knex';
import { registerBusinessMetrics } from '../../src/metrics/businessMetrics';
import { call, createMerchant, startTestSystem, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const sys = useTestSystem();
let receiver: WebhookReceiver;
beforeAll(async () => { receiver = await startReceiver(); });
afterAll(async () => { await receiver?.close(); });

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('scrapes within METRICS_REFRESH_SECONDS share one refresh of the gauges; ages still move; after it they run again', async () => {
  const db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!);
  try {
    const aggregates: string[] = [];
    // The gauges' refresh (the counters' small table is read at every scrape, by design).
    db.on('query', (q: { sql: string }) => { if (/count\(\*\)|sum\(|min\(/.test(q.sql) && !q.sql.includes('metric_counters')) aggregates.push(q.sql); });
    let clock = Date.now();
    const registry = new Registry();
    registerBusinessMetrics(registry, db, { maxAgeMs: 30_000, now: () => clock });
    await sys.db('watcher_cursors').insert({ name: 'metrics-cache-source', value: '1', modified: clock - 10_000 }).onConflict('name').merge();

    const first = await registry.metrics();
    const perRefresh = aggregates.length;
    expect(perRefresh).toBeGreaterThanOrEqual(2);
    clock += 20_000;
    await Promise.all([registry.metrics(), registry.metrics()]);
    const cached = await registry.metrics();
    expect(aggregates).toHaveLength(perRefresh);
    // The cursor's age is computed at scrape time from the stored timestamp, so it moved with the clock.
    expect((sample(cached, 'checkout_watcher_cursor_age_seconds', { source: 'metrics-cache-source' }) ?? 0)
      - (sample(first, 'checkout_watcher_cursor_age_seconds', { source: 'metrics-cache-source' }) ?? 0)).toBeCloseTo(20, 0);
    expect(sample(cached, 'checkout_metrics_snapshot_age_seconds')).toBeCloseTo(20, 0);

    clock += 11_000;
    await registry.metrics();
    expect(aggregates).toHaveLength(2 * perRefresh);
  } finally {
    await sys.db('watcher_cursors').where({ name: 'metrics-cache-source' }).delete();
    await db.destroy();
  }
});

describe('business counters and the attention gauge', () => {
  /** Scrapes a fresh registry over the system's database: counters are read per scrape, gauges refreshed at once (maxAgeMs 0). */
  const scrape = async () => {
    const registry = new Registry();
    registerBusinessMetrics(registry, sys.db, { maxAgeMs: 0 });
    return registry.metrics();
  };
  const value = (text: string, name: string, labels: Record<string, string>) => sample(text, name, labels) ?? 0;
  const paidSessions = { to: 'paid', livemode: 'false' };
  const credited = { method: 'lightning', livemode: 'false' };

  test('paying a session moves the counters once, where the rows are written; a flagged session moves the gauge', async () => {
    const shop = await createMerchant(sys.baseUrl);
    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, shop.key, method, route, body);
    const before = await scrape();

    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 3000 })).body;
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 3000, method: 'lightning' });
    await waitFor(() => api('GET', `/checkout-sessions/${cs.id}`), (r) => r.body?.status === 'paid', 30_000);
    const paid = await scrape();
    expect(value(paid, 'checkout_session_transitions_total', paidSessions) - value(before, 'checkout_session_transitions_total', paidSessions)).toBe(1);
    expect(value(paid, 'checkout_payment_transitions_total', paidSessions) - value(before, 'checkout_payment_transitions_total', paidSessions)).toBe(1);
    expect(value(paid, 'checkout_receipts_credited_total', credited) - value(before, 'checkout_receipts_credited_total', credited)).toBe(1);
    expect(value(paid, 'checkout_receipts_credited_sats_total', credited) - value(before, 'checkout_receipts_credited_sats_total', credited)).toBe(3000);
    // A plain payment flags nothing.
    expect(value(paid, 'checkout_sessions_needing_attention', { livemode: 'false' })).toBe(value(before, 'checkout_sessions_needing_attention', { livemode: 'false' }));

    // Overpaid: the session is paid and flagged for an operator.
    const over = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    await api('POST', `/test-helpers/payments/${over.payment_id}/receive`, { amount: 1500, method: 'lightning' });
    await waitFor(() => api('GET', `/checkout-sessions/${over.id}`), (r) => r.body?.status === 'paid', 30_000);
    const flagged = await scrape();
    expect(value(flagged, 'checkout_sessions_needing_attention', { livemode: 'false' }) - value(paid, 'checkout_sessions_needing_attention', { livemode: 'false' })).toBe(1);
    expect(value(flagged, 'checkout_session_transitions_total', paidSessions) - value(paid, 'checkout_session_transitions_total', paidSessions)).toBe(1);
    expect(await sys.db('checkout_sessions').where({ id: over.id }).first('exception_status')).toEqual({ exception_status: 'overpaid' });

    // Reading the session again (any number of scrapes, retries that find the work done) counts nothing more.
    const again = await scrape();
    expect(value(again, 'checkout_session_transitions_total', paidSessions)).toBe(value(flagged, 'checkout_session_transitions_total', paidSessions));
    expect(value(again, 'checkout_receipts_credited_total', credited)).toBe(value(flagged, 'checkout_receipts_credited_total', credited));
  });

  test('a scrape aggregates no whole table: the counters are read from their own rows', async () => {
    const db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 1 });
    try {
      const queries: string[] = [];
      db.on('query', (q: { sql: string }) => queries.push(q.sql));
      const registry = new Registry();
      registerBusinessMetrics(registry, db, { maxAgeMs: 0 });
      await registry.metrics();
      const tablesRead = queries.flatMap((q) => [...q.matchAll(/\bfrom\s+"?(\w+)"?/gi)].map((m) => m[1]));
      expect(tablesRead).toContain('metric_counters');
      for (const big of ['receipts', 'transfers', 'webhook_deliveries', 'payouts', 'refunds']) {
        const reads = queries.filter((q) => new RegExp(`\\bfrom\\s+"?${big}"?\\b`).test(q));
        // The only read of a money table is the uncredited receipts' (a partial index): never a group-by over every row.
        for (const q of reads) expect(q).toMatch(/where status = 'received'/);
      }
      const sessionReads = queries.filter((q) => /\bfrom\s+"?checkout_sessions"?\b/.test(q));
      for (const q of sessionReads) expect(q).toMatch(/where exception_status is not null/);
    } finally {
      await db.destroy();
    }
  });
});

describe('GET /metrics', () => {
  test('Prometheus text with route latencies, sessions by status, receipts, transfers, webhook attempts and watcher lag', async () => {
    const shop = await createMerchant(sys.baseUrl);
    const partner = await createMerchant(sys.baseUrl);
    await connectTransfers(sys.baseUrl, shop.id, partner.id);
    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, shop.key, method, route, body);
    const hook = await api('POST', '/webhooks', { url: receiver.url, enabled_events: ['checkout_session.paid'] });
    receiver.secret = hook.body.secret;
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, transfers: [{ destination_account: partner.id, percentage: 20 }] })).body;
    await api('GET', `/checkout-sessions/${cs.id}`);
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 5000, method: 'onchain' });
    await waitFor(() => Promise.resolve(receiver.received.length), (n) => n > 0, 30_000);
    // The receiver sees the request before the worker logs (and counts) the attempt.
    await waitFor(() => sys.db('webhook_deliveries').where({ ok: true }).first('id'), Boolean, 30_000);
    await sys.db('watcher_cursors').insert({ name: 'metrics-test-source', value: '7', modified: Date.now() - 90_000 }).onConflict('name').merge();

    const res = await fetch(`${sys.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/checkout-sessions/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: '/checkout-sessions', method: 'POST', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(cs.id); // IDs never become label values
    expect(sample(text, 'checkout_session_transitions_total', { to: 'paid', livemode: 'false' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'checkout_receipts_credited_total', { method: 'onchain', livemode: 'false' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'checkout_receipts_credited_sats_total', { method: 'onchain', livemode: 'false' })).toBeGreaterThanOrEqual(5000);
    expect(sample(text, 'checkout_transfers_total', { outcome: 'paid' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'checkout_webhook_deliveries_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE checkout_session_transitions_total counter');
    expect(sample(text, 'checkout_watcher_cursor_age_seconds', { source: 'metrics-test-source' })).toBeGreaterThanOrEqual(89);
    expect(sample(text, 'checkout_receipt_credit_lag_seconds', { method: 'lightning' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  test('from another host it is refused unless METRICS_TOKEN is set; with it a Bearer token is required', async () => {
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    const port = new URL(sys.baseUrl).port;
    if (external) expect((await fetch(`http://${external.address}:${port}/metrics`)).status).toBe(403);

    const token = 'metrics-token-0123456789';
    // A second system (API only) with a setting of its own, for this test alone.
    const guarded = await startTestSystem({ METRICS_TOKEN: token }, { parts: ['api'] });
    try {
      expect((await fetch(`${guarded.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await fetch(`${guarded.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('checkout_session_transitions_total');
    } finally {
      await guarded.stop();
    }
  });

  test('behind a same-host reverse proxy (a loopback peer that forwards a client) metrics are refused without METRICS_TOKEN', async () => {
    // A second system (API only) with a setting of its own, for this test alone.
    const proxied = await startTestSystem({ TRUST_PROXY: 'loopback' }, { parts: ['api'] });
    const target = new URL(proxied.baseUrl);
    // What nginx/Caddy in front of the app does: connect from 127.0.0.1 and name the real client.
    const proxy = http.createServer((req, res) => {
      const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method,
        headers: { ...req.headers, 'x-forwarded-for': '203.0.113.5' } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const viaProxy = await fetch(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/metrics`);
      expect(viaProxy.status).toBe(403);
      expect(await viaProxy.text()).not.toContain('checkout_session_transitions_total');
      const relayed: Record<string, string>[] = [{ forwarded: 'for=203.0.113.5' }, { 'x-forwarded-for': '127.0.0.1' }, { 'x-real-ip': '203.0.113.5' }];
      for (const headers of relayed) {
        expect((await fetch(`${proxied.baseUrl}/metrics`, { headers })).status).toBe(403);
      }
      expect((await fetch(`${proxied.baseUrl}/metrics`)).status).toBe(200); // a direct local scraper still works
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
      await proxied.stop();
    }
  });
});
