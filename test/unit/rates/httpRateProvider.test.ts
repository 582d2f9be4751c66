import { RateProviderError, UnknownCurrencyError } from '../../../src/rates/errors';
import { HttpRateProvider } from '../../../src/rates/httpRateProvider';
import { sendJson, startStandIn, type StandInServer } from '../bitcoin/support/standInServer';

const RATES_BODY = '{"data":{"currency":"BTC","rates":{"USD":"95000.12","EUR":"87000.5","JPY":"14250000","AED":"349000.0","XAU":42.5}}}';

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(status: number, body: string): Promise<StandInServer> {
  server = await startStandIn((_req, res) => sendJson(res, status, body));
  return server;
}

describe('HttpRateProvider', () => {
  it('reads Coinbase-style string rates without touching floats', async () => {
    const s = await serve(200, RATES_BODY);
    const provider = new HttpRateProvider(`${s.url}/`);
    expect(await provider.btcPrice('USD')).toBe('95000.12');
    expect(await provider.btcPrice('eur')).toBe('87000.5');
    expect(s.requests[0].url).toBe('/v2/exchange-rates?currency=BTC');
  });

  it('caches the table for cacheMs, then fetches again', async () => {
    const s = await serve(200, RATES_BODY);
    let now = 1_000_000;
    const provider = new HttpRateProvider(s.url, { cacheMs: 30_000, now: () => now });
    await provider.btcPrice('USD');
    now += 29_999;
    await provider.btcPrice('JPY');
    expect(s.requests).toHaveLength(1);
    now += 1;
    await provider.btcPrice('USD');
    expect(s.requests).toHaveLength(2);
  });

  it('shares one request between concurrent callers', async () => {
    const s = await serve(200, RATES_BODY);
    const provider = new HttpRateProvider(s.url);
    const prices = await Promise.all(['USD', 'EUR', 'USD', 'JPY'].map((c) => provider.btcPrice(c)));
    expect(prices).toEqual(['95000.12', '87000.5', '95000.12', '14250000']);
    expect(s.requests).toHaveLength(1);
  });

  it('does not cache failures', async () => {
    let calls = 0;
    server = await startStandIn((_req, res) => (calls++ === 0 ? sendJson(res, 503, 'busy') : sendJson(res, 200, RATES_BODY)));
    const provider = new HttpRateProvider(server.url);
    await expect(provider.btcPrice('USD')).rejects.toThrow(RateProviderError);
    expect(await provider.btcPrice('USD')).toBe('95000.12');
  });

  it('throws UnknownCurrencyError for a currency the source does not list', async () => {
    const s = await serve(200, RATES_BODY);
    await expect(new HttpRateProvider(s.url).btcPrice('CHF')).rejects.toThrow(UnknownCurrencyError);
  });

  it('refuses a rate sent as a JSON number (already a float)', async () => {
    const s = await serve(200, RATES_BODY);
    await expect(new HttpRateProvider(s.url).btcPrice('XAU')).rejects.toThrow(/unusable price/);
  });

  it.each([
    ['an HTTP error', 500, 'oops'],
    ['a non-JSON body', 200, '<html>'],
    ['no data', 200, '{}'],
    ['rates of another base currency', 200, '{"data":{"currency":"USD","rates":{"USD":"1"}}}'],
    ['rates that are not an object', 200, '{"data":{"currency":"BTC","rates":["USD"]}}'],
    ['an empty rates table', 200, '{"data":{"currency":"BTC","rates":{}}}'],
    ['an unparsable price', 200, '{"data":{"currency":"BTC","rates":{"USD":"95,000"}}}'],
    ['a zero price', 200, '{"data":{"currency":"BTC","rates":{"USD":"0.00"}}}'],
  ])('fails with RateProviderError on %s', async (_why, status, body) => {
    const s = await serve(status, body);
    await expect(new HttpRateProvider(s.url).btcPrice('USD')).rejects.toThrow(RateProviderError);
  });

  it('fails with RateProviderError when the source is unreachable or slow', async () => {
    await expect(new HttpRateProvider('http://127.0.0.1:9').btcPrice('USD')).rejects.toThrow(RateProviderError);
    server = await startStandIn(() => undefined); // never answers
    await expect(new HttpRateProvider(server.url, { timeoutMs: 50 }).btcPrice('USD')).rejects.toThrow(RateProviderError);
  });
});
