import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { eventually, newCustomer, screenshot, useBrowser } from './support/browser';

const sys = useTestSystem();
const browser = useBrowser();

test('when a payment expires the workflow renews it and the page shows the new one by itself', async () => {
  const m = await createMerchant(sys.baseUrl);
  // CHECKOUT_MIN_TTL_SECONDS=1 in tests: a 3-second payment expires while the customer watches.
  const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'USD', amount: 20, ttl: 3, title: 'Short-lived quote' })).body;
  const { context, page } = await newCustomer(browser, 'desktop');
  await page.goto(`${sys.baseUrl}/pay/${cs.id}`);
  await page.getByTestId('qr').waitFor();
  // On a loaded machine the first payment may already have expired when the page opens, and the page
  // then shows its successor: either way it shows a 3-second payment of this session.
  const shown = await page.getByTestId('payment').getAttribute('data-payment-id');
  expect((await call(sys.baseUrl, m.key, 'GET', `/payments/${shown}`)).body.checkout_session).toBe(cs.id);
  expect(await page.getByTestId('countdown').textContent()).toMatch(/^Expires in (0:0[0-3]|now.*)$/);
  expect(await page.getByTestId('amount').textContent()).toBe('20.00 USD');
  await screenshot(page, 'renewal-1-first-payment');

  // Nobody touches the page: its script sees the renewal and shows the new payment.
  const renewed = await eventually(
    () => page.getByTestId('payment').getAttribute('data-payment-id', { timeout: 1000 }),
    (id) => id !== null && id !== shown,
  );
  await page.getByTestId('qr').waitFor();
  await screenshot(page, 'renewal-2-renewed-payment');

  const first = await call(sys.baseUrl, m.key, 'GET', `/payments/${shown}`);
  expect(first.body.status).toBe('expired');
  const second = await call(sys.baseUrl, m.key, 'GET', `/payments/${renewed}`);
  expect(second.body).toMatchObject({ checkout_session: cs.id, amount: 20, currency: 'USD' });
  expect(second.body.expires_at).toBeGreaterThan(first.body.expires_at);
  expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`)).body.status).toBe('active');
  await context.close();
});
