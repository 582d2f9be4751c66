import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { createUser } from '../../src/dashboard/users';
import { createDb, type Db } from '../../src/db/knex';
import { checkoutApp } from '../../src/system';
import { dashboardClient, merchantWithUser, PASSWORD, type DashboardClient } from '../e2e/support/dashboard';
import { call, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * No N+1 on the dashboard: a page's statement count does not grow with its rows. The pages run on a
 * second app over a knex instance of their own, so the statements counted are the page's only (the
 * worker and watcher of the test system use the system's knex). The money-out lists are filled by copying
 * one real row of each a hundred times, rows no workflow made: they stay in the file's own database
 * (test/support/testDatabases.ts), which no other file's reconciliation reads.
 */
let db: Db;
let server: Server;
let client: DashboardClient;
let adminClient: DashboardClient;
let m: { id: string; key: string; email: string };
const sessionIds: string[] = [];
const someone = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');

const sys = useTestSystem({
  // The pages' second app and its knex close before the system they read from stops.
  beforeStop: async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await db?.destroy();
  },
});

beforeAll(async () => {
  m = await merchantWithUser(sys.baseUrl, 'owner', 'Busy shop');
  const create = (i: number) => call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1_000 + i, metadata: { n: String(i) } });
  for (let i = 0; i < 100; i += 5) {
    const batch = await Promise.all([0, 1, 2, 3, 4].map((j) => create(i + j)));
    sessionIds.push(...batch.map((r) => r.body.id as string));
  }
  // A few paid ones, so the page's funded payments are read too.
  const paid = await Promise.all(sessionIds.slice(0, 3).map(async (id) => {
    const s = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${id}`);
    await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${s.body.payment_id}/receive`, { amount: s.body.amount });
    return waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${id}`), (r) => r.body.status === 'paid', 30_000);
  }));
  expect(paid.map((r) => r.body.status)).toEqual(['paid', 'paid', 'paid']);
  db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!);
  const app = checkoutApp({ ...sys.ctx, db }, async () => ({ ok: true }) as never);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = await dashboardClient(local, m.email);
  const platform = await createUser({ db: sys.db, config: sys.config }, null, { email: `ops-${Date.now().toString(36)}@ops.test`, role: 'admin', password: PASSWORD });
  adminClient = await dashboardClient(local, platform.email);
}, 300_000);

async function statementsOf(path: string, as: DashboardClient = client): Promise<{ count: number; html: string }> {
  const statements: string[] = [];
  const listen = (q: { sql: string }) => statements.push(q.sql);
  db.on('query', listen);
  try {
    const res = await as.get(path);
    expect(res.status).toBe(200);
    return { count: statements.length, html: res.text };
  } finally {
    db.removeListener('query', listen);
  }
}

test('a page of 100 sessions costs as many statements as a page of one', async () => {
  const hundred = await statementsOf('/dashboard/sessions?limit=100');
  const one = await statementsOf('/dashboard/sessions?limit=1');
  expect((hundred.html.match(/data-session="cs_/g) ?? []).length).toBe(100);
  expect((one.html.match(/data-session="cs_/g) ?? []).length).toBe(1);
  expect(hundred.html).toContain('badge paid');
  expect(hundred.count).toBe(one.count);
  // session lookup + page + funded payments
  expect(hundred.count).toBeLessThanOrEqual(4);
});

test('the next page (a cursor) and a search cost a constant number of statements too', async () => {
  const page2 = await statementsOf(`/dashboard/sessions?limit=50&starting_after=${sessionIds[60]}`);
  expect(page2.count).toBeLessThanOrEqual(5);
  const search = await statementsOf('/dashboard/sessions?q=42');
  expect((search.html.match(/data-session="cs_/g) ?? []).length).toBe(1);
  expect(search.count).toBeLessThanOrEqual(4);
});

test('home, money, links and a session\'s timeline each cost a fixed handful of statements', async () => {
  for (const path of ['/dashboard', '/dashboard/money', '/dashboard/links', `/dashboard/sessions/${sessionIds[0]}`]) {
    const { count } = await statementsOf(path);
    expect({ path, small: count <= 8 }).toEqual({ path, small: true });
  }
});

/**
 * `copies` more rows of `table` like the row `id` (the same account, status and amounts), with new IDs
 * (the ID's own characters plus digits, so they still parse as IDs) and `fresh` columns rewritten where
 * a unique constraint needs it (each an SQL expression over the copy number `g` and the row `x`).
 */
async function copyRow(table: string, id: string, copies: number, fresh: Record<string, string> = {}): Promise<void> {
  const extra = Object.entries(fresh).map(([col, expr]) => `, '${col}', ${expr}`).join('');
  await sys.db.raw(`insert into ${table} select (jsonb_populate_record(null::${table}, to_jsonb(x) || jsonb_build_object('id', x.id || lpad(g::text, 3, '0')${extra}))).*
    from ${table} x, generate_series(1, ?) g where x.id = ?`, [copies, id]);
}

const rowsOf = (html: string, attr: string) => (html.match(new RegExp(`data-${attr}="`, 'g')) ?? []).length;

test('payouts, withdrawal links and refunds: a page of 100 costs as many statements as a page of one', async () => {
  const invoice = (await someone.createInvoice({ amountSats: 100n, memo: 'rent', expirySeconds: 600 })).paymentRequest;
  const payout = await call(sys.baseUrl, m.key, 'POST', '/instant-sends', { currency: 'SATS', amount: 100, withdraw_method: 'lightning', withdraw_request: invoice });
  const wlink = await call(sys.baseUrl, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 100 });
  const refund = await call(sys.baseUrl, m.key, 'POST', '/refunds', { checkout_session: sessionIds[0], amount: 1, reason: 'count' });
  expect([payout.status, wlink.status, refund.status]).toEqual([200, 200, 200]);
  const pages = [
    { path: '/dashboard/payouts', attr: 'payout' },
    { path: '/dashboard/withdrawal-links', attr: 'withdrawal-link' },
    { path: '/dashboard/refunds', attr: 'refund' },
  ];
  // One at a time: the listener counts every statement of the app's knex.
  const before: { count: number; html: string }[] = [];
  for (const p of pages) before.push(await statementsOf(`${p.path}?limit=100`));
  await copyRow('payouts', payout.body.id, 120, { payment_hash: 'null' });
  await copyRow('withdrawal_links', wlink.body.id, 120, { k1: "md5(x.k1 || g::text)", payment_hash: 'null' });
  await copyRow('refunds', refund.body.id, 120, { payment_hash: 'null' });
  for (const [i, p] of pages.entries()) {
    const after = await statementsOf(`${p.path}?limit=100`);
    // Withdrawal links: the refund's own link and the one made above are both there before copying.
    expect({ path: p.path, before: rowsOf(before[i].html, p.attr) >= 1, after: rowsOf(after.html, p.attr) }).toEqual({ path: p.path, before: true, after: 100 });
    expect({ path: p.path, statements: after.count }).toEqual({ path: p.path, statements: before[i].count });
  }
});

test('a webhook endpoint\'s delivery log of 100 costs as many statements as a log of one', async () => {
  const hook = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: 'https://hooks.example/count', enabled_events: ['checkout_session.paid'] });
  const delivery = (n: number) => ({ id: `whd_count${hook.body.id.slice(3)}${n}`, endpoint_id: hook.body.id, event_id: `evt_count${n}`, event_type: 'checkout_session.paid',
    attempt: 1, manual: false, ok: n % 2 === 0, http_status: n % 2 === 0 ? 200 : 500, duration_ms: 12, response_snippet: 'ok', created: Date.now() - n });
  await sys.db('webhook_deliveries').insert(delivery(0));
  const one = await statementsOf(`/dashboard/webhooks/${hook.body.id}?limit=100`);
  await sys.db('webhook_deliveries').insert(Array.from({ length: 120 }, (_, i) => delivery(i + 1)));
  const hundred = await statementsOf(`/dashboard/webhooks/${hook.body.id}?limit=100`);
  expect([rowsOf(one.html, 'delivery'), rowsOf(hundred.html, 'delivery')]).toEqual([1, 100]);
  expect(hundred.count).toBe(one.count);
});

test('the users of an account, and the platform\'s accounts and sessions needing attention, cost the same statements with 100 rows as with one', async () => {
  const users = await statementsOf('/dashboard/settings');
  const adminPage = await statementsOf('/dashboard/admin?limit=100', adminClient);
  const owner = await sys.db('dashboard_users').where({ email: m.email }).first('id');
  await copyRow('dashboard_users', owner.id, 120, { email: "g || '-' || x.email", invite_token_hash: 'null' });
  await copyRow('accounts', m.id, 120, { name: "x.name || ' ' || g" });
  // A failed transfer of one of the paid sessions (the page reads the table; no workflow is involved).
  await sys.db('transfers').insert({ id: 'tr_count', key: 'count:0:0', receipt_id: 'rc_count', checkout_session_id: sessionIds[1], source_account_id: m.id,
    destination_account_id: m.id, livemode: false, index: 0, amount: 1, percentage: '1', status: 'failed', failure_reason: 'counted', created: Date.now(), modified: Date.now() });
  await copyRow('transfers', 'tr_count', 120, { key: "x.key || ':' || g", checkout_session_id: `(select id from checkout_sessions order by id offset (g % 100) limit 1)` });
  const usersAfter = await statementsOf('/dashboard/settings');
  const adminAfter = await statementsOf('/dashboard/admin?limit=100', adminClient);
  expect(rowsOf(usersAfter.html, 'user')).toBeGreaterThanOrEqual(100);
  expect(rowsOf(adminAfter.html, 'account')).toBe(100);
  // One row per session: the copies name 99 other sessions of the 100, besides the first transfer's.
  expect(rowsOf(adminAfter.html, 'attention')).toBeGreaterThanOrEqual(99);
  expect({ users: usersAfter.count, admin: adminAfter.count }).toEqual({ users: users.count, admin: adminPage.count });
});

test('the platform\'s accounts list pages through every merchant account once, forwards and back', async () => {
  const all = (await sys.db('accounts').where({ kind: 'merchant' }).select('id')).map((r: { id: string }) => r.id).sort();
  expect(all.length).toBeGreaterThan(100); // the copies of the test above: more than one page of 100
  const idsOf = (page: string) => [...page.matchAll(/data-account="([^"]+)"/g)].map((x) => x[1]);
  const nextOf = (page: string) => /href="([^"]+)" rel="next"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
  const prevOf = (page: string) => /href="([^"]+)" rel="prev"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
  const pages: string[] = [];
  let path: string | undefined = '/dashboard/admin?limit=40';
  while (path) {
    const res = await adminClient.get(path);
    expect(res.status).toBe(200);
    pages.push(res.text);
    path = nextOf(res.text);
  }
  const seen = pages.flatMap(idsOf);
  expect([...seen].sort()).toEqual(all);
  expect(new Set(seen).size).toBe(seen.length);
  // Back from the last page: the page before it, the same rows in the same order.
  const back = await adminClient.get(prevOf(pages[pages.length - 1])!);
  expect(idsOf(back.text)).toEqual(idsOf(pages[pages.length - 2]));
  // A cursor that is not an account ID is a 400 naming it.
  expect((await adminClient.get('/dashboard/admin?starting_after=cs_nope')).status).toBe(400);
});
