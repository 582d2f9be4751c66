import Decimal from 'decimal.js';
import { ADMIN_KEY, call, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { newCustomer, useBrowser } from './support/browser';
import { merchantWithUser, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();

const local = (url: string) => url.replace('http://checkout.test', sys.baseUrl);

test('an owner sets the display currency, a customer pays a session priced in it, and Home shows the revenue at that payment\'s recorded rate', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Euro bakery');
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);

  await page.goto(`${sys.baseUrl}/dashboard/settings`);
  await page.getByLabel('Display currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Account saved.').waitFor();

  // One session priced in EUR (converts at its own rate) and one in SATS (no EUR rate was ever recorded for it).
  const eur = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'EUR', amount: 12.34, title: 'Bread' });
  const satsSession = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, title: 'Roll' });
  const customer = await newCustomer(browser, 'phone');
  for (const cs of [eur.body, satsSession.body]) {
    await customer.page.goto(local(cs.url));
    await customer.page.getByTestId('simulate').click();
    await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid', 30_000);
  }
  await customer.context.close();

  // The expected figure from the database: the EUR payment's credited sats over its locked rate, floored to cents.
  const credited = await sys.db('ledger_entries as e').join('ledger_transactions as t', 't.id', 'e.txn_id')
    .join('receipts as r', 'r.id', 't.receipt_id').join('payments as p', 'p.id', 'r.payment_id')
    .where({ 'e.account_id': m.id, 't.type': 'payment' }).select('e.amount', 'p.currency', 'p.exchange_rate');
  const eurRows = credited.filter((r: { currency: string }) => r.currency === 'EUR');
  expect(eurRows).toHaveLength(1);
  const expected = eurRows.reduce((sum: Decimal, r: { amount: string; exchange_rate: string }) => sum.plus(new Decimal(r.amount).div(r.exchange_rate)), new Decimal(0))
    .toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
  const satsTotal = credited.reduce((sum: bigint, r: { amount: string }) => sum + BigInt(r.amount), 0n);
  const satsOnly = credited.filter((r: { currency: string }) => r.currency === 'SATS').reduce((sum: bigint, r: { amount: string }) => sum + BigInt(r.amount), 0n);

  await page.getByRole('link', { name: 'Home' }).click();
  expect(await page.getByTestId('revenue-30-fiat').textContent()).toBe(`${expected} EUR`);
  expect(await page.getByTestId('revenue-30').textContent()).toBe(`${satsTotal.toLocaleString('en-US')} sats`);
  expect(await page.getByTestId('revenue-unconverted').textContent()).toContain(`${satsOnly.toLocaleString('en-US')} sats`);
  expect(await page.getByTestId('revenue-rate-note').textContent()).toContain('locked when the payment was made');
  await context.close();
}, 180_000);

test('the account API refuses a display currency the product does not support, naming the field, and takes a lower-case code', async () => {
  const owner = await merchantWithUser(sys.baseUrl, 'owner', 'Currency shop');
  const res = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${owner.id}`, { display_currency: 'XYZ' });
  expect(res.status).toBe(400);
  expect(JSON.stringify(res.body)).toContain('display_currency');
  const ok = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${owner.id}`, { display_currency: 'gbp' });
  expect(ok.body.display_currency).toBe('GBP');
});
