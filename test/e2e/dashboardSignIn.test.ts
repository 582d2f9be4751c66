import { createUser } from '../../src/dashboard/users';
import { call } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { newCustomer, screenshot, useBrowser } from './support/browser';
import { addUser, dashboardClient, merchantWithUser, PASSWORD, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();

test('a merchant signs in, sees the sessions list, finds a session by its customer email and metadata, and signs out', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Sign-in shop');
  const cs = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 5_000, title: 'Mug', metadata: { order: 'A-1001' } });
  const other = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 7_000, title: 'Cap' });
  expect([cs.status, other.status]).toEqual([200, 200]);

  const { context, page } = await newCustomer(browser, 'desktop');
  await page.goto(`${sys.baseUrl}/dashboard/sessions`);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  await screenshot(page, 'dashboard-sign-in-desktop');
  await signIn(page, sys.baseUrl, m.email);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sessions');

  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'dashboard_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  await page.locator(`[data-session="${cs.body.id}"]`).waitFor();
  await page.locator(`[data-session="${other.body.id}"]`).waitFor();
  await screenshot(page, 'dashboard-sessions-desktop');

  await page.getByLabel('Search').fill('A-1001');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator(`[data-session="${cs.body.id}"]`).waitFor();
  expect(await page.locator(`[data-session="${other.body.id}"]`).count()).toBe(0);

  // The session's page: the owner deactivates it from there.
  await page.getByRole('link', { name: cs.body.id }).click();
  await page.getByTestId('timeline').waitFor();
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('deactivate').click();
  await page.locator('.badge.deactivated').first().waitFor();
  expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.body.id}`)).body.status).toBe('deactivated');

  await page.locator('summary').filter({ hasText: m.email }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/dashboard\/sign-in$/);
  await page.goto(`${sys.baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  await context.close();
});

test('a wrong password five times locks the sign-in, even with the right password afterwards', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'viewer');
  const { context, page } = await newCustomer(browser, 'phone');
  for (let i = 0; i < 5; i++) {
    await page.goto(`${sys.baseUrl}/dashboard/sign-in`);
    await page.getByLabel('Email').fill(m.email);
    await page.getByLabel('Password').fill(`wrong password ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('sign-in-error').waitFor();
  }
  expect(await page.getByTestId('sign-in-error').textContent()).toMatch(/locked until/);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('sign-in-error').waitFor();
  expect(await page.getByTestId('sign-in-error').textContent()).toMatch(/locked until/);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
  await screenshot(page, 'dashboard-locked-phone');
  await context.close();
});

test('a form posted from another origin is refused, even with the session cookie; the same form with the CSRF token works', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner');
  const client = await dashboardClient(sys.baseUrl, m.email);
  const foreign = await client.post('/dashboard/mode', { livemode: 'true', _csrf: client.csrf }, { origin: 'https://evil.example' });
  expect(foreign.status).toBe(403);
  const noToken = await client.post('/dashboard/mode', { livemode: 'true' });
  expect(noToken.status).toBe(403);
  const ok = await client.post('/dashboard/mode', { livemode: 'true', _csrf: client.csrf }, { origin: sys.baseUrl });
  expect(ok.status).toBe(303);
});

test('a viewer sees no write action and the server refuses the write anyway (403)', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner');
  const viewerEmail = await addUser(sys.baseUrl, m.id, 'viewer');
  const cs = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1_000 });
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, viewerEmail);
  await page.goto(`${sys.baseUrl}/dashboard/sessions/${cs.body.id}`);
  await page.getByTestId('timeline').waitFor();
  expect(await page.getByTestId('deactivate').count()).toBe(0);
  const viewer = await dashboardClient(sys.baseUrl, viewerEmail);
  const refused = await viewer.post(`/dashboard/sessions/${cs.body.id}/deactivate`, { _csrf: viewer.csrf });
  expect(refused.status).toBe(403);
  expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.body.id}`)).body.status).toBe('active');
  await context.close();
});

test('the platform admin signs in, creates an account with an invited owner, and the owner sets a password from the link and lands on their account', async () => {
  const adminEmail = `platform-${Date.now().toString(36)}@ops.test`;
  // The platform admin is a user without an account (CLI: npm run user -- create --admin).
  const admin = await createUser({ db: sys.db, config: sys.config }, null, { email: adminEmail, role: 'admin', password: PASSWORD });
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, admin.email);
  expect(new URL(page.url()).pathname).toBe('/dashboard/admin');
  expect(await page.getByRole('link', { name: 'Checkout sessions' }).count()).toBe(0);
  await page.getByLabel('New account name').fill('Invited shop');
  const ownerEmail = `invited-${Date.now().toString(36)}@shop.test`;
  await page.getByLabel("Owner's email (invited)").fill(ownerEmail);
  await page.getByRole('button', { name: 'Create account' }).click();
  const flash = await page.locator('.flash').textContent();
  const inviteUrl = /(http:\/\/checkout\.test\/dashboard\/invite\/[\w-]+)/.exec(flash ?? '')?.[1];
  expect(inviteUrl).toBeDefined();
  await screenshot(page, 'dashboard-admin-desktop');
  // A merchant's pages are not the admin's.
  const refused = await page.goto(`${sys.baseUrl}/dashboard/sessions`);
  expect(refused?.status()).toBe(403);
  await context.close();

  const owner = await newCustomer(browser, 'phone');
  await owner.page.goto(inviteUrl!.replace('http://checkout.test', sys.baseUrl));
  await owner.page.getByLabel('New password').fill('short');
  await owner.page.getByRole('button', { name: 'Save password' }).click();
  await owner.page.getByLabel('New password').fill(PASSWORD);
  await owner.page.getByRole('button', { name: 'Save password' }).click();
  await owner.page.waitForURL(/\/dashboard$/);
  await owner.page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings' }).click();
  expect(await owner.page.getByTestId('users-table').textContent()).toContain(ownerEmail);
  // The invitation is single-use.
  const again = await owner.page.goto(inviteUrl!.replace('http://checkout.test', sys.baseUrl));
  expect(again?.status()).toBe(404);
  await owner.context.close();
});
