import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateTestAccountKey } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { freePort } from '../../src/infra/freePort';
import { ADMIN_KEY, call, createMerchant, type TestSystem } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// Live on-chain sessions on regtest addresses (no LND needed); prices from a local stand-in of a
// Coinbase-style rate API where a real provider is configured.
async function liveMerchant(sys: TestSystem) {
  const m = await createMerchant(sys.baseUrl, { xpub: generateTestAccountKey('regtest').tpub, onchain_settlement: 'merchant_wallet' });
  const live = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true });
  return { ...m, liveKey: live.body.secret_key as string };
}
const onchain = { payment_methods: ['onchain'] };

describe('without a real rate provider (RATE_PROVIDER=static, the default)', () => {
  const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest' } });

  test('live fiat is a 400 on currency at create, nothing stored; live SATS works', async () => {
    const m = await liveMerchant(sys);
    const res = await call(sys.baseUrl, m.liveKey, 'POST', '/checkout-sessions', { currency: 'USD', amount: 25, ...onchain });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ param: 'currency', message: expect.stringMatching(/RATE_PROVIDER=http/) });
    expect(await sys.db(T.sessions).where({ account_id: m.id })).toEqual([]);
    const sats = await call(sys.baseUrl, m.liveKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000, ...onchain });
    expect(sats.status).toBe(200);
  });

  test('test mode prices every supported currency from the static table, AUD and CHF included', async () => {
    const m = await liveMerchant(sys);
    for (const currency of ['USD', 'AUD', 'CHF']) {
      const res = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency, amount: 25 });
      expect({ currency, status: res.status }).toEqual({ currency, status: 200 });
    }
  });
});

describe('with a real provider (RATE_PROVIDER=http)', () => {
  let rates: http.Server;
  beforeAll(async () => {
    rates = http.createServer((_req, res) => res.end(JSON.stringify({ data: { currency: 'BTC', rates: { USD: '50000.00', EUR: '46000' } } })));
    await new Promise<void>((r) => rates.listen(0, '127.0.0.1', r));
  });
  const sys = useTestSystem(() => ({
    env: { BITCOIN_NETWORK: 'regtest', RATE_PROVIDER: 'http', RATE_PROVIDER_URL: `http://127.0.0.1:${(rates.address() as AddressInfo).port}` },
  }));
  afterAll(async () => { await new Promise((r) => rates?.close(r)); });

  test('live USD is priced by the provider; a currency it does not list is a 400 at create', async () => {
    const m = await liveMerchant(sys);
    const cs = await call(sys.baseUrl, m.liveKey, 'POST', '/checkout-sessions', { currency: 'USD', amount: 25, ...onchain });
    expect(cs.status).toBe(200);
    const payment = (await call(sys.baseUrl, m.liveKey, 'GET', `/payments/${cs.body.payment_id}`)).body;
    expect(payment).toMatchObject({ exchange_rate: 2000, target_amount: 50000 }); // 1e8 / 50,000 sats per USD
    const chf = await call(sys.baseUrl, m.liveKey, 'POST', '/checkout-sessions', { currency: 'CHF', amount: 25, ...onchain });
    expect(chf.status).toBe(400);
    expect(chf.body.errors[0].param).toBe('currency');
  });
});

describe('when the provider does not answer', () => {
  let port = 0;
  beforeAll(async () => { port = await freePort(); });
  const sys = useTestSystem(() => ({ env: { BITCOIN_NETWORK: 'regtest', RATE_PROVIDER: 'http', RATE_PROVIDER_URL: `http://127.0.0.1:${port}` } }));

  test('create is a 503 saying so, and no session or workflow is left behind', async () => {
    const m = await liveMerchant(sys);
    const res = await call(sys.baseUrl, m.liveKey, 'POST', '/checkout-sessions', { currency: 'EUR', amount: 10, ...onchain }, { 'Idempotency-Key': 'eur-1' });
    expect(res.status).toBe(503);
    expect(res.body.errors[0].message).toMatch(/exchange-rate provider is not answering/);
    expect(await sys.db(T.sessions).where({ account_id: m.id })).toEqual([]);
  });
});
