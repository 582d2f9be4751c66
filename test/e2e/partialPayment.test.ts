import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { newCustomer, screenshot, useBrowser, BACKEND_WAIT_MS } from './support/browser';


const sys = useTestSystem();
const browser = useBrowser();

test('a partial payment shows the amount still due with a new QR, and paying the rest shows the success message', async () => {
  const m = await createMerchant(sys.baseUrl, { name: 'Node Runners Co.' });
  const link = await call(sys.baseUrl, m.key, 'POST', '/checkout-links', {
    currency: 'SATS', amount: 10_000, title: 'Raspberry Pi node kit', amount_paid_tolerance: 0,
    success_message: 'Thanks! Your node kit ships tomorrow.',
  });
  const { context, page } = await newCustomer(browser, 'desktop');
  await page.goto(`${sys.baseUrl}/c/${link.body.id}`);
  expect(page.url()).toBe(`${sys.baseUrl}/pay/${link.body.checkout_session}`);
  await page.getByTestId('qr').waitFor();
  const firstPayment = await page.getByTestId('payment').getAttribute('data-payment-id');
  expect(await page.getByTestId('pay-sats').textContent()).toBe('10,000 sats');

  // 4,000 of 10,000 sats arrive on-chain: the page shows what is still due and asks for exactly that.
  await page.getByTestId('simulate-amount').fill('4000');
  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await page.getByTestId('amount-due').waitFor({ timeout: BACKEND_WAIT_MS });
  expect(await page.getByTestId('partial').textContent()).toMatch(/We received 4,000 sats\.\s+6,000 sats still due\./);
  await page.getByTestId('qr').waitFor({ timeout: BACKEND_WAIT_MS });
  expect(await page.getByTestId('payment').getAttribute('data-payment-id')).not.toBe(firstPayment);
  expect(await page.getByTestId('pay-sats').textContent()).toBe('6,000 sats');
  expect(await page.getByTestId('qr').getAttribute('href')).toMatch(/\?amount=0\.00006&lightning=/);
  await screenshot(page, 'partial-1-amount-due');

  const session = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${link.body.checkout_session}`);
  expect(session.body).toMatchObject({ status: 'active', target_amount_paid: 4000, target_amount_due: 6000 });

  // The simulator offers the rest by default.
  expect(await page.getByTestId('simulate-amount').inputValue()).toBe('6000');
  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await page.getByTestId('paid').waitFor({ timeout: BACKEND_WAIT_MS });
  expect(await page.getByTestId('success-message').textContent()).toBe('Thanks! Your node kit ships tomorrow.');
  await screenshot(page, 'partial-2-paid-message');

  const read = await call(sys.baseUrl, m.key, 'GET', `/checkout-links/${link.body.id}`);
  expect(read.body.status).toBe('paid');
  expect(read.body.payment_id).toHaveLength(2);
  await context.close();
}, 3 * BACKEND_WAIT_MS);
