import { useBrowser } from './support/browser';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem({ parts: ['api'] });
const browser = useBrowser();

describe('/docs', () => {
  test('renders every operation of /openapi.json in a real browser, with no request leaving the app', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const origin = new URL(sys.baseUrl).origin;
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${sys.baseUrl}/docs`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    const doc = await (await fetch(`${sys.baseUrl}/openapi.json`)).json();
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.locator('.opblock-summary-path', { hasText: '/checkout-sessions/{id}/deactivate' }).count()).toBe(1);
    expect(await page.textContent('body')).toContain('Create a checkout session');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
