import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { ADMIN_KEY, call, createMerchant, waitFor, type JsonResponse } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { routeTable, type RouteEntry } from '../support/routeTable';
import { useTestSystem } from '../support/useTestSystem';
import { addUser, dashboardClient, type DashboardClient } from '../e2e/support/dashboard';

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
  // The dashboard's doors: its sign-in form, sign-out (only ever ends the caller's own session), invitations, assets.
  /^\/dashboard\/(sign-in|sign-in\/two-factor|sign-out|invite\/:token)$/, /^\/dashboard\/assets\//,
  // A withdrawal link's page and its LNURL-withdraw endpoints (LUD-03): whoever holds the link may claim it.
  /^\/w\/:id$/, /^\/lnurlw\/:id(\/callback)?$/,
];
/** Dashboard routes authenticate by session cookie only: no API key (nor the admin key) opens them. */
const isDashboardRoute = (path: string) => path === '/dashboard' || path.startsWith('/dashboard/');
const isAdminRoute = (path: string) => path === '/accounts' || path.startsWith('/accounts/');

// The sweeps below make dozens of failed admin authentications from one client on purpose; the
// failure throttle (its own test: securityAdminAuth.test.ts) would turn their 401s into 429s.
const sys = useTestSystem({ env: { ADMIN_AUTH_MAX_FAILURES: '100000' } });
let routes: RouteEntry[];
const victim = { id: '', key: '', liveKey: '' };
const attacker = { key: '', revokedKey: '' };
/** Signed-in dashboard users: the victim's owner and viewer, and the attacker's owner. */
const dash: { victimOwner?: DashboardClient; victimViewer?: DashboardClient; attacker?: DashboardClient } = {};
/** The victim's object per resource segment that precedes a path parameter. */
const objects: Record<string, string> = {};

beforeAll(async () => {
  routes = routeTable(sys.app!);
  const v = await createMerchant(sys.baseUrl);
  const dest = await createMerchant(sys.baseUrl);
  const a = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, v.id, dest.id);
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
  const wlink = await api('POST', '/withdrawal-links', { currency: 'SATS', amount: 1000 });
  const refund = await api('POST', '/refunds', { checkout_session: cs.body.id, amount: 500 });
  const events = await api('GET', '/events?limit=1');
  const txns = await api('GET', '/balance-transactions?limit=1');
  const keys = await call(sys.baseUrl, ADMIN_KEY, 'GET', `/accounts/${v.id}/keys`);
  Object.assign(objects, {
    'checkout-sessions': cs.body.id, payment: cs.body.payment_id, payments: cs.body.payment_id, events: events.body.data[0].id,
    transfers: transfers.body.data[0].id, 'balance-transactions': txns.body.data[0].id, webhooks: webhook.body.id,
    'checkout-links': clink.body.id, 'payment-links': plink.body.id, accounts: v.id, keys: keys.body.data[0].id,
    'withdrawal-links': wlink.body.id, refunds: refund.body.id, 'instant-sends': payout.body.id,
    receipt: receipt.body.id, 'checkout-link-session': clink.body.checkout_session_id ?? clink.body.checkout_session,
    'transfer-destinations': dest.id,
  });
  // The dashboard's path segments name the same objects.
  Object.assign(objects, { sessions: cs.body.id, links: clink.body.id });
  const [victimOwner, victimViewer, attackerOwner] = await Promise.all([
    addUser(sys.baseUrl, v.id, 'owner'), addUser(sys.baseUrl, v.id, 'viewer'), addUser(sys.baseUrl, a.id, 'owner'),
  ]);
  objects.users = (await call(sys.baseUrl, ADMIN_KEY, 'GET', `/accounts/${v.id}/users`)).body.data[0].id;
  dash.victimOwner = await dashboardClient(sys.baseUrl, victimOwner);
  dash.victimViewer = await dashboardClient(sys.baseUrl, victimViewer);
  dash.attacker = await dashboardClient(sys.baseUrl, attackerOwner);
  for (const [name, id] of Object.entries(objects)) if (typeof id !== 'string' || !/^[a-z]+_\w+$/.test(id)) throw new Error(`victim fixture ${name} missing: ${id}`);
}, 120_000);

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
  for (const route of routes.filter((r) => r.method === 'GET' && r.path.includes(':') && !PUBLIC.some((p) => p.test(r.path)) && !isDashboardRoute(r.path))) {
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
    const credentialless = key === null || key === ADMIN_KEY || who === 'a bad key' || who === 'a revoked key' || admin || isDashboardRoute(route.path);
    const allowed = credentialless ? [401] : route.path.includes(':') ? [400, 403, 404] : [200, 400, 403];
    const leaked = foreignIdsIn(res, path);
    if (!allowed.includes(res.status) || leaked.length > 0) {
      failures.push(`${route.method} ${route.path} → ${res.status}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`);
    }
  }
  expect(failures).toEqual([]);
});

/** A dashboard route with the victim's objects, sent by a signed-in client (POSTs carry that client's own CSRF token). */
async function sendDashboard(client: DashboardClient, route: RouteEntry) {
  const path = concretePath(route.path);
  const res = route.method === 'POST' ? await client.post(path, { _csrf: client.csrf }) : await client.get(path);
  return { path, res };
}

const dashboardRoutes = () => routes.filter((r) => isDashboardRoute(r.path) && !PUBLIC.some((p) => p.test(r.path)));

test('the victim\'s own owner reaches every dashboard page with these fixtures (so the dashboard sweep aims at real objects)', async () => {
  // The platform pages are the admin's, not an owner's (a 403 for them is the viewer/attacker sweeps' business).
  const pages = dashboardRoutes().filter((r) => r.method === 'GET' && !r.path.startsWith('/dashboard/admin'));
  expect(pages.map((r) => r.path)).toEqual(expect.arrayContaining(['/dashboard', '/dashboard/sessions', '/dashboard/sessions/:id',
    '/dashboard/links/:id', '/dashboard/webhooks/:id', '/dashboard/money/export.csv', '/dashboard/developers', '/dashboard/settings']));
  for (const route of pages) {
    const { res } = await sendDashboard(dash.victimOwner!, route);
    expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 200 });
  }
});

test('a signed-in user of another account reaches none of the victim\'s objects through the dashboard and sees none of their IDs', async () => {
  const failures: string[] = [];
  // Signing out everywhere ends the attacker's own session, so it goes last.
  const ordered = [...dashboardRoutes()].sort((x, y) => Number(x.path.endsWith('/sign-out-everywhere')) - Number(y.path.endsWith('/sign-out-everywhere')));
  for (const route of ordered) {
    const { path, res } = await sendDashboard(dash.attacker!, route);
    // Without a parameter the attacker acts on their own account (a 303 after a POST of their own, a 200 page of their own data).
    const allowed = route.path.includes(':') ? [400, 403, 404] : [200, 303, 400, 403];
    const text = `${res.text} ${res.location ?? ''}`;
    const leaked = [...Object.values(objects), victim.id].filter((id) => !path.includes(id) && text.includes(id));
    if (!allowed.includes(res.status) || leaked.length > 0) failures.push(`${route.method} ${route.path} → ${res.status}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`);
  }
  expect(failures).toEqual([]);
});

/** POSTs any signed-in user may make about themselves (their own session, mode and password). */
const SELF_SERVICE = ['/dashboard/mode', '/dashboard/sign-out-everywhere', '/dashboard/account/password',
  '/dashboard/account/two-factor/start', '/dashboard/account/two-factor/confirm', '/dashboard/account/two-factor/disable'];

test('a viewer is refused (403) every dashboard write, whatever the route', async () => {
  const writes = dashboardRoutes().filter((r) => r.method !== 'GET' && !SELF_SERVICE.includes(r.path));
  expect(writes.map((r) => r.path)).toContain('/dashboard/sessions/:id/deactivate');
  const failures: string[] = [];
  for (const route of writes) {
    const { res } = await sendDashboard(dash.victimViewer!, route);
    if (res.status !== 403) failures.push(`${route.method} ${route.path} → ${res.status}`);
  }
  expect(failures).toEqual([]);
});
