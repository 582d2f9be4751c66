import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { LndRequestError, LndRestNode } from '../../src/bitcoin';
import { accountBalance } from '../../src/db/ledger';
import { T } from '../../src/db/tables';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil, type LiveMerchant } from '../support/regtest/liveMerchant';
import { waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

// Live mode against real nodes: the product's LND is the merchant node (invoice macaroon, pinned
// certificate); the customer node pays over a real channel; the chain source reads the miner's RPC.
const net = RegtestNetwork.fromEnv();
let shop: LiveMerchant;
let partner: LiveMerchant;
let live: ReturnType<typeof apiFor>;
let hooks: WebhookReceiver;

const sys = useTestSystem({
  // The merchant's webhook receiver runs on this machine: allow the loopback destination for the test.
  env: net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '2', MONITORING_HOURS: '1', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }),
  beforeStop: async () => { await hooks?.close(); },
});
beforeAll(async () => {
  [shop, partner] = [await createLiveMerchant(sys.baseUrl), await createLiveMerchant(sys.baseUrl)];
  await connectTransfers(sys.baseUrl, shop.id, partner.id);
  live = apiFor(sys.baseUrl, shop.liveKey);
  hooks = await startReceiver();
  hooks.secret = (await live('POST', '/webhooks', { url: hooks.url, enabled_events: ['*'] })).secret;
});

const invoiceOf = async (paymentId: string) => (await live('GET', `/payments/${paymentId}`)).payment_method_options.lightning;

test('the customer node pays the BOLT11 of a live session: paid, fee and transfer posted, webhooks sent', async () => {
  const platformBefore = await accountBalance(sys.db, 'acct_platform', true);
  const cs = await live('POST', '/checkout-sessions', {
    currency: 'SATS', amount: 10000, payment_methods: ['lightning'],
    transfers: [{ destination_account: partner.id, percentage: 10, description: 'partner' }],
  });
  expect(cs.livemode).toBe(true);
  const { payment_request: bolt11, payment_hash: hash } = await invoiceOf(cs.payment_id);
  expect(bolt11.startsWith('lnbcrt100u1')).toBe(true); // a regtest invoice of the merchant node, 10,000 sats
  expect((await net.merchant.get(`/v1/invoice/${hash}`)).state).toBe('OPEN');

  const paid = await net.customer.payInvoice(bolt11);
  expect(paid.status).toBe('SUCCEEDED');
  const s = await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (x) => x.status === 'paid');
  expect(s).toMatchObject({ status: 'paid', target_amount_paid: 10000, exception_status: null });
  expect(await sys.db(T.receipts).where({ reference: hash })).toMatchObject([{ method: 'lightning', amount_sats: '10000', livemode: true }]);

  // 1% platform fee = 100; 10% of the 9,900 net = 990 to the partner; the shop keeps 8,910.
  const transfers = (await waitFor(() => live('GET', `/transfers?checkout_session=${cs.id}`), (r) => r.data?.[0]?.status === 'paid')).data;
  expect(transfers.map((t: any) => [t.destination_account, t.amount, t.status])).toEqual([[partner.id, 990, 'paid']]);
  expect(await accountBalance(sys.db, shop.id, true)).toBe(8910n);
  expect(await accountBalance(sys.db, partner.id, true)).toBe(990n);
  expect(await accountBalance(sys.db, 'acct_platform', true) - platformBefore).toBe(100n);

  // Signed webhooks reached the merchant's endpoint (checked with the standardwebhooks package).
  await waitFor(async () => hooks.types(), (types) => types.includes('checkout_session.paid') && types.includes('transfer.paid'));
  const paidHook = hooks.received.find((h) => h.event.event_type === 'checkout_session.paid')!;
  expect(paidHook.verified).toBe(true);
  expect(paidHook.event.data.object).toMatchObject({ id: cs.id, status: 'paid', livemode: true, target_amount_paid: 10000 });
});

test('a partial on-chain payment, then the Lightning remainder: paid in full', async () => {
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 20000 });
  const first = await live('GET', `/payments/${cs.payment_id}`);
  const txid = await net.customer.sendCoins(first.payment_method_options.onchain.address, 8000n);
  await net.waitInMempool(txid);
  await net.mine(2); // ONCHAIN_MIN_CONFIRMATIONS=2
  const partial = await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (x) => x.target_amount_paid === 8000 && x.payment_id !== cs.payment_id);
  expect(partial.status).toBe('active');
  expect(partial.target_amount_due).toBe(12000);

  const rest = await invoiceOf(partial.payment_id);
  expect(rest.payment_request.startsWith('lnbcrt120u1')).toBe(true);
  expect((await net.customer.payInvoice(rest.payment_request)).status).toBe('SUCCEEDED');
  const s = await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (x) => x.status === 'paid');
  expect(s).toMatchObject({ target_amount_paid: 20000, target_amount_due: 0 });
  expect((await sys.db(T.receipts).where({ checkout_session_id: cs.id }).orderBy('method')).map((r) => [r.method, r.amount_sats]))
    .toEqual([['lightning', '12000'], ['onchain', '8000']]);
});

test('an invoice paid after the session was deactivated is credited and flagged late', async () => {
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, payment_methods: ['lightning'] });
  const { payment_request: bolt11 } = await invoiceOf(cs.payment_id);
  expect((await live('POST', `/checkout-sessions/${cs.id}/deactivate`)).status).toBe('deactivated');
  // The invoice is still open on the node: a customer who had the page open can still pay it.
  expect((await net.customer.payInvoice(bolt11)).status).toBe('SUCCEEDED');
  const s = await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (x) => x.target_amount_paid === 5000);
  expect(s).toMatchObject({ status: 'deactivated', exception_status: 'paid_late', target_amount_paid: 5000 });
  expect(await sys.db(T.receipts).where({ checkout_session_id: cs.id })).toMatchObject([{ flag: 'late', status: 'credited' }]);
});

describe('the LND client against the real merchant node', () => {
  const node = (extra: Partial<ConstructorParameters<typeof LndRestNode>[0]> = {}) => new LndRestNode({
    url: net.info.merchant.restUrl, macaroonHex: fs.readFileSync(net.info.merchant.invoiceMacaroonPath).toString('hex'),
    tlsCertPem: fs.readFileSync(net.info.merchant.tlsCertPath, 'utf8'), network: 'regtest', ...extra,
  });
  const invoicesWithMemo = async (memo: string) =>
    ((await net.merchant.get('/v1/invoices?num_max_invoices=10000&reversed=true')).invoices as { memo: string; r_hash: string }[]).filter((i) => i.memo === memo);

  test('a creation retried with the same idempotency key returns the first invoice; LND holds one', async () => {
    const secret = randomBytes(32).toString('hex');
    const memo = `retry-${randomBytes(4).toString('hex')}`;
    const request = { amountSats: 1234n, memo, expirySeconds: 600, idempotencyKey: `cs_x:1:${memo}` };
    // The first attempt's answer is lost to a client timeout (the node may still make the invoice) …
    await node({ invoiceSecretHex: secret, timeoutMs: 1 }).createInvoice(request).catch(() => undefined);
    // … and the retry, and a retry of that, get one and the same invoice.
    const first = await node({ invoiceSecretHex: secret }).createInvoice(request);
    const again = await node({ invoiceSecretHex: secret }).createInvoice(request);
    expect(again).toEqual(first);
    expect(await invoicesWithMemo(memo)).toHaveLength(1);
    // Without a key every call is a new invoice: what the key prevents.
    const plain = { amountSats: 1234n, memo: `${memo}-plain`, expirySeconds: 600 };
    await node().createInvoice(plain);
    await node().createInvoice(plain);
    expect(await invoicesWithMemo(`${memo}-plain`)).toHaveLength(2);
  });

  test('the pinned certificate is the only one trusted: another node\'s certificate is refused', async () => {
    const wrongPin = node({ tlsCertPem: fs.readFileSync(net.info.customer.tlsCertPath, 'utf8') });
    const err = await wrongPin.createInvoice({ amountSats: 1n, memo: '', expirySeconds: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LndRequestError);
    const unpinned = node({ tlsCertPem: undefined });
    await expect(unpinned.createInvoice({ amountSats: 1n, memo: '', expirySeconds: 60 })).rejects.toThrow(/fetch failed|certificate/);
  });

  test('an invoice of another network than BITCOIN_NETWORK is refused', async () => {
    await expect(node({ network: 'testnet' }).createInvoice({ amountSats: 10n, memo: '', expirySeconds: 60 })).rejects.toThrow(/network testnet/);
  });
});
