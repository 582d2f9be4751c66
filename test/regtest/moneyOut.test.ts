import { accountFunds } from '../../src/db/funds';
import { T } from '../../src/db/tables';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil, type LiveMerchant } from '../support/regtest/liveMerchant';
import { LnurlWallet } from '../support/lnurlWallet';
import { waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// Money out on the real network: the platform's LND (the merchant node) pays the customer node's
// invoices, through a withdrawal link claimed with the LNURL protocol (this test plays the wallet) and
// through a refund to an invoice. The platform's only channel was opened by the customer, so the
// platform can send once customers have paid it (the first test's session).
const net = RegtestNetwork.fromEnv();
const sys = useTestSystem({ env: net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '2', LND_PAYOUT_MACAROON_PATH: net.info.merchant.adminMacaroonPath }) });
let shop: LiveMerchant;
let live: ReturnType<typeof apiFor>;
let wallet: LnurlWallet;

beforeAll(async () => {
  shop = await createLiveMerchant(sys.baseUrl);
  live = apiFor(sys.baseUrl, shop.liveKey);
  wallet = new LnurlWallet(sys.config.publicUrl, sys.baseUrl);
  // 200,000 sats paid over Lightning: 198,000 on the shop's balance, and outbound liquidity on the platform's
  // channel above its reserve (1 % of the 5,000,000 capacity), so the platform can send.
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 200_000, payment_methods: ['lightning'] });
  const { payment_request: bolt11 } = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.lightning;
  expect((await net.customer.payInvoice(bolt11)).status).toBe('SUCCEEDED');
  await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid');
}, 120_000);

const funds = () => accountFunds(sys.db, shop.id, true);
/** An invoice of the customer node (a real wallet's), and its payment hash in hex. */
async function customerInvoice(sats: bigint, memo: string) {
  const inv = await net.customer.post<{ payment_request: string; r_hash: string }>('/v1/invoices', { value: sats.toString(), memo, expiry: '600' });
  return { paymentRequest: inv.payment_request, hash: Buffer.from(inv.r_hash, 'base64').toString('hex') };
}
const settledOnCustomer = (hash: string) => waitFor(() => net.customer.get(`/v1/invoice/${hash}`), (i) => i.state === 'SETTLED', 30_000);
/** The platform node's own record of its outgoing payments with this hash. */
const platformPayments = async (hash: string) =>
  ((await net.merchant.get<{ payments?: { payment_hash: string; status: string }[] }>('/v1/payments?include_incomplete=true&max_payments=1000')).payments ?? [])
    .filter((p) => p.payment_hash === hash);

test('a withdrawal link claimed through LNURL by the customer node: settled there, the balance drops once; the same k1 again is refused', async () => {
  const before = await funds();
  const link = await live('POST', '/withdrawal-links', { currency: 'SATS', amount: 10_000, description: 'Cashback' });
  expect(link).toMatchObject({ livemode: true, status: 'active', target_amount: 10_000, withdraw_request: expect.stringMatching(/^lnurl1/) });
  expect((await funds()).reserved - before.reserved).toBe(10_000n + BigInt(link.fee_limit));

  const request = await wallet.withdrawRequest(link.withdraw_request);
  expect(request).toMatchObject({ tag: 'withdrawRequest', minWithdrawable: 10_000_000, maxWithdrawable: 10_000_000, defaultDescription: 'Cashback' });
  const { paymentRequest, hash } = await customerInvoice(10_000n, 'cashback');
  expect(await wallet.sendInvoice(request, paymentRequest)).toEqual({ status: 'OK' });

  expect((await settledOnCustomer(hash)).amt_paid_sat).toBe('10000');
  const paid = await waitFor(() => live('GET', `/withdrawal-links/${link.id}`), (l) => l.status === 'paid', 30_000);
  expect(paid.payment_hash).toBe(hash);
  const after = await funds();
  expect(after.balance).toBe(before.balance - 10_000n - BigInt(paid.fee));
  expect(after.reserved).toBe(before.reserved);
  expect(await platformPayments(hash)).toMatchObject([{ status: 'SUCCEEDED' }]);

  // The same k1 with a fresh invoice: refused, nothing sent, nothing moved.
  const again = await customerInvoice(10_000n, 'again');
  expect(await wallet.sendInvoice(request, again.paymentRequest)).toEqual({ status: 'ERROR', reason: 'This withdrawal link has already been claimed' });
  expect(await platformPayments(again.hash)).toEqual([]);
  expect(await funds()).toEqual(after);
  expect(await sys.db(T.ledgerTransactions).where('description', 'like', `%${link.id}%`).select('type')).toEqual([{ type: 'payout' }]);
}, 120_000);

test('the excess of an overpaid session is refunded to the customer node\'s invoice', async () => {
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, payment_methods: ['onchain'] });
  const address = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.onchain.address as string;
  await net.waitInMempool(await net.customer.sendCoins(address, 13_000n));
  await net.mine(2);
  const overpaid = await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid', 60_000);
  expect(overpaid.exception_status).toBe('overpaid');

  const before = await funds();
  const { paymentRequest, hash } = await customerInvoice(3_000n, 'refund of the excess');
  const refund = await live('POST', '/refunds', { checkout_session: cs.id, type: 'excess', withdraw_method: 'lightning', withdraw_request: paymentRequest });
  expect(refund).toMatchObject({ status: 'pending', type: 'excess', target_amount: 3_000, livemode: true });
  await settledOnCustomer(hash);
  const done = await waitFor(() => live('GET', `/refunds/${refund.id}`), (r) => r.status !== 'pending', 30_000);
  expect(done).toMatchObject({ status: 'succeeded', failure_reason: null });
  expect((await funds()).balance).toBe(before.balance - 3_000n - BigInt(done.fee));
  expect(await platformPayments(hash)).toMatchObject([{ status: 'SUCCEEDED' }]);
  expect(await live('GET', `/checkout-sessions/${cs.id}`)).toMatchObject({ target_amount_refunded: 3_000 });
}, 120_000);

test('an expired link releases its reserve; a wallet then gets LUD-03 ERROR', async () => {
  const before = await funds();
  const link = await live('POST', '/withdrawal-links', { currency: 'SATS', amount: 2_000, ttl: 2 });
  expect((await funds()).reserved).toBe(before.reserved + 2_000n + BigInt(link.fee_limit));
  await waitFor(() => live('GET', `/withdrawal-links/${link.id}`), (l) => l.status === 'expired', 30_000);
  expect(await funds()).toEqual(before);
  expect(await wallet.withdrawRequest(link.withdraw_request)).toMatchObject({ status: 'ERROR' });
});
