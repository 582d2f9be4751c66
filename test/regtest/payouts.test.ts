import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import pino from 'pino';
import { payoutActivities } from '../../activities/payouts';
import type { ActivityDeps } from '../../activities/deps';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { LndSender } from '../../src/bitcoin/lndSender';
import { accountFunds } from '../../src/db/funds';
import { insertPayoutWithReservation } from '../../src/db/payouts';
import { T } from '../../src/db/tables';
import { proveReserves } from '../../src/services/reconcile';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil, type LiveMerchant } from '../support/regtest/liveMerchant';
import { waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';

// Payouts (instant sends) on the real network: the platform's LND (the merchant node) pays the customer
// node. The platform can send once customers paid it over its one channel (the customer opened it).
const net = RegtestNetwork.fromEnv();
let shop: LiveMerchant;
let partner: LiveMerchant;
let lnurlServer: http.Server;
let lnurlHost: string;
const sender = () => new LndSender({ url: net.info.merchant.restUrl, macaroonHex: fs.readFileSync(net.info.merchant.adminMacaroonPath).toString('hex'),
  tlsCertPem: fs.readFileSync(net.info.merchant.tlsCertPath, 'utf8') });

const sys = useTestSystem({
  env: net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '1', LND_PAYOUT_MACAROON_PATH: net.info.merchant.adminMacaroonPath, PAYOUT_LNURL_ALLOW_HTTP: 'true' }),
  beforeStop: async () => { await new Promise((r) => lnurlServer?.close(r)); },
});
beforeAll(async () => {
  // The shop settles on-chain on the platform (its on-chain receipts fund the platform wallet the on-chain payout spends).
  [shop, partner] = [await createLiveMerchant(sys.baseUrl, { onchain_settlement: 'platform' }), await createLiveMerchant(sys.baseUrl)];
  await connectTransfers(sys.baseUrl, shop.id, partner.id);
  // 300,000 sats over Lightning with a 10 % transfer: the partner holds 29,700 platform-held sats.
  const live = apiFor(sys.baseUrl, shop.liveKey);
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 300_000, payment_methods: ['lightning'],
    transfers: [{ destination_account: partner.id, percentage: 10 }] });
  const { payment_request: bolt11 } = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.lightning;
  expect((await net.customer.payInvoice(bolt11)).status).toBe('SUCCEEDED');
  await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid');
  await waitFor(() => accountFunds(sys.db, partner.id, true), (f) => f.available === 29_700n, 30_000);
  lnurlServer = await startLightningAddressServer();
  lnurlHost = `127.0.0.1:${(lnurlServer.address() as AddressInfo).port}`;
}, 180_000);

/** A small LUD-16 server: `alice@host` → payRequest; its callback's invoices come from the real customer node. */
function startLightningAddressServer(): Promise<http.Server> {
  const metadata = JSON.stringify([['text/plain', 'Pay alice'], ['text/identifier', 'alice@example']]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const json = (body: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/lnurlp/alice') {
      json({ tag: 'payRequest', callback: `http://${req.headers.host}/lnurlp/alice/callback`, minSendable: 1000, maxSendable: 1_000_000_000, metadata });
    } else if (url.pathname === '/lnurlp/alice/callback') {
      net.customer.post<{ payment_request: string }>('/v1/invoices', {
        value_msat: url.searchParams.get('amount'), description_hash: Buffer.from(sha256(new TextEncoder().encode(metadata))).toString('base64'), expiry: '600',
      }).then((inv) => json({ pr: inv.payment_request, routes: [] }), (err: Error) => json({ status: 'ERROR', reason: err.message }));
    } else {
      res.statusCode = 404;
      json({ status: 'ERROR', reason: 'unknown' });
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function customerInvoice(sats: bigint, memo: string) {
  const inv = await net.customer.post<{ payment_request: string; r_hash: string }>('/v1/invoices', { value: sats.toString(), memo, expiry: '600' });
  return { paymentRequest: inv.payment_request, hash: Buffer.from(inv.r_hash, 'base64').toString('hex') };
}
const platformPayments = async (hash: string) =>
  ((await net.merchant.get<{ payments?: { payment_hash: string; status: string }[] }>('/v1/payments?include_incomplete=true&max_payments=10000')).payments ?? [])
    .filter((p) => p.payment_hash === hash);
const paidOrFailed = (key: string, id: string) => waitFor(() => apiFor(sys.baseUrl, key)('GET', `/instant-sends/${id}`), (p) => p.status !== 'unpaid', 90_000);
const reservesHold = async () => {
  const proof = await proveReserves(sys.db, sender());
  expect(proof.solvent).toBe(true);
};

test('a transfer recipient withdraws to a customer-node invoice: settled there, its balance drops by amount + routing fee', async () => {
  const before = await accountFunds(sys.db, partner.id, true);
  const { paymentRequest, hash } = await customerInvoice(20_000n, 'partner withdrawal');
  const created = await apiFor(sys.baseUrl, partner.liveKey)('POST', '/instant-sends', { amount: 20_000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: paymentRequest });
  expect(created).toMatchObject({ livemode: true, withdraw_type: 'bolt11', payment_hash: hash, fee_limit: 200 });
  const paid = await paidOrFailed(partner.liveKey, created.id);
  expect(paid).toMatchObject({ status: 'paid', failure_reason: null });
  expect((await net.customer.get(`/v1/invoice/${hash}`)).state).toBe('SETTLED');
  const after = await accountFunds(sys.db, partner.id, true);
  expect(after.balance).toBe(before.balance - 20_000n - BigInt(paid.fees));
  expect(after.reserved).toBe(0n);
  expect(await platformPayments(hash)).toMatchObject([{ status: 'SUCCEEDED' }]);
  await reservesHold();
}, 120_000);

test('a payout to a Lightning Address: resolved through the LNURL server, the invoice from the customer node paid', async () => {
  const live = apiFor(sys.baseUrl, shop.liveKey);
  const created = await live('POST', '/instant-sends', { amount: 15_000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: `alice@${lnurlHost}` });
  expect(created).toMatchObject({ withdraw_type: 'lightning_address', target_amount: 15_000 });
  const paid = await paidOrFailed(shop.liveKey, created.id);
  expect(paid.status).toBe('paid');
  expect((await net.customer.get(`/v1/invoice/${created.payment_hash}`)).state).toBe('SETTLED');
  const unknown = await apiFor(sys.baseUrl, shop.liveKey)('POST', '/instant-sends', { amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: `bob@${lnurlHost}` });
  expect(unknown.errors[0]).toMatchObject({ param: 'withdraw_request' });
  await reservesHold();
}, 120_000);

test('an unroutable invoice fails with a reason and releases the reservation', async () => {
  const before = await accountFunds(sys.db, shop.id, true);
  const nowhere = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
  const { paymentRequest } = await nowhere.createInvoice({ amountSats: 5_000n, memo: 'no route', expirySeconds: 600 });
  const created = await apiFor(sys.baseUrl, shop.liveKey)('POST', '/instant-sends', { amount: 5_000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: paymentRequest });
  expect(created.status).toBe('unpaid');
  const failed = await paidOrFailed(shop.liveKey, created.id);
  expect(failed).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/FAILURE_REASON|route/i) });
  expect(await accountFunds(sys.db, shop.id, true)).toEqual(before);
  await reservesHold();
}, 120_000);

test('a send retried after it paid (the worker died before settling) asks the node and pays nothing twice; settling twice posts once', async () => {
  const deps = { db: sys.db, log: pino({ level: 'silent' }), payoutSender: sender(), networks: { test: 'regtest', live: 'regtest' } } as unknown as ActivityDeps;
  const acts = payoutActivities(deps);
  const { paymentRequest, hash } = await customerInvoice(7_000n, 'crash between send and settle');
  const id = `is_crash${Date.now()}`;
  const now = Date.now();
  await sys.db.transaction((tx) => insertPayoutWithReservation(tx, {
    id, account_id: shop.id, livemode: true, status: 'unpaid', withdraw_method: 'lightning', withdraw_type: 'bolt11', withdraw_request: paymentRequest,
    payment_request: paymentRequest, payment_hash: hash, onchain_address: null, currency: 'SATS', amount: '7000', exchange_rate: '1', target_amount: '7000',
    fee_limit: '70', reserved_amount: '7070', fee: null, txid: null, raw_tx: null, failure_reason: null, note: null, created: String(now), modified: String(now),
    // No workflow: this test runs the activities itself; marked started so the money-out starter leaves it be.
    workflow_started_at: String(now),
  }));
  const first = await acts.sendPayout({ payoutId: id });
  expect(first).toMatchObject({ outcome: 'paid' });
  // The retry (a new worker after the crash): the node already paid this hash; nothing is sent again.
  const retry = await acts.sendPayout({ payoutId: id });
  expect(retry).toEqual(first);
  expect(await platformPayments(hash)).toHaveLength(1);
  const before = await accountFunds(sys.db, shop.id, true);
  await acts.settlePayout({ payoutId: id, feeSats: (first as { feeSats: string }).feeSats });
  await acts.settlePayout({ payoutId: id, feeSats: (first as { feeSats: string }).feeSats });
  const movements = await sys.db(T.ledgerTransactions).where('key', 'like', `payout:${id}:%`).select('type');
  expect(movements.map((m: { type: string }) => m.type).filter((t: string) => t === 'payout')).toHaveLength(1);
  const after = await accountFunds(sys.db, shop.id, true);
  expect(after.balance).toBe(before.balance - 7_000n - BigInt((first as { feeSats: string }).feeSats));
  expect(after.reserved).toBe(before.reserved - 7_070n);
  await reservesHold();
}, 120_000);

test('an on-chain payout from the platform wallet: recorded, broadcast, confirmed at the customer node', async () => {
  const live = apiFor(sys.baseUrl, shop.liveKey);
  // Fund the platform wallet: a platform-custody on-chain receipt (the shop settles on the platform).
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 100_000, payment_methods: ['onchain'] });
  const address = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.onchain.address as string;
  await net.waitInMempool(await net.customer.sendCoins(address, 100_000n));
  await net.mine(1);
  await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid', 60_000);
  await waitFor(() => net.merchant.get('/v1/balance/blockchain'), (b) => BigInt(b.confirmed_balance) >= 100_000n, 30_000);
  const before = await accountFunds(sys.db, shop.id, true);
  const to = await net.customer.newAddress();
  const created = await live('POST', '/instant-sends', { amount: 40_000, currency: 'SATS', withdraw_method: 'onchain', withdraw_request: to });
  expect(created).toMatchObject({ withdraw_type: 'onchain_address', status: 'unpaid' });
  const paid = await paidOrFailed(shop.liveKey, created.id);
  expect(paid).toMatchObject({ status: 'paid', txid: expect.stringMatching(/^[0-9a-f]{64}$/) });
  await net.waitInMempool(paid.txid);
  await net.mine(1);
  const seen = await waitFor(async () => ((await net.customer.get<{ transactions: { tx_hash: string; num_confirmations: number }[] }>('/v1/transactions')).transactions)
    .find((t) => t.tx_hash === paid.txid), (t) => (t?.num_confirmations ?? 0) >= 1, 30_000);
  expect(seen?.num_confirmations).toBeGreaterThanOrEqual(1);
  const after = await accountFunds(sys.db, shop.id, true);
  expect(after.balance).toBe(before.balance - 40_000n - BigInt(paid.fees));
  expect(BigInt(paid.fees)).toBeGreaterThan(0n);
  await reservesHold();
}, 180_000);
