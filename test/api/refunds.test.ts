import bolt11 from 'bolt11';
import { randomBytes } from 'node:crypto';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { bolt11Network } from '../../src/bitcoin/network';
import { accountFunds } from '../../src/db/funds';
import { REFUNDS } from '../../src/db/refunds';
import { T } from '../../src/db/tables';
import type { RateProvider } from '../../src/rates';
import { LnurlWallet } from '../support/lnurlWallet';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';

// BTC at 50,000 USD when the customer pays (2,000 sats per USD); the test moves it to see "today's rate".
class MovingPrice implements RateProvider {
  usd = '50000';
  async btcPrice(currency: string): Promise<string> {
    if (currency !== 'USD') throw new Error(`no ${currency}`);
    return this.usd;
  }
}
const price = new MovingPrice();
const sys = useTestSystem({ rates: price });
let wallet: LnurlWallet;
const customer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');

beforeAll(() => { wallet = new LnurlWallet(sys.config.publicUrl, sys.baseUrl); });
beforeEach(() => { price.usd = '50000'; });

const api = (key: string, method: string, route: string, body?: unknown, headers?: Record<string, string>) => call(sys.baseUrl, key, method, route, body, headers);
const invoice = (sats: bigint, memo = 'refund') => customer.createInvoice({ amountSats: sats, memo, expirySeconds: 600 }).then((i) => i.paymentRequest);
const funds = (accountId: string) => accountFunds(sys.db, accountId, false);
const refundUntil = (key: string, id: string, status: string) =>
  waitFor(() => api(key, 'GET', `/refunds/${id}`), (r) => r.body.status === status, 20_000).then((r) => r.body);

/** A signed regtest invoice without an amount (the payer would choose it). */
function zeroAmountInvoice(): string {
  const key = generateNodeKey();
  const unsigned = bolt11.encode({ network: bolt11Network('regtest'), timestamp: Math.floor(Date.now() / 1000), tags: [
    { tagName: 'payment_hash', data: randomBytes(32).toString('hex') }, { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
    { tagName: 'description', data: 'any amount' }, { tagName: 'expire_time', data: 600 },
  ] });
  return bolt11.sign(unsigned, key.privateKey).paymentRequest!;
}

/** A session paid with `amounts` (test-helper receipts), once its transfers (if any) are paid. */
async function paidSession(key: string, body: Record<string, unknown>, amounts: number[]) {
  const cs = (await api(key, 'POST', '/checkout-sessions', body)).body;
  let paymentId = cs.payment_id;
  for (const [i, amount] of amounts.entries()) {
    await api(key, 'POST', `/test-helpers/payments/${paymentId}/receive`, { amount, reference: `${cs.id}-${i}:0` });
    const s = await waitFor(() => api(key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.payments.length === i + 1 && (r.body.status !== 'active' || r.body.payment_id !== paymentId));
    paymentId = s.body.payment_id;
  }
  const transfers = (body.transfers as unknown[] | undefined)?.length ?? 0;
  if (transfers) await waitFor(() => api(key, 'GET', `/transfers?checkout_session=${cs.id}`), (r) => r.body.data.filter((t: any) => t.status === 'paid').length === transfers);
  return (await api(key, 'GET', `/checkout-sessions/${cs.id}`)).body;
}

describe('refunds', () => {
  test('the excess of an overpaid session, as a withdrawal link the customer claims: pending → succeeded, the session shows it', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 10_000 }, [12_000]);
    expect(cs).toMatchObject({ status: 'paid', exception_status: 'overpaid', target_amount_refunded: 0, amount_refunded: 0 });
    const headers = { 'Idempotency-Key': `refund-${cs.id}` };
    const created = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'excess' }, headers);
    expect(created.status).toBe(200);
    const refund = created.body;
    expect(refund).toMatchObject({
      object: 'refund', status: 'pending', checkout_session: cs.id, type: 'excess', currency: 'SATS', amount: 2000, target_amount: 2000,
      withdraw_method: 'withdrawal_link', withdraw_request: expect.stringMatching(/^lnurl1/), url: expect.stringMatching(/^http:\/\/checkout\.test\/w\/wlink_/),
      reverse_transfers: false, transfer_reversals: [], fee: null,
    });
    expect((await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'excess' }, headers)).body).toEqual(refund);
    const session = (await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body;
    expect(session).toMatchObject({ target_amount_refunded: 2000, amount_refunded: 2000 });
    // The link holds the reserve: 11,880 after the 1 % fee; 2,000 + 20 fee limit reserved.
    expect(await funds(m.id)).toMatchObject({ balance: 11_880n, reserved: 2_020n });
    // The excess is taken: a second excess refund is refused on type.
    const twice = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'excess' });
    expect([twice.status, twice.body.errors[0].param]).toEqual([400, 'type']);

    expect(await wallet.claim(refund.withdraw_request, (sats) => invoice(sats))).toEqual({ status: 'OK' });
    const done = await refundUntil(m.key, refund.id, 'succeeded');
    expect(done.fee).toBe(0);
    expect(await funds(m.id)).toMatchObject({ balance: 9_880n, reserved: 0n });
    // Stripe's policy: the platform fee of the original payment is not returned.
    const movements = await sys.db(T.ledgerTransactions).where({ checkout_session_id: cs.id }).orderBy('created');
    expect(movements.map((t) => t.type)).toEqual(['payment', 'platform_fee', 'refund']);
    const types = (await api(m.key, 'GET', '/events?limit=100')).body.data.filter((e: any) => e.data.object.id === refund.id).map((e: any) => e.event_type);
    expect(types.sort()).toEqual(['refund.created', 'refund.succeeded']);
  });

  test('a refund the balance cannot cover (the platform fee is not returned) is a 400 insufficient_funds, nothing reserved', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 5000 }, [5000]); // 4,950 on the balance
    const before = await funds(m.id);
    const res = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ type: 'insufficient_funds', param: 'amount' });
    expect(await funds(m.id)).toEqual(before);
    expect(await sys.db('refunds').where({ checkout_session_id: cs.id })).toEqual([]);
    expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body.target_amount_refunded).toBe(0);
  });

  test('full and partial refunds never exceed what was received minus what was refunded (400 on amount, nothing reserved)', async () => {
    const m = await createMerchant(sys.baseUrl);
    // Fees are not returned, so refunding all of a sale takes more than the sale left on the balance: another sale covers it.
    await paidSession(m.key, { currency: 'SATS', amount: 5000 }, [5000]);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 5000 }, [5000]);
    const partial = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 3000 })).body;
    expect(partial).toMatchObject({ type: 'partial', target_amount: 3000, status: 'pending' });
    const before = await funds(m.id);
    const over = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 2001 });
    expect(over.status).toBe(400);
    expect(over.body.errors[0]).toMatchObject({ param: 'amount', message: expect.stringMatching(/2001 sats, more than the 2000/) });
    expect(await funds(m.id)).toEqual(before);
    const rest = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id })).body;
    expect(rest).toMatchObject({ type: 'full', target_amount: 2000 });
    const none = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'full' });
    expect([none.status, none.body.errors[0].param]).toEqual([400, 'checkout_session']);
    for (const [body, param] of [
      [{ checkout_session: 'cs_nope' }, 'checkout_session'], [{ checkout_session: cs.id, type: 'partial' }, 'amount'],
      [{ checkout_session: cs.id, withdraw_method: 'lightning' }, 'withdraw_request'], [{ checkout_session: cs.id, payment: 'pi_nope', amount: 1 }, 'payment'],
    ] as const) {
      const bad = await api(m.key, 'POST', '/refunds', body);
      expect([bad.status, bad.body.errors[0].param]).toEqual([400, param]);
    }
    // Canceling the unclaimed partial refund gives its amount back to the session and releases the reserve.
    const canceled = (await api(m.key, 'POST', `/refunds/${partial.id}/cancel`)).body;
    expect(canceled.status).toBe('canceled');
    expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body.target_amount_refunded).toBe(2000);
    expect((await api(m.key, 'GET', `/withdrawal-links/${partial.withdrawal_link}`)).body.status).toBe('deactivated');
  });

  test('a refund paid to the customer\'s invoice: succeeded once; a wrong-amount, zero-amount or other-network invoice is a 400', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 8000 }, [8000]);
    const before = await funds(m.id);
    const mainnet = await new LocalLightningNode(generateNodeKey().privateKey, 'mainnet').createInvoice({ amountSats: 1000n, memo: '', expirySeconds: 600 });
    for (const [pr, message] of [[await invoice(999n), /999 sats; the refund is 1000/], [zeroAmountInvoice(), /without an amount/], [mainnet.paymentRequest, /Invalid invoice for regtest/], ['lnbcrt1x', /Invalid invoice/]] as const) {
      const bad = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 1000, withdraw_method: 'lightning', withdraw_request: pr });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ param: 'withdraw_request', message: expect.stringMatching(message) });
    }
    expect(await funds(m.id)).toEqual(before);
    const refund = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 1000, withdraw_method: 'lightning', withdraw_request: await invoice(1000n) })).body;
    expect(refund).toMatchObject({ status: 'pending', withdraw_method: 'lightning', withdrawal_link: null, url: null });
    await refundUntil(m.key, refund.id, 'succeeded');
    expect(await funds(m.id)).toMatchObject({ balance: before.balance - 1000n, reserved: 0n });
  });

  test('a create that committed but could not start its workflows (Temporal unreachable): the retry with the key starts them, paid once', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 8000 }, [8000]);
    const before = await funds(m.id);
    // Starts of refund and withdrawal-link workflows fail while `down` is set (the rest of the system runs on).
    const client = sys.ctx.temporal.workflow;
    const start = client.start.bind(client);
    let down = true;
    client.start = (async (type: unknown, options: never) => {
      if (down && (type === 'refund' || type === 'withdrawalLink')) throw new Error('Temporal is unreachable');
      return start(type as never, options);
    }) as typeof client.start;
    const toInvoice = { checkout_session: cs.id, amount: 1000, withdraw_method: 'lightning', withdraw_request: await invoice(1000n) };
    const asLink = { checkout_session: cs.id, amount: 2000 };
    const keys = [`ri-${randomBytes(4).toString('hex')}`, `rl-${randomBytes(4).toString('hex')}`];
    let failed: { status: number }[];
    try {
      failed = [await api(m.key, 'POST', '/refunds', toInvoice, { 'Idempotency-Key': keys[0] }), await api(m.key, 'POST', '/refunds', asLink, { 'Idempotency-Key': keys[1] })];
    } finally {
      down = false;
      delete (client as { start?: unknown }).start;
    }
    expect(failed.map((r) => r.status)).toEqual([500, 500]);
    // Both committed: recorded and reserved, with no workflow yet.
    expect((await sys.db(REFUNDS).where({ checkout_session_id: cs.id })).map((r: { status: string }) => r.status)).toEqual(['pending', 'pending']);
    expect((await funds(m.id)).reserved - before.reserved).toBeGreaterThan(3000n); // both amounts and their fee limits

    const [paid, linked] = [(await api(m.key, 'POST', '/refunds', toInvoice, { 'Idempotency-Key': keys[0] })).body, (await api(m.key, 'POST', '/refunds', asLink, { 'Idempotency-Key': keys[1] })).body];
    expect([paid.status, linked.status]).toEqual(['pending', 'pending']);
    expect((await refundUntil(m.key, paid.id, 'succeeded')).status).toBe('succeeded');
    expect(await wallet.claim(linked.withdraw_request, (sats) => invoice(sats))).toEqual({ status: 'OK' });
    expect((await refundUntil(m.key, linked.id, 'succeeded')).status).toBe('succeeded');
    expect(await funds(m.id)).toMatchObject({ balance: before.balance - 3000n, reserved: 0n });
    expect((await sys.db(REFUNDS).where({ checkout_session_id: cs.id })).map((r: { id: string }) => r.id).sort()).toEqual([paid.id, linked.id].sort());
  });

  test('an invoice that cannot be paid fails the refund: the reserve is released and the session no longer counts it', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 8000 }, [8000]);
    const before = await funds(m.id);
    const refund = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 5000, withdraw_method: 'lightning', withdraw_request: await invoice(5000n, '[unroutable]') })).body;
    expect(refund.status).toBe('pending');
    const failed = await refundUntil(m.key, refund.id, 'failed');
    expect(failed.failure_reason).toBe('FAILURE_REASON_NO_ROUTE');
    expect(await funds(m.id)).toEqual(before);
    expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body.target_amount_refunded).toBe(0);
  });

  test('a fiat refund at the original payment\'s rate or at today\'s', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = await paidSession(m.key, { currency: 'USD', amount: 20 }, [40_000]); // 20 USD = 40,000 sats at 50,000 USD/BTC
    price.usd = '40000'; // bitcoin fell: 1 USD is 2,500 sats today
    const original = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 5 })).body;
    expect(original).toMatchObject({ rate: 'original', currency: 'USD', amount: 5, exchange_rate: 2000, target_amount: 10_000 });
    const today = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 5, rate: 'current' })).body;
    expect(today).toMatchObject({ rate: 'current', amount: 5, exchange_rate: 2500, target_amount: 12_500 });
    // What is left (17,500 sats) is 8.75 USD at the original rate but 21,875 sats today: refused on rate.
    const tooMuch = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, type: 'full', rate: 'current' });
    expect([tooMuch.status, tooMuch.body.errors[0].param]).toEqual([400, 'rate']);
    expect((await api(m.key, 'GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ amount_refunded: 10, target_amount_refunded: 22_500 });
  });

  test('reverse_transfers takes the recipients\' shares back in proportion, never more than they still hold', async () => {
    const [shop, partner] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, partner.id);
    const cs = await paidSession(shop.key, { currency: 'SATS', amount: 10_000, transfers: [{ destination_account: partner.id, percentage: 10 }] }, [10_000]);
    // 100 fee; 990 to the partner; 8,910 to the shop.
    expect((await funds(partner.id)).balance).toBe(990n);
    const half = (await api(shop.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 5000, reverse_transfers: true })).body;
    expect(half).toMatchObject({ reverse_transfers: true, transfer_reversals: [{ destination_account: partner.id, amount: 495 }] });
    expect((await funds(partner.id)).balance).toBe(495n);
    expect((await funds(shop.id)).balance).toBe(8_910n + 495n);
    // The partner spends what it has left (a withdrawal link reserves it): the next reversal cannot be taken.
    await api(partner.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 485 });
    const before = await funds(shop.id);
    const refused = await api(shop.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 5000, reverse_transfers: true });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ param: 'reverse_transfers', message: expect.stringMatching(/Cannot reverse 495 sats/) });
    expect(await funds(shop.id)).toEqual(before);
    expect((await funds(partner.id)).balance).toBe(495n);
  });

  test('refunds are listed per session and scoped to the account', async () => {
    const [m, other] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    const cs = await paidSession(m.key, { currency: 'SATS', amount: 3000 }, [3000]);
    const r = (await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 100 })).body;
    expect((await api(m.key, 'GET', `/refunds?checkout_session=${cs.id}`)).body.data.map((x: any) => x.id)).toEqual([r.id]);
    expect((await api(other.key, 'GET', `/refunds/${r.id}`)).status).toBe(404);
    const foreign = await api(other.key, 'POST', '/refunds', { checkout_session: cs.id });
    expect([foreign.status, foreign.body.errors[0].param]).toEqual([400, 'checkout_session']);
  });
});
