import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { newCustomer, screenshot, startShopServer, useBrowser, BACKEND_WAIT_MS } from './support/browser';


const sys = useTestSystem();
const browser = useBrowser();
let shop: Awaited<ReturnType<typeof startShopServer>>;
beforeAll(async () => { shop = await startShopServer(); });
afterAll(async () => { await shop?.close(); });

test('a donor picks one of the offered amounts, and the QR asks for exactly that amount', async () => {
  const m = await createMerchant(sys.baseUrl, { name: 'Open Source Fund' });
  const link = await call(sys.baseUrl, m.key, 'POST', '/payment-links', {
    currency: 'SATS', type: 'options', options: [5_000, 21_000, 100_000], title: 'Support the project',
    title_image: `${shop.url}/logo.svg`, success_message: 'Thank you for your support!',
  });
  const { context, page } = await newCustomer(browser, 'phone');
  await page.goto(`${sys.baseUrl}/p/${link.body.id}`);
  // The link's first page opens nothing until the customer goes on (a crawler burns no address).
  await Promise.all([page.waitForURL(/\/pay\/cs_\w+$/), page.getByTestId('continue').click()]);
  await page.getByText('Choose how much to pay').waitFor();
  const logo = page.locator('img.title-image');
  expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
  expect(await page.getByTestId('qr').count()).toBe(0);

  // Continuing without a choice is refused by the server.
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  expect(await page.locator('[data-error-for="amount"]').textContent()).toBe('Choose an amount.');
  await page.getByLabel('21,000 SATS').check();
  await screenshot(page, 'amount-choice-1-options');
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  await page.getByTestId('qr').waitFor();
  expect(await page.getByTestId('amount').textContent()).toBe('21,000 SATS');
  expect(await page.getByTestId('qr').getAttribute('href')).toMatch(/\?amount=0\.00021&lightning=/);
  await screenshot(page, 'amount-choice-2-qr');
  await page.getByRole('button', { name: 'Simulate payment' }).click();
  await page.getByTestId('paid').waitFor({ timeout: BACKEND_WAIT_MS });
  expect(await page.getByTestId('success-message').textContent()).toBe('Thank you for your support!');
  await context.close();
}, 3 * BACKEND_WAIT_MS);
