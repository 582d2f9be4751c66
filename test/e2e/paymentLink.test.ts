import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { newCustomer, screenshot, startShopServer, useBrowser, BACKEND_WAIT_MS } from './support/browser';


const sys = useTestSystem();
const browser = useBrowser();
let shop: Awaited<ReturnType<typeof startShopServer>>;
beforeAll(async () => { shop = await startShopServer(); });
afterAll(async () => { await shop?.close(); });

test('a customer opens a payment link, is refused without a required detail, pays with the simulator and lands on success_url', async () => {
  const m = await createMerchant(sys.baseUrl, { name: 'Hodl Coffee' });
  const successUrl = `${shop.url}/thanks?order=42`;
  const link = await call(sys.baseUrl, m.key, 'POST', '/payment-links', {
    currency: 'SATS', amount: 25_000, title: 'Coffee beans, 1 kg', title_description: 'Single origin, roasted this week.',
    customer_collections_status: { is_email_enabled: true },
    custom_fields: [{ type: 'dropdown', label: 'Grind', options: ['Whole bean', 'Espresso', 'Filter'] }],
    success_url: successUrl, cancel_url: `${shop.url}/cart`,
  });
  expect(link.status).toBe(200);

  const { context, page } = await newCustomer(browser, 'phone');
  await page.goto(`${sys.baseUrl}/p/${link.body.id}`);
  // The link's first page opens nothing until the customer goes on (a crawler burns no address).
  await Promise.all([page.waitForURL(/\/pay\/cs_\w+$/), page.getByTestId('continue').click()]);
  expect(page.url()).toMatch(/\/pay\/cs_\w+$/);
  const sessionId = page.url().split('/pay/')[1];
  await page.getByRole('heading', { name: 'Coffee beans, 1 kg' }).waitFor();
  expect(await page.getByTestId('amount').textContent()).toBe('25,000 SATS');
  expect(await page.getByTestId('cancel').getAttribute('href')).toBe(`${shop.url}/cart`);
  expect(await page.getByTestId('qr').count()).toBe(0);
  await screenshot(page, 'payment-link-1-form');

  // The email is required: leaving it out is refused by the server, with a message at the field.
  await page.getByLabel('Grind').selectOption('Espresso');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.locator('[data-error-for="email"]').waitFor();
  expect(await page.locator('[data-error-for="email"]').textContent()).toBe('Email is required.');
  expect(await page.getByTestId('qr').count()).toBe(0);
  await screenshot(page, 'payment-link-2-refused');

  await page.getByLabel('Email').fill('satoshi@example.com');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByTestId('qr').locator('svg').waitFor();
  const uri = await page.getByTestId('qr').getAttribute('href');
  expect(uri).toMatch(/^bitcoin:bcrt1\w+\?amount=0\.00025&lightning=lnbcrt\w+$/);
  expect(await page.getByTestId('countdown').textContent()).toMatch(/^Expires in \d+ days$/);
  expect(await page.locator('#ln-invoice').inputValue()).toBe(uri!.split('lightning=')[1]);
  await screenshot(page, 'payment-link-3-qr');

  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await page.waitForURL(successUrl, { timeout: BACKEND_WAIT_MS });
  expect(await page.getByRole('heading').textContent()).toBe('Thanks from the shop');
  await screenshot(page, 'payment-link-4-success-url');

  const session = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${sessionId}`);
  expect(session.body).toMatchObject({ status: 'paid', target_amount_paid: 25_000 });
  const byPayment = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/payment/${session.body.payments[0].id}`);
  expect(byPayment.body.customer_details).toMatchObject({
    email: 'satoshi@example.com', custom_fields: [{ label: 'Grind', value: 'Espresso' }],
  });
  await context.close();
}, 3 * BACKEND_WAIT_MS);
