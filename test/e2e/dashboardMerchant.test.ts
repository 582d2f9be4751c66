import { connectTransfers } from '../support/transferDestinations';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { seriousViolations } from './support/axe';
import { eventually, newCustomer, screenshot, useBrowser } from './support/browser';
import { merchantWithUser, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();
let receiver: WebhookReceiver;
beforeAll(async () => { receiver = await startReceiver(); });
afterAll(async () => { await receiver?.close(); });

/** A URL the app made with PUBLIC_URL (http://checkout.test), pointed at this test's server. */
const local = (url: string) => url.replace('http://checkout.test', sys.baseUrl);

async function reloadUntil(page: Page, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    await page.reload();
    return check();
  }, Boolean, timeoutMs);
}

test('a merchant makes a payment link, a customer pays it, and the merchant sees it paid with its transfer, exports matching sums, gets a webhook delivery and revokes a key', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Dashboard Coffee');
  const partner = await createMerchant(sys.baseUrl, { name: 'Roaster partner' });
  await connectTransfers(sys.baseUrl, m.id, partner.id); // the platform admin connects the partner (transfer consent)
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);

  // 1. A payment link from the form, with a 10 % transfer to the partner.
  await page.getByRole('link', { name: 'Links' }).click();
  await page.getByRole('link', { name: 'New link' }).click();
  await page.getByLabel('Amount', { exact: true }).fill('25000');
  await page.getByLabel('Title', { exact: true }).fill('Coffee beans, 1 kg');
  await page.getByLabel('Transfer 1 account').fill(partner.id);
  await page.getByLabel('Transfer 1 percentage').fill('10');
  await page.getByLabel('Metadata').fill('sku=BEANS-1KG');
  await page.getByRole('button', { name: 'Create link' }).click();
  const linkUrl = await page.getByTestId('link-url').inputValue();
  expect(linkUrl).toMatch(/^http:\/\/checkout\.test\/p\/plink_\w+$/);
  await screenshot(page, 'dashboard-link-desktop');

  // 2. The customer opens it in another browser context and pays with the simulator.
  const customer = await newCustomer(browser, 'phone');
  await customer.page.goto(local(linkUrl));
  await Promise.all([customer.page.waitForURL(/\/pay\/cs_\w+$/), customer.page.getByTestId('continue').click()]);
  const sessionId = customer.page.url().split('/pay/')[1];
  expect(sessionId).toMatch(/^cs_\w+$/);
  await customer.page.getByTestId('simulate').click();
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${sessionId}`), (r) => r.body.status === 'paid', 30_000);
  await customer.context.close();

  // 3. Home shows it paid; its timeline shows the receipt and the paid transfer.
  await page.getByRole('link', { name: 'Home' }).click();
  expect(await page.getByTestId('paid-count').textContent()).toBe('1');
  expect(await page.getByTestId('revenue-30').textContent()).not.toBe('0 sats');
  // The chart library loaded under the CSP and drew on the canvas.
  await page.waitForFunction(() => {
    const chart = (window as unknown as { Chart?: { getChart(c: Element | null): unknown } }).Chart;
    return Boolean(chart?.getChart(document.getElementById('revenue-chart')));
  });
  await screenshot(page, 'dashboard-home-desktop');
  await page.getByTestId('recent-payments').getByRole('link', { name: sessionId }).click();
  await reloadUntil(page, async () => (await page.getByTestId('timeline').textContent())!.includes('paid'));
  // The transfer (10 % of what is left after the platform fee) is shown paid.
  const transfer = page.getByTestId('timeline').locator('li[data-kind="transfer"]');
  await reloadUntil(page, async () => (await transfer.locator('.badge.paid').count()) === 1);
  expect(await transfer.textContent()).toContain(partner.id);
  expect(await page.getByTestId('timeline').locator('li[data-kind="receipt"]').count()).toBe(1);
  expect(await page.getByTestId('received').textContent()).toBe('25,000 sats');
  await screenshot(page, 'dashboard-timeline-desktop');

  // 4. The CSV export adds up to /balances.
  await page.getByRole('link', { name: 'Money' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.type).sort()).toEqual(expect.arrayContaining(['payment', 'transfer']));
  const csvSum = rows.reduce((sum, r) => sum + BigInt(r.net_sats), 0n);
  const balance = await call(sys.baseUrl, m.key, 'GET', '/balances');
  expect(csvSum.toString()).toBe(String(balance.body.available[0].amount));
  expect(csvSum > 0n).toBe(true);
  expect(rows.find((r) => r.type === 'payment')).toMatchObject({ checkout_session: sessionId, currency: 'SATS' });
  await screenshot(page, 'dashboard-money-desktop');

  // 5. A webhook endpoint, its secret shown once, and a delivery of a test event.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByLabel('URL').fill(`${receiver.url}/hooks`);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  receiver.secret = await page.getByTestId('secret').inputValue();
  expect(receiver.secret).toMatch(/^whsec_/);
  await page.getByTestId('endpoints-table').getByRole('link').first().click();
  expect(await page.getByTestId('secret').count()).toBe(0);
  await page.getByTestId('send-test').click();
  await reloadUntil(page, async () => (await page.locator('[data-delivery] .badge.succeeded').count()) > 0);
  expect(receiver.received.some((r) => r.verified)).toBe(true);
  await screenshot(page, 'dashboard-webhook-desktop');

  // 6. A new key works until it is revoked, then gets 401.
  await page.getByRole('link', { name: 'Developers' }).click();
  await page.getByTestId('create-key').click();
  const key = await page.getByTestId('new-key').inputValue();
  expect((await call(sys.baseUrl, key, 'GET', '/balances')).status).toBe(200);
  const keyRow = page.locator('[data-key]').filter({ hasText: key.slice(0, 12) });
  page.once('dialog', (d) => void d.accept());
  await keyRow.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('Key revoked.').waitFor();
  expect((await call(sys.baseUrl, key, 'GET', '/balances')).status).toBe(401);
  await context.close();
}, 240_000);

const PAGES = ['', '/sessions', '/links', '/links/new', '/money', '/webhooks', '/developers', '/settings', '/account'];

test('every page, at desktop and phone size, has no serious or critical accessibility violation (axe-core) and is screenshotted', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Accessible shop');
  const cs = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'USD', amount: 12.5, title: 'Mug', metadata: { order: '7' } });
  await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${cs.body.payment_id}/receive`, { amount: 1_000 });
  const failures: string[] = [];
  for (const device of ['desktop', 'phone'] as const) {
    const { context, page } = await newCustomer(browser, device);
    await signIn(page, sys.baseUrl, m.email);
    for (const path of [...PAGES, `/sessions/${cs.body.id}`]) {
      await page.goto(`${sys.baseUrl}/dashboard${path}`);
      for (const v of await seriousViolations(page)) failures.push(`${device} ${path || '/'}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      // Nothing scrolls sideways at 390 px except inside a table's own scroller.
      if (device === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 1) failures.push(`phone ${path || '/'}: page is ${overflow}px wider than the screen`);
      }
      await screenshot(page, `dashboard${(path || '/home').replace(/\//g, '-').replace(/-cs_\w+/, '-session')}-${device}`);
    }
    await context.close();
  }
  expect(failures).toEqual([]);
}, 300_000);
