import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/dashboard/users';
import { routeTable } from '../support/routeTable';
import { ADMIN_KEY, call, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { seriousViolations } from './support/axe';
import { newCustomer, useBrowser } from './support/browser';
import { merchantWithUser, PASSWORD, signIn } from './support/dashboard';

/**
 * axe-core (WCAG 2.x A/AA) on every page a person sees: every GET page route of the dashboard and of the
 * hosted pages, found by walking the app's router (a page added tomorrow fails here until it is in the
 * sweep), at desktop and phone size; the payment page also under merchant accent colours that neither
 * white nor dark text reads on as they are. No serious or critical violation anywhere.
 */
const sys = useTestSystem();
const browser = useBrowser();

/** Routes that are not pages: assets, the CSV download, JSON status polls, LNURL endpoints. */
const NOT_PAGES = [/^\/dashboard\/assets\//, /\/export\.csv$/, /^\/pay-assets\//, /\/status$/, /^\/lnurlw\//];
const PAGE_PREFIXES = ['/dashboard', '/pay/', '/p/', '/c/', '/w/'];

type Who = 'owner' | 'anonymous' | 'admin' | 'two-factor';
/** `landsOn`: where the page ends up when it redirects (a checkout link opens its own new session). */
interface Visit { route: string; path: string; who: Who; openDetails?: boolean; landsOn?: RegExp }

async function violations(page: Page, label: string, out: string[]): Promise<void> {
  for (const v of await seriousViolations(page)) out.push(`${label}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Signs a user with TOTP on in up to its code page (the challenge), in a fresh context. */
async function enrolTwoFactor(email: string): Promise<void> {
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, email);
  await page.goto(`${sys.baseUrl}/dashboard/account`);
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  await page.getByLabel('Code from the app').fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  await context.close();
}

test('every dashboard page and every hosted page has no serious or critical axe violation, at desktop and phone size', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Sweep shop');
  const paid = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 50_000, title: 'Mug', metadata: { order: '7' } })).body;
  await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${paid.payment_id}/receive`, { amount: 50_000, method: 'lightning' });
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${paid.id}`), (r) => r.body.status === 'paid');
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', '/balances'), (r) => r.body.available[0].amount > 0);
  const open = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 3_000, title: 'Cup' })).body;
  const plink = (await call(sys.baseUrl, m.key, 'POST', '/payment-links', { currency: 'SATS', amount: 1_000, title: 'Tip jar' })).body;
  const clink = (await call(sys.baseUrl, m.key, 'POST', '/checkout-links', { currency: 'SATS', amount: 1_500, title: 'Ticket' })).body;
  const hook = (await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: 'https://hooks.example/x', enabled_events: ['checkout_session.paid'] })).body;
  const wlink = (await call(sys.baseUrl, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1_000 })).body;
  const refund = (await call(sys.baseUrl, m.key, 'POST', '/refunds', { checkout_session: paid.id, amount: 1, reason: 'sweep' })).body;
  for (const [name, body] of Object.entries({ plink, clink, hook, wlink, refund })) expect({ name, ok: typeof body.id === 'string' ? true : JSON.stringify(body) }).toEqual({ name, ok: true });
  const invited = (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/users`, { email: `invited-${Date.now()}@shop.test`, role: 'viewer' })).body;
  const admin = await createUser({ db: sys.db, config: sys.config }, null, { email: `ops-${Date.now().toString(36)}@ops.test`, role: 'admin', password: PASSWORD });
  const twoFactor = await merchantWithUser(sys.baseUrl, 'developer', 'Two-factor shop');
  await enrolTwoFactor(twoFactor.email);

  const visits: Visit[] = [
    { route: '/dashboard', path: '/dashboard', who: 'owner' },
    { route: '/dashboard/sessions', path: '/dashboard/sessions', who: 'owner' },
    { route: '/dashboard/sessions/:id', path: `/dashboard/sessions/${paid.id}`, who: 'owner', openDetails: true },
    { route: '/dashboard/links', path: '/dashboard/links', who: 'owner' },
    { route: '/dashboard/links/new', path: '/dashboard/links/new', who: 'owner' },
    { route: '/dashboard/links/:id', path: `/dashboard/links/${plink.id}`, who: 'owner' },
    { route: '/dashboard/money', path: '/dashboard/money', who: 'owner' },
    { route: '/dashboard/payouts', path: '/dashboard/payouts', who: 'owner', openDetails: true },
    { route: '/dashboard/withdrawal-links', path: '/dashboard/withdrawal-links', who: 'owner', openDetails: true },
    { route: '/dashboard/withdrawal-links/:id', path: `/dashboard/withdrawal-links/${wlink.id}`, who: 'owner' },
    { route: '/dashboard/refunds', path: '/dashboard/refunds', who: 'owner' },
    { route: '/dashboard/refunds/:id', path: `/dashboard/refunds/${refund.id}`, who: 'owner' },
    { route: '/dashboard/webhooks', path: '/dashboard/webhooks', who: 'owner' },
    { route: '/dashboard/webhooks/:id', path: `/dashboard/webhooks/${hook.id}`, who: 'owner' },
    { route: '/dashboard/developers', path: '/dashboard/developers', who: 'owner' },
    { route: '/dashboard/settings', path: '/dashboard/settings', who: 'owner' },
    { route: '/dashboard/account', path: '/dashboard/account', who: 'owner' },
    { route: '/dashboard/admin', path: '/dashboard/admin', who: 'admin' },
    { route: '/dashboard/sign-in', path: '/dashboard/sign-in', who: 'anonymous' },
    { route: '/dashboard/invite/:token', path: new URL(invited.invite_url).pathname, who: 'anonymous' },
    { route: '/dashboard/sign-in/two-factor', path: '/dashboard/sign-in/two-factor', who: 'two-factor' },
    { route: '/pay/:id', path: `/pay/${open.id}`, who: 'anonymous' },
    { route: '/pay/:id', path: `/pay/${paid.id}`, who: 'anonymous' },
    { route: '/p/:id', path: new URL(plink.url).pathname, who: 'anonymous' },
    { route: '/c/:id', path: new URL(clink.url).pathname, who: 'anonymous', landsOn: /^\/pay\/cs_\w+$/ },
    { route: '/w/:id', path: new URL(wlink.url).pathname, who: 'anonymous' },
  ];

  // Every page route is in the sweep.
  const pageRoutes = routeTable(sys.app!).filter((r) => r.method === 'GET' && PAGE_PREFIXES.some((p) => r.path === p || r.path.startsWith(p))
    && !NOT_PAGES.some((re) => re.test(r.path))).map((r) => r.path);
  expect([...new Set(pageRoutes)].sort()).toEqual([...new Set(visits.map((v) => v.route))].sort());

  const failures: string[] = [];
  for (const device of ['desktop', 'phone'] as const) {
    const contexts = await Promise.all((['owner', 'anonymous', 'admin', 'two-factor'] as const).map(async (who) => {
      const c = await newCustomer(browser, device);
      if (who === 'owner') await signIn(c.page, sys.baseUrl, m.email);
      if (who === 'admin') await signIn(c.page, sys.baseUrl, admin.email);
      if (who === 'two-factor') await signIn(c.page, sys.baseUrl, twoFactor.email);
      return [who, c] as const;
    }));
    const byWho = new Map(contexts);
    for (const v of visits) {
      const { page } = byWho.get(v.who)!;
      const res = await page.goto(`${sys.baseUrl}${v.path}`);
      const at = new URL(page.url()).pathname;
      expect({ path: v.path, status: res?.status(), landed: v.landsOn ? v.landsOn.test(at) : at === v.path }).toEqual({ path: v.path, status: 200, landed: true });
      if (v.openDetails) for (const d of await page.locator('details').all()) await d.evaluate((el) => el.setAttribute('open', ''));
      await violations(page, `${device} ${v.path}`, failures);
    }
    for (const [, c] of contexts) await c.context.close();
  }

  // The payment page under accents of every kind: light, dark, and mid-tones neither text colour reads on.
  const customer = await newCustomer(browser, 'phone');
  for (const accent of ['#fde047', '#1f4fd8', '#777777', '#e0115f', '#10b981']) {
    const owner = await newCustomer(browser, 'desktop');
    await signIn(owner.page, sys.baseUrl, m.email);
    await owner.page.goto(`${sys.baseUrl}/dashboard/settings`);
    await owner.page.getByLabel("Use the page's own colour").uncheck();
    await owner.page.locator('#accent_color').fill(accent);
    await owner.page.getByTestId('save-branding').click();
    await owner.page.getByText('Branding saved.').waitFor();
    await owner.context.close();
    for (const path of [`/pay/${open.id}`, new URL(wlink.url).pathname]) {
      await customer.page.goto(`${sys.baseUrl}${path}`);
      await violations(customer.page, `accent ${accent} ${path}`, failures);
    }
  }
  await customer.context.close();
  expect(failures).toEqual([]);
}, 400_000);
