import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { call, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { seriousViolations } from './support/axe';
import { eventually, newCustomer, screenshot, useBrowser } from './support/browser';
import { addUser, dashboardClient, merchantWithUser, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();

const someone = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
const invoice = async (sats: number, memo = 'dashboard test') =>
  (await someone.createInvoice({ amountSats: BigInt(sats), memo, expirySeconds: 600 })).paymentRequest;

async function reloadUntil(page: Page, check: () => Promise<boolean>): Promise<void> {
  await eventually(async () => {
    await page.reload();
    return check();
  }, Boolean, 30_000);
}

/** A merchant whose test balance holds a paid session of `sats` (less the platform fee). */
async function fundedMerchant(sats: number) {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Money-out shop');
  const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: sats, title: 'Bike' })).body;
  await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: sats, method: 'lightning' });
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid');
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', '/balances'), (r) => r.body.available[0].amount > 0);
  return { ...m, sessionId: cs.id as string };
}

test('an owner sends a payout, makes and deactivates a withdrawal link, and refunds a session in parts; the lists, the timeline and the CSV show all of it', async () => {
  const m = await fundedMerchant(100_000);
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);

  // 1. A payout: a bad destination is refused on the form, naming the field as the API does; a good one is paid.
  await page.goto(`${sys.baseUrl}/dashboard/payouts`);
  await page.getByText('Send a payout').click();
  await page.getByLabel('Destination').fill('not an invoice');
  await page.getByLabel('Amount').fill('1000');
  page.on('dialog', (d) => void d.accept());
  await page.getByTestId('send-payout').click();
  expect(await page.getByTestId('form-error').textContent()).toMatch(/^withdraw_request:/);
  expect(await page.getByLabel('Amount').inputValue()).toBe('1000');
  await page.getByLabel('Destination').fill(await invoice(1_000));
  await page.getByLabel('Note (yours only)').fill('rent');
  await page.getByTestId('send-payout').click();
  await page.waitForURL(/\/dashboard\/payouts$/);
  const payoutRow = page.locator('[data-payout]');
  await reloadUntil(page, async () => (await payoutRow.locator('.badge.paid').count()) === 1);
  expect(await payoutRow.textContent()).toContain('rent');
  const payoutId = await payoutRow.getAttribute('data-payout');
  expect((await call(sys.baseUrl, m.key, 'GET', `/instant-sends/${payoutId}`)).body).toMatchObject({ status: 'paid', target_amount: 1000 });
  await screenshot(page, 'dashboard-payouts-desktop');

  // 2. A withdrawal link: its page has the URL and QR; deactivated, its reserve goes back.
  await page.getByRole('link', { name: 'Withdrawal links' }).click();
  await page.getByText('New withdrawal link').click();
  await page.getByLabel('Amount').fill('2500');
  await page.getByLabel('Valid for (hours)').fill('24');
  await page.getByTestId('create-withdrawal-link').click();
  const wlinkUrl = await page.getByTestId('withdrawal-url').inputValue();
  expect(wlinkUrl).toMatch(/^http:\/\/checkout\.test\/w\/wlink_\w+$/);
  const wlinkId = wlinkUrl.split('/w/')[1];
  expect((await call(sys.baseUrl, m.key, 'GET', `/withdrawal-links/${wlinkId}`)).body).toMatchObject({ status: 'active', target_amount: 2500 });
  await screenshot(page, 'dashboard-withdrawal-link-desktop');
  await page.getByTestId('deactivate-withdrawal-link').click();
  await page.locator('.badge.deactivated').first().waitFor();
  expect((await call(sys.baseUrl, m.key, 'GET', `/withdrawal-links/${wlinkId}`)).body.status).toBe('deactivated');

  // 3. Refunds from the session's page: an excess refund of a session paid exactly is refused (the API's rule);
  //    a partial one as a withdrawal link; one to an invoice that cannot be routed fails with its reason.
  await page.goto(`${sys.baseUrl}/dashboard/sessions/${m.sessionId}`);
  await page.getByText('Refund', { exact: true }).first().click();
  await page.getByLabel('Excess', { exact: true }).check();
  await page.getByTestId('create-refund').click();
  await page.getByTestId('form-error').waitFor();
  expect(await page.getByTestId('form-error').textContent()).toMatch(/excess|overpaid/i);
  await page.getByLabel('Partial', { exact: true }).check();
  await page.getByLabel(/Amount of a partial refund/).fill('3000');
  await page.getByLabel('Reason (optional)').fill('damaged box');
  await page.getByTestId('create-refund').click();
  await page.waitForURL(/\/dashboard\/refunds\/re_\w+$/);
  const refundId = page.url().split('/refunds/')[1];
  expect(await page.getByTestId('refund-url').inputValue()).toMatch(/^http:\/\/checkout\.test\/w\/wlink_\w+$/);
  expect(await page.getByTestId('refund-sats').textContent()).toBe('3,000 sats');
  await screenshot(page, 'dashboard-refund-desktop');

  await page.goto(`${sys.baseUrl}/dashboard/sessions/${m.sessionId}`);
  await page.getByText('Refund', { exact: true }).first().click();
  await page.getByLabel('Partial', { exact: true }).check();
  await page.getByLabel(/Amount of a partial refund/).fill('1500');
  await page.getByLabel('Their Lightning invoice').check();
  await page.getByLabel('Invoice for exactly the refund').fill(await invoice(1_500, 'refund [unroutable]'));
  await page.getByTestId('create-refund').click();
  await page.waitForURL(/\/dashboard\/refunds\/re_\w+$/);
  await reloadUntil(page, async () => (await page.locator('.badge.failed').count()) === 1);
  expect(await page.getByTestId('failure-reason').textContent()).toMatch(/\S/);

  // The session's timeline shows both refunds.
  await page.goto(`${sys.baseUrl}/dashboard/sessions/${m.sessionId}`);
  const refunds = page.getByTestId('timeline').locator('li[data-kind="refund"]');
  expect(await refunds.count()).toBe(2);
  expect(await refunds.filter({ hasText: refundId }).locator('.badge.pending').count()).toBe(1);
  await screenshot(page, 'dashboard-session-refunds-desktop');

  // The refund list shows them with status; the withdrawal-link refund is canceled from its page.
  await page.goto(`${sys.baseUrl}/dashboard/refunds`);
  expect(await page.locator('[data-refund]').count()).toBe(2);
  await page.getByRole('link', { name: refundId }).click();
  await page.getByTestId('cancel-refund').click();
  await page.locator('.badge.canceled').first().waitFor();
  expect((await call(sys.baseUrl, m.key, 'GET', `/refunds/${refundId}`)).body.status).toBe('canceled');

  // 4. The CSV export has the payout with its ID, and still adds up to /balances.
  await page.goto(`${sys.baseUrl}/dashboard/money`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  expect(rows.find((r) => r.type === 'payout')).toMatchObject({ payout: payoutId, net_sats: '-1000', refund: '' });
  const balance = await call(sys.baseUrl, m.key, 'GET', '/balances');
  expect(rows.reduce((sum, r) => sum + BigInt(r.net_sats), 0n).toString()).toBe(String(balance.body.available[0].amount));
  await context.close();
}, 240_000);

test('a refund paid through its withdrawal link is in the CSV with the refund\'s ID', async () => {
  const m = await fundedMerchant(20_000);
  const refund = await call(sys.baseUrl, m.key, 'POST', '/refunds', { checkout_session: m.sessionId, amount: 4_000 });
  expect(refund.status).toBe(200);
  // The customer claims the link with an invoice for the refund (LUD-03), as their wallet would.
  const lnurlw = await fetch(refund.body.url.replace('http://checkout.test/w/', `${sys.baseUrl}/lnurlw/`)).then((r) => r.json());
  const claim = new URL(lnurlw.callback.replace('http://checkout.test', sys.baseUrl));
  claim.searchParams.set('k1', lnurlw.k1);
  claim.searchParams.set('pr', await invoice(4_000));
  expect((await fetch(claim).then((r) => r.json())).status).toBe('OK');
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/refunds/${refund.body.id}`), (r) => r.body.status === 'succeeded');
  const client = await dashboardClient(sys.baseUrl, m.email);
  const csv = parse((await client.get('/dashboard/money/export.csv?type=refund')).text, { columns: true }) as Record<string, string>[];
  expect(csv).toEqual([expect.objectContaining({ type: 'refund', refund: refund.body.id, withdrawal_link: refund.body.withdrawal_link, net_sats: '-4000', checkout_session: m.sessionId })]);
});

test('a viewer sees money out but no form to send it, and the server refuses the writes (403)', async () => {
  const m = await fundedMerchant(10_000);
  const viewerEmail = await addUser(sys.baseUrl, m.id, 'viewer');
  const { context, page } = await newCustomer(browser, 'phone');
  await signIn(page, sys.baseUrl, viewerEmail);
  for (const path of ['/payouts', '/withdrawal-links', `/sessions/${m.sessionId}`]) {
    await page.goto(`${sys.baseUrl}/dashboard${path}`);
    expect(await page.locator('form[method="post"] [data-testid^="send-payout"], [data-testid="create-withdrawal-link"], [data-testid="create-refund"]').count()).toBe(0);
  }
  await context.close();
  const viewer = await dashboardClient(sys.baseUrl, viewerEmail);
  for (const path of ['/dashboard/payouts', '/dashboard/withdrawal-links', `/dashboard/sessions/${m.sessionId}/refund`]) {
    expect({ path, status: (await viewer.post(path, { _csrf: viewer.csrf, amount: '100' })).status }).toEqual({ path, status: 403 });
  }
  expect((await call(sys.baseUrl, m.key, 'GET', '/refunds')).body.data).toEqual([]);
});

test('the money-out pages have no serious or critical accessibility violation at desktop and phone size', async () => {
  const m = await fundedMerchant(50_000);
  const wlink = await call(sys.baseUrl, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1_000 });
  const refund = await call(sys.baseUrl, m.key, 'POST', '/refunds', { checkout_session: m.sessionId, amount: 2_000, reason: 'late' });
  await call(sys.baseUrl, m.key, 'POST', '/instant-sends', { currency: 'SATS', amount: 500, withdraw_method: 'lightning', withdraw_request: await invoice(500) });
  const failures: string[] = [];
  for (const device of ['desktop', 'phone'] as const) {
    const { context, page } = await newCustomer(browser, device);
    await signIn(page, sys.baseUrl, m.email);
    for (const path of ['/payouts', '/withdrawal-links', `/withdrawal-links/${wlink.body.id}`, '/refunds', `/refunds/${refund.body.id}`, `/sessions/${m.sessionId}`]) {
      await page.goto(`${sys.baseUrl}/dashboard${path}`);
      // The forms are folded away; axe checks them open.
      for (const d of await page.locator('details.panel').all()) await d.evaluate((el) => el.setAttribute('open', ''));
      for (const v of await seriousViolations(page)) failures.push(`${device} ${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      if (device === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 1) failures.push(`phone ${path}: page is ${overflow}px wider than the screen`);
      }
      await screenshot(page, `dashboard${path.replace(/\//g, '-').replace(/-(cs|wlink|re)_\w+/, '-$1')}-${device}`);
    }
    await context.close();
  }
  expect(failures).toEqual([]);
}, 240_000);
