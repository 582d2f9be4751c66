import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { accountFunds } from '../../src/db/funds';
import { call, paidMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// A refund paid to the customer's Lightning Address (LUD-16) or LNURL-pay (LUD-06): resolved to an invoice for
// exactly the refund before anything is reserved, then paid as any refund to an invoice. The customer's
// LNURL server is a third party's, so a small local stand-in serves it, with invoices of the test network.
const sys = useTestSystem({ env: { PAYOUT_LNURL_ALLOW_HTTP: 'true' } });
let server: http.Server;
let host: string;
const wallet = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
const asked: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const json = (body: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/lnurlp/carol') {
      json({ tag: 'payRequest', callback: `http://${req.headers.host}/pay/carol`, minSendable: 1000, maxSendable: 100_000_000, metadata: '[["text/plain","Carol"]]' });
    } else if (url.pathname === '/pay/carol') {
      asked.push(url.searchParams.get('amount')!);
      wallet.createInvoice({ amountSats: BigInt(url.searchParams.get('amount')!) / 1000n, memo: 'Carol', expirySeconds: 600 })
        .then((inv) => json({ pr: inv.paymentRequest, routes: [] }), (err: Error) => json({ status: 'ERROR', reason: err.message }));
    } else {
      res.statusCode = 404;
      json({ status: 'ERROR', reason: 'no such user' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => { await new Promise((r) => server?.close(r)); });

const api = (key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);

const paidSession = (sats: number) => paidMerchant(sys.baseUrl, sats);

test('a refund to a Lightning Address: the customer\'s server is asked for exactly the refund, the invoice paid, the session shows it', async () => {
  const { m, cs } = await paidSession(10_000);
  const created = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 4_000, withdraw_method: 'lightning', withdraw_request: `carol@${host}` });
  expect(created.status).toBe(200);
  expect(asked).toContain('4000000');
  expect(created.body.withdraw_request).toMatch(/^lnbcrt40u/); // the invoice it resolved to, paid by the refund
  const done = await waitFor(() => api(m.key, 'GET', `/refunds/${created.body.id}`), (r) => r.body.status !== 'pending');
  expect(done.body).toMatchObject({ status: 'succeeded', target_amount: 4_000 });
  expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ target_amount_refunded: 4_000 });
});

test('an unresolvable Lightning Address is a 400 on withdraw_request, with nothing reserved or refunded', async () => {
  const { m, cs } = await paidSession(5_000);
  const before = await accountFunds(sys.db, m.id, false);
  const res = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 1_000, withdraw_method: 'lightning', withdraw_request: `nobody@${host}` });
  expect(res.status).toBe(400);
  expect(res.body.errors[0]).toMatchObject({ param: 'withdraw_request' });
  expect(await accountFunds(sys.db, m.id, false)).toEqual(before);
  expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ target_amount_refunded: 0 });
});
