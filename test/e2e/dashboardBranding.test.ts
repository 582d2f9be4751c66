import { call, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { seriousViolations } from './support/axe';
import { newCustomer, screenshot, useBrowser } from './support/browser';
import { merchantWithUser, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

test('an owner brands the payment page with an uploaded logo and an accent colour; the customer\'s page and the withdrawal page show both, with readable button text', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Blue Bikes');
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);
  await page.goto(`${sys.baseUrl}/dashboard/settings`);

  // Refused as the rules say, naming the field: a plain-http URL, then an SVG (it can carry script).
  await page.getByLabel('Logo URL (https)').fill('http://shop.example/logo.png');
  await page.getByTestId('save-branding').click();
  expect(await page.getByTestId('form-error').textContent()).toMatch(/^logo_url: .*https/);
  await page.getByLabel('Logo URL (https)').fill('');
  await page.setInputFiles('#logo_file', { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: SVG });
  await page.getByTestId('save-branding').click();
  expect(await page.getByTestId('form-error').textContent()).toMatch(/^logo_file: .*PNG/);

  // A PNG and a dark blue accent.
  await page.setInputFiles('#logo_file', { name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.getByLabel("Use the page's own colour").uncheck();
  await page.locator('#accent_color').fill('#1f4fd8');
  await page.getByTestId('save-branding').click();
  await page.getByText('Branding saved.').waitFor();
  await page.getByTestId('logo-preview').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'dashboard-settings-branding-desktop');
  await context.close();

  const cs = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 2_000, title: 'Bell' });
  const customer = await newCustomer(browser, 'phone');
  await customer.page.goto(`${sys.baseUrl}/pay/${cs.body.id}`);
  const logo = customer.page.getByTestId('brand-logo');
  await customer.page.waitForFunction(() => (document.querySelector('[data-testid="brand-logo"]') as HTMLImageElement | null)?.complete === true);
  expect(await logo.getAttribute('alt')).toBe('Blue Bikes');
  expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  const styles = await customer.page.evaluate(() => ({
    border: getComputedStyle(document.querySelector('main.card')!).borderTopColor,
    text: getComputedStyle(document.documentElement).getPropertyValue('--accent-text').trim(),
  }));
  expect(styles).toEqual({ border: 'rgb(31, 79, 216)', text: '#ffffff' });
  expect(await seriousViolations(customer.page)).toEqual([]);
  await screenshot(customer.page, 'pay-branded-phone');
  await customer.context.close();

  // A light accent gets dark button text; the withdrawal page carries the brand too.
  const owner = await newCustomer(browser, 'desktop');
  await signIn(owner.page, sys.baseUrl, m.email);
  await owner.page.goto(`${sys.baseUrl}/dashboard/settings`);
  await owner.page.locator('#accent_color').fill('#fde047');
  await owner.page.getByTestId('save-branding').click();
  await owner.page.getByText('Branding saved.').waitFor();
  await owner.context.close();
  await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${cs.body.payment_id}/receive`, { amount: 2_000 });
  await waitFor(() => call(sys.baseUrl, m.key, 'GET', '/balances'), (r) => r.body.available[0].amount > 0);
  const wlink = await call(sys.baseUrl, m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 100 });
  const w = await newCustomer(browser, 'phone');
  await w.page.goto(wlink.body.url.replace('http://checkout.test', sys.baseUrl));
  await w.page.getByTestId('brand-logo').waitFor();
  const wStyles = await w.page.evaluate(() => ({
    border: getComputedStyle(document.querySelector('main.card')!).borderTopColor,
    text: getComputedStyle(document.documentElement).getPropertyValue('--accent-text').trim(),
  }));
  expect(wStyles).toEqual({ border: 'rgb(253, 224, 71)', text: '#111827' });
  await w.context.close();
}, 180_000);
