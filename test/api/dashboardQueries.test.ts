import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '../../src/db/knex';
import { checkoutApp } from '../../src/system';
import { dashboardClient, merchantWithUser, type DashboardClient } from '../e2e/support/dashboard';
import { call, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

/**
 * No N+1 on the dashboard: a page's statement count does not grow with its rows. The pages run on a
 * second app over a knex instance of their own, so the statements counted are the page's only (the
 * worker and watcher of the test system use the system's knex).
 */
let sys: TestSystem;
let db: Db;
let server: Server;
let client: DashboardClient;
const sessionIds: string[] = [];

beforeAll(async () => {
  sys = await startTestSystem();
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Busy shop');
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
  client = await dashboardClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, m.email);
}, 300_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.destroy();
  await sys?.stop();
});

async function statementsOf(path: string): Promise<{ count: number; html: string }> {
  const statements: string[] = [];
  const listen = (q: { sql: string }) => statements.push(q.sql);
  db.on('query', listen);
  try {
    const res = await client.get(path);
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
