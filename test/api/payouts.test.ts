import bolt11 from 'bolt11';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { encodeLnurl } from '../../src/bitcoin/lnurl';
import { T } from '../../src/db/tables';
import { call, createMerchant, startTestSystem, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// Payouts in test mode: the same API, checks, reservation and saga as live mode, with a simulated send
// (docs/payouts.md): paid at once against the test balance, no network fee; an invoice described
// `[unroutable]` fails, as refunds' and withdrawal links' sends do (the same sender).
// PAYOUT_LNURL_ALLOW_HTTP: the Lightning Address test server below speaks plain http on this host.
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest', PAYOUT_LNURL_ALLOW_HTTP: 'true' } });

const api = (key: string, method: string, route: string, body?: unknown, headers?: Record<string, string>) => call(sys.baseUrl, key, method, route, body, headers);
const funds = async (key: string) => {
  const b = (await api(key, 'GET', '/balances')).body;
  return { available: b.available[0].amount, pending: b.pending[0].amount };
};
const someone = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
const invoice = async (sats: number, opts: { network?: 'regtest' | 'testnet'; now?: () => number; expiry?: number } = {}) => {
  const node = opts.network || opts.now ? new LocalLightningNode(generateNodeKey().privateKey, opts.network ?? 'regtest', { now: opts.now }) : someone;
  return (await node.createInvoice({ amountSats: BigInt(sats), memo: 'payout test', expirySeconds: opts.expiry ?? 600 })).paymentRequest;
};
/** A signed zero-amount ("any amount") regtest invoice. */
const anyAmountInvoice = () => {
  const key = generateNodeKey();
  const unsigned = bolt11.encode({ network: { bech32: 'bcrt', pubKeyHash: 111, scriptHash: 196, validWitnessVersions: [0, 1] }, timestamp: Math.floor(Date.now() / 1000),
    tags: [{ tagName: 'payment_hash', data: randomBytes(32).toString('hex') }, { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
      { tagName: 'description', data: 'any amount' }, { tagName: 'expire_time', data: 600 }, { tagName: 'min_final_cltv_expiry', data: 80 }] });
  return bolt11.sign(unsigned, key.privateKey).paymentRequest!;
};

async function fundedMerchant(sats: number) {
  const m = await createMerchant(sys.baseUrl);
  const cs = (await api(m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: sats })).body;
  await api(m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: sats, method: 'lightning' });
  await waitFor(() => funds(m.key), (f) => f.available > 0);
  return m;
}
const until = (key: string, id: string) => waitFor(() => api(key, 'GET', `/instant-sends/${id}`), (r) => r.body.status !== 'unpaid', 20_000);

test('a payout to a BOLT11: reserved at create, paid by its workflow, the balance drops by the amount; events recorded', async () => {
  const m = await fundedMerchant(10000); // 1% fee: 9,900 available
  const created = await api(m.key, 'POST', '/instant-sends', { amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await invoice(1000), note: 'rent' },
    { 'Idempotency-Key': `k-${randomBytes(4).toString('hex')}` });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ object: 'instant_send', status: expect.stringMatching(/unpaid|paid/), target_amount: 1000, fee_limit: 10, withdraw_type: 'bolt11', note: 'rent' });
  const paid = (await until(m.key, created.body.id)).body;
  expect(paid).toMatchObject({ status: 'paid', fees: 0, failure_reason: null });
  expect(await funds(m.key)).toEqual({ available: 8900, pending: 0 });
  const types = (await api(m.key, 'GET', '/balance-transactions')).body.data.map((t: any) => [t.type, t.amount, t.custody]);
  expect(types[0]).toEqual(['payout', -1000, 'platform_channels']);
  const events = await waitFor(async () => (await api(m.key, 'GET', '/events?limit=100')).body.data.map((e: any) => e.event_type), (t) => t.includes('instant_send.paid'));
  expect(events).toEqual(expect.arrayContaining(['instant_send.created', 'instant_send.paid']));
  expect((await api(m.key, 'GET', '/instant-sends')).body.data.map((p: any) => p.id)).toEqual([created.body.id]);
});

test('a retried create (same Idempotency-Key) is the same payout, reserved once', async () => {
  const m = await fundedMerchant(5000);
  const body = { amount: 500, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await invoice(500) };
  const headers = { 'Idempotency-Key': `same-${randomBytes(4).toString('hex')}` };
  const [a, b] = [await api(m.key, 'POST', '/instant-sends', body, headers), await api(m.key, 'POST', '/instant-sends', body, headers)];
  expect(b.body.id).toBe(a.body.id);
  await until(m.key, a.body.id);
  expect(await funds(m.key)).toEqual({ available: 4950 - 500, pending: 0 });
});

test('bad input is a 400 naming the field, and nothing is reserved or recorded', async () => {
  const m = await fundedMerchant(2000); // 1,980 available
  const own = (await api(m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 700, payment_methods: ['lightning'] })).body;
  const ownInvoice = (await api(m.key, 'GET', `/payments/${own.payment_id}`)).body.payment_method_options.lightning.payment_request;
  const ln = (withdraw_request: string, amount?: number) => ({ withdraw_method: 'lightning', withdraw_request, currency: 'SATS', ...(amount ? { amount } : {}) });
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['another network', ln(await invoice(100, { network: 'testnet' })), 'withdraw_request', /invoice/i],
    ['expired', ln(await invoice(100, { now: () => Date.now() - 3_600_000, expiry: 60 })), 'withdraw_request', /expired/],
    ['amount mismatch', ln(await invoice(100), 200), 'amount', /100 sats/],
    ['zero-amount invoice without amount', ln(anyAmountInvoice()), 'amount', /no amount/],
    ['the platform\'s own invoice', ln(ownInvoice), 'withdraw_request', /platform's own/],
    ['malformed Lightning Address', ln('not an address', 100), 'withdraw_request', /BOLT11|Lightning Address/],
    ['unresolvable Lightning Address', ln('nobody@127.0.0.1:1', 100), 'withdraw_request', /Lightning Address/],
    ['on-chain address of another network', { withdraw_method: 'onchain', withdraw_request: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', amount: 1000, currency: 'SATS' }, 'withdraw_request', /network regtest/],
    ['under the dust limit', { withdraw_method: 'onchain', withdraw_request: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', amount: 100, currency: 'SATS' }, 'amount', /dust/],
    ['above the available balance', ln(await invoice(1975)), 'amount', /insufficient_funds/],
  ];
  for (const [what, body, param, message] of cases) {
    const res = await api(m.key, 'POST', '/instant-sends', body);
    expect([what, res.status, res.body.errors?.[0]?.param]).toEqual([what, 400, param]);
    expect(res.body.errors[0].message).toMatch(message);
  }
  const insufficient = await api(m.key, 'POST', '/instant-sends', ln(await invoice(5000)));
  expect(insufficient.body.errors[0]).toMatchObject({ code: 'insufficient_funds', param: 'amount' });
  expect(await funds(m.key)).toEqual({ available: 1980, pending: 0 });
  expect(await sys.db(T.payouts).where({ account_id: m.id })).toEqual([]);

  // Already paid: the second payout of one invoice is refused.
  const inv = await invoice(300);
  const first = await api(m.key, 'POST', '/instant-sends', ln(inv));
  await until(m.key, first.body.id);
  const again = await api(m.key, 'POST', '/instant-sends', ln(inv));
  expect(again).toMatchObject({ status: 400, body: { errors: [{ param: 'withdraw_request', message: expect.stringMatching(/already paid/) }] } });
});

test('20 concurrent payouts that together exceed the balance: only what fits is reserved and paid, never below zero', async () => {
  const m = await fundedMerchant(10100); // 9,999 available; each payout reserves 1,000 + 10 fee limit
  const bodies = await Promise.all(Array.from({ length: 20 }, async () => ({ amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await invoice(1000) })));
  const results = await Promise.all(bodies.map((b) => api(m.key, 'POST', '/instant-sends', b)));
  const ok = results.filter((r) => r.status === 200);
  expect(ok).toHaveLength(9);
  expect(results.filter((r) => r.status === 400).every((r) => r.body.errors[0].code === 'insufficient_funds')).toBe(true);
  for (const r of ok) await until(m.key, r.body.id);
  expect(await funds(m.key)).toEqual({ available: 999, pending: 0 });
  const row = await sys.db(T.accountBalances).where({ account_id: m.id, livemode: false }).first();
  expect(BigInt(row.balance)).toBe(999n);
});

test('a test-mode payout to an unroutable invoice fails through the shared Lightning send, and its reservation is released', async () => {
  const m = await fundedMerchant(5000);
  const before = await funds(m.key);
  const nowhere = (await someone.createInvoice({ amountSats: 700n, memo: 'gift [unroutable]', expirySeconds: 600 })).paymentRequest;
  const created = await api(m.key, 'POST', '/instant-sends', { amount: 700, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: nowhere });
  expect(created.status).toBe(200);
  const failed = (await until(m.key, created.body.id)).body;
  expect(failed).toMatchObject({ status: 'failed', failure_reason: 'FAILURE_REASON_NO_ROUTE' });
  expect(await funds(m.key)).toEqual(before);
});

/** A LUD-16 server on every interface of this host, counting the requests it gets. */
async function lightningAddressServer() {
  const metadata = JSON.stringify([['text/plain', 'Pay alice']]);
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const json = (body: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/lnurlp/alice') {
      json({ tag: 'payRequest', callback: `http://${req.headers.host}/cb`, minSendable: 1000, maxSendable: 1_000_000_000, metadata });
    } else {
      invoice(Number(url.searchParams.get('amount')) / 1000).then((pr) => json({ pr, routes: [] }), () => json({ status: 'ERROR', reason: 'no invoice' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

test('a Lightning Address or LNURL on a loopback, private or own-host address is refused before any request, unless the operator allows it', async () => {
  const lud16 = await lightningAddressServer();
  // Its own second system (API only) beside the file's: the same addresses, refused by the default private-network rule.
  const strict = await startTestSystem({ BITCOIN_NETWORK: 'regtest', PAYOUT_LNURL_ALLOW_HTTP: 'true', PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS: 'false' }, { parts: ['api'] });
  try {
    const m = await createMerchant(strict.baseUrl);
    const own = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    const targets = [
      `alice@127.0.0.1:${lud16.port}`, `alice@localhost:${lud16.port}`, ...own.map((a) => `alice@${a}:${lud16.port}`),
      encodeLnurl(`http://127.0.0.1:${lud16.port}/.well-known/lnurlp/alice`), encodeLnurl(`http://169.254.169.254/latest/meta-data`),
      'alice@192.0.2.2', 'alice@100.64.0.1',
    ];
    for (const withdraw_request of targets) {
      const res = await call(strict.baseUrl, m.key, 'POST', '/instant-sends', { amount: 100, currency: 'SATS', withdraw_method: 'lightning', withdraw_request });
      expect({ withdraw_request, status: res.status, param: res.body.errors?.[0]?.param }).toEqual({ withdraw_request, status: 400, param: 'withdraw_request' });
      expect(res.body.errors[0].message).toMatch(/only public addresses are allowed.*PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS=true/);
    }
    expect(lud16.hits()).toBe(0);

    // The same address where the operator allows private networks (this suite's default): resolved and paid.
    const payer = await fundedMerchant(5000);
    const paid = await api(payer.key, 'POST', '/instant-sends', { amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: `alice@127.0.0.1:${lud16.port}` });
    expect(paid.status).toBe(200);
    expect(lud16.hits()).toBe(2);
    expect((await until(payer.key, paid.body.id)).body.status).toBe('paid');
  } finally {
    await strict.stop();
    await new Promise((resolve) => lud16.server.close(resolve));
  }
});
