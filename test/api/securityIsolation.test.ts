import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { ADMIN_KEY, call, createMerchant, startTestSystem, waitFor, type JsonResponse, type TestSystem } from '../support/testSystem';
import { routeTable, type RouteEntry } from '../support/routeTable';

/**
 * The isolation sweep: every route of the app's route table (walked from the Express router stack, so
 * a new route is swept the day it is added) × every caller that must not reach the victim's objects:
 * no key, a bad key, a revoked key, another tenant's key, the victim's own other-mode key, and the
 * admin key on a merchant route (or a merchant key on an admin route). Each gets its 401/403/404 (or a
 * 400 that reveals nothing), never a 2xx on the victim's object, and no victim ID it did not send
 * appears anywhere in the answer.
 */

/** Routes that are public by design (the customer's page and links, docs, health); everything else needs a key. */
const PUBLIC = [
  /^\/health$/, /^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/metrics$/,
  /^\/pay\/:id(\/status|\/simulate)?$/, /^\/pay-assets\//, /^\/c\/:id$/, /^\/p\/:id$/,
];
const isAdminRoute = (path: string) => path === '/accounts' || path.startsWith('/accounts/');

let sys: TestSystem;
let routes: RouteEntry[];
const victim = { id: '', key: '', liveKey: '' };
const attacker = { key: '', revokedKey: '' };
/** The victim's object per resource segment that precedes a path parameter. */
const objects: Record<string, string> = {};

beforeAll(async () => {
  sys = await startTestSystem();
  routes = routeTable(sys.app!);
  const v = await createMerchant(sys.baseUrl);
  const dest = await createMerchant(sys.baseUrl);
  const a = await createMerchant(sys.baseUrl);
  Object.assign(victim, v, { liveKey: (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${v.id}/keys`, { livemode: true })).body.secret_key });
  attacker.key = a.key;
  const doomed = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${a.id}/keys`, { livemode: false });
  await call(sys.baseUrl, ADMIN_KEY, 'DELETE', `/accounts/${a.id}/keys/${doomed.body.id}`);
  attacker.revokedKey = doomed.body.secret_key;

  const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, v.key, method, route, body);
  const webhook = await api('POST', '/webhooks', { url: 'https://merchant.example/hooks', enabled_events: ['*'] });
  const clink = await api('POST', '/checkout-links', { currency: 'SATS', amount: 1000, title: 'Mug' });
  const plink = await api('POST', '/payment-links', { currency: 'SATS', amount: 1000, title: 'Tips' });
  const cs = await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers: [{ destination_account: dest.id, percentage: 10 }] });
  const receipt = await api('POST', `/test-helpers/payments/${cs.body.payment_id}/receive`, { amount: 10_000 });
  const transfers = await waitFor(() => api('GET', `/transfers?checkout_session=${cs.body.id}`), (r) => r.body.data?.[0]?.status === 'paid', 20_000);
  const payee = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
  const bolt11 = (await payee.createInvoice({ amountSats: 100n, memo: 'victim payout', expirySeconds: 600 })).paymentRequest;
  const payout = await api('POST', '/instant-sends', { amount: 100, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: bolt11 });
  const events = await api('GET', '/events?limit=1');
  const txns = await api('GET', '/balance-transactions?limit=1');
  const keys = await call(sys.baseUrl, ADMIN_KEY, 'GET', `/accounts/${v.id}/keys`);
  Object.assign(objects, {
    'checkout-sessions': cs.body.id, payment: cs.body.payment_id, payments: cs.body.payment_id, events: events.body.data[0].id,
    transfers: transfers.body.data[0].id, 'balance-transactions': txns.body.data[0].id, webhooks: webhook.body.id,
    'checkout-links': clink.body.id, 'payment-links': plink.body.id, accounts: v.id, keys: keys.body.data[0].id,
    receipt: receipt.body.id, 'instant-sends': payout.body.id, 'checkout-link-session': clink.body.checkout_session_id ?? clink.body.checkout_session,
  });
  for (const [name, id] of Object.entries(objects)) if (typeof id !== 'string' || !/^[a-z]+_\w+$/.test(id)) throw new Error(`victim fixture ${name} missing: ${id}`);
}, 120_000);
afterAll(async () => { await sys?.stop(); });

/** The route's path with each `:param` replaced by the victim's object of the segment before it. */
function concretePath(path: string): string {
  if (/[*{}()?]/.test(path)) throw new Error(`route ${path} uses a pattern the sweep cannot fill; teach it`);
  const parts = path.split('/');
  return parts.map((part, i) => {
    if (!part.startsWith(':')) return part;
    const id = objects[parts[i - 1]];
    if (!id) throw new Error(`no victim object for ${part} in ${path}: add one to the sweep's fixtures`);
    return id;
  }).join('/');
}

function foreignIdsIn(res: JsonResponse, sentPath: string): string[] {
  const text = JSON.stringify(res.body ?? '');
  return [...Object.values(objects), victim.id].filter((id) => !sentPath.includes(id) && text.includes(id));
}

async function send(key: string | null, route: RouteEntry): Promise<{ path: string; res: JsonResponse }> {
  const path = concretePath(route.path);
  const body = route.method === 'POST' ? {} : undefined;
  const res = await call(sys.baseUrl, key, route.method, path, body).catch(async () => {
    // A non-JSON answer (HTML page, 415 text) still must not carry the victim's objects.
    const raw = await fetch(`${sys.baseUrl}${path}`, { method: route.method });
    return { status: raw.status, body: await raw.text(), headers: raw.headers };
  });
  return { path, res };
}

test('the route table is walked (mounted routers included) and every non-public route needs a key', async () => {
  const names = routes.map((r) => `${r.method} ${r.path}`);
  for (const known of ['POST /checkout-sessions', 'GET /checkout-sessions/:id', 'GET /webhooks/:id/deliveries', 'POST /accounts/:id/keys',
    'GET /payment-links/:id', 'GET /transfers/:id', 'POST /test-helpers/payments/:id/receive', 'GET /p/:id']) {
    expect(names).toContain(known);
  }
  expect(routes.length).toBeGreaterThan(35);
  for (const route of routes.filter((r) => !PUBLIC.some((p) => p.test(r.path)))) {
    const { res } = await send(null, route);
    expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
  }
});

test('the owner can read every parameterised GET route with these fixtures (so the sweep aims at real objects)', async () => {
  for (const route of routes.filter((r) => r.method === 'GET' && r.path.includes(':') && !PUBLIC.some((p) => p.test(r.path)))) {
    const { res } = await send(isAdminRoute(route.path) ? ADMIN_KEY : victim.key, route);
    expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 200 });
  }
  // The leak detector sees the victim's IDs where they legitimately are: it is not blind.
  const own = await send(victim.key, { method: 'GET', path: '/transfers' });
  expect(foreignIdsIn(own.res, own.path)).toEqual(expect.arrayContaining([objects.transfers, objects['checkout-sessions']]));
});

const callers: [string, () => string | null][] = [
  ['no key', () => null],
  ['a bad key', () => 'sk_test_notARealKey0123456789abcdefghij'],
  ['a revoked key', () => attacker.revokedKey],
  ["another tenant's key", () => attacker.key],
  ["the victim's other-mode key", () => victim.liveKey],
  ['the admin key on a merchant route / a merchant key on an admin route', () => ADMIN_KEY],
];

test.each(callers)('%s reaches none of the victim\'s objects and sees none of their IDs', async (who, keyOf) => {
  const failures: string[] = [];
  for (const route of routes.filter((r) => !PUBLIC.some((p) => p.test(r.path)))) {
    const admin = isAdminRoute(route.path);
    let key = keyOf();
    if (admin && key === ADMIN_KEY) key = attacker.key; // an admin route's wrong caller is a merchant
    const { path, res } = await send(key, route);
    const credentialless = key === null || key === ADMIN_KEY || who === 'a bad key' || who === 'a revoked key' || admin;
    const allowed = credentialless ? [401] : route.path.includes(':') ? [400, 403, 404] : [200, 400, 403];
    const leaked = foreignIdsIn(res, path);
    if (!allowed.includes(res.status) || leaked.length > 0) {
      failures.push(`${route.method} ${route.path} → ${res.status}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`);
    }
  }
  expect(failures).toEqual([]);
});
