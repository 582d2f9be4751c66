import { randomBytes } from 'node:crypto';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { accountFunds } from '../../src/db/funds';
import { accountBalance } from '../../src/db/ledger';
import { T } from '../../src/db/tables';
import { decodeLnurl } from '../../src/domain/lnurl';
import { LnurlWallet } from '../support/lnurlWallet';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// Test mode: the customer's wallet is a local node of the test network; the platform's sends are simulated
// (no bitcoin moves, as with test-mode receipts), but every ledger and reservation rule is the live one.
const sys = useTestSystem();
let wallet: LnurlWallet;
const customer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
const mainnetNode = new LocalLightningNode(generateNodeKey().privateKey, 'mainnet');

beforeAll(() => { wallet = new LnurlWallet(sys.config.publicUrl, sys.baseUrl); });

const api = (key: string, method: string, route: string, body?: unknown, headers?: Record<string, string>) => call(sys.baseUrl, key, method, route, body, headers);
const invoice = (sats: bigint, memo = 'withdraw', node = customer, expirySeconds = 600) =>
  node.createInvoice({ amountSats: sats, memo, expirySeconds }).then((i) => i.paymentRequest);
const funds = (accountId: string) => accountFunds(sys.db, accountId, false);

/** A merchant whose test balance holds `sats` after the 1 % platform fee of a paid session. */
async function merchantWithBalance(gross: number) {
  const m = await createMerchant(sys.baseUrl);
  const cs = (await api(m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: gross })).body;
  await api(m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: gross });
  await waitFor(() => api(m.key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid');
  await waitFor(() => accountBalance(sys.db, m.id, false), (b) => b > 0n);
  return m;
}
const linkUntil = (key: string, id: string, status: string) =>
  waitFor(() => api(key, 'GET', `/withdrawal-links/${id}`), (r) => r.body.status === status, 20_000).then((r) => r.body);

describe('withdrawal links (LNURL-withdraw)', () => {
  test('a wallet claims a link through LNURL: paid once, the balance drops by the amount, the reserve is released', async () => {
    const m = await merchantWithBalance(20_000); // 19,800 after the fee
    const headers = { 'Idempotency-Key': `wl-${randomBytes(4).toString('hex')}` };
    const created = await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 5000, description: 'Your prize' }, headers);
    expect(created.status).toBe(200);
    const link = created.body;
    expect(link).toMatchObject({
      object: 'withdrawal.link', status: 'active', livemode: false, currency: 'SATS', amount: 5000, target_currency: 'SATS',
      target_amount: 5000, fee_limit: 50, fee: null, url: `http://checkout.test/w/${link.id}`, refund: null,
    });
    expect(link.id).toMatch(/^wlink_/);
    expect(link.withdraw_request).toMatch(/^lnurl1[02-9ac-hj-np-z]+$/);
    expect(decodeLnurl(link.withdraw_request)).toBe(`http://checkout.test/lnurlw/${link.id}`);
    // A retried create is the same link and reserves nothing more.
    expect((await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 5000, description: 'Your prize' }, headers)).body).toEqual(link);
    expect(await funds(m.id)).toMatchObject({ balance: 19_800n, reserved: 5_050n, available: 14_750n });

    const request = await wallet.withdrawRequest(link.withdraw_request);
    expect(request).toEqual({
      tag: 'withdrawRequest', callback: `http://checkout.test/lnurlw/${link.id}/callback`, k1: expect.stringMatching(/^[0-9a-f]{64}$/),
      defaultDescription: 'Your prize', minWithdrawable: 5_000_000, maxWithdrawable: 5_000_000,
    });
    expect(await wallet.sendInvoice(request, await invoice(5000n))).toEqual({ status: 'OK' });
    const paid = await linkUntil(m.key, link.id, 'paid');
    expect(paid).toMatchObject({ status: 'paid', fee: 0, payment_hash: expect.stringMatching(/^[0-9a-f]{64}$/), paid_at: expect.any(Number) });
    expect(await funds(m.id)).toMatchObject({ balance: 14_800n, reserved: 0n, available: 14_800n });

    // The same k1 again (another invoice, or a replay): refused, nothing moves.
    expect(await wallet.sendInvoice(request, await invoice(5000n))).toEqual({ status: 'ERROR', reason: 'This withdrawal link has already been claimed' });
    expect(await wallet.withdrawRequest(link.withdraw_request)).toEqual({ status: 'ERROR', reason: 'This withdrawal link has already been claimed' });
    expect(await funds(m.id)).toMatchObject({ balance: 14_800n, reserved: 0n });
    const movements = await sys.db(T.ledgerTransactions).where('description', 'like', `%${link.id}%`);
    expect(movements.map((t) => t.type)).toEqual(['payout']);

    const events = (await api(m.key, 'GET', '/events?limit=100')).body.data.filter((e: any) => e.data.object.id === link.id);
    expect(events.map((e: any) => e.event_type).sort()).toEqual(['withdrawal_link.claimed', 'withdrawal_link.created', 'withdrawal_link.paid']);
  });

  test('the callback refuses a wrong amount, another network, an expired invoice and a wrong k1 with LUD-03 ERROR; nothing is reserved twice', async () => {
    const m = await merchantWithBalance(10_000);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 2000 })).body;
    const request = await wallet.withdrawRequest(link.withdraw_request);
    const before = await funds(m.id);
    const refusals = [
      [await invoice(1999n), /exactly 2000 sats/],
      [await invoice(2000n, 'mainnet', mainnetNode), /Invalid invoice for regtest/],
      [await invoice(2000n, 'short', customer, 1), /expired or expires too soon/],
      ['lnbcrt1garbage', /Invalid invoice/],
    ] as const;
    for (const [pr, reason] of refusals) {
      const answer = await wallet.sendInvoice(request, pr);
      expect(answer.status).toBe('ERROR');
      expect(answer.reason).toMatch(reason);
    }
    expect(await wallet.sendInvoice({ ...request, k1: 'ab'.repeat(32) }, await invoice(2000n))).toEqual({ status: 'ERROR', reason: 'Unknown k1' });
    expect((await api(m.key, 'GET', `/withdrawal-links/${link.id}`)).body.status).toBe('active');
    expect(await funds(m.id)).toEqual(before);
    // Still claimable with a good invoice.
    expect(await wallet.sendInvoice(request, await invoice(2000n))).toEqual({ status: 'OK' });
    await linkUntil(m.key, link.id, 'paid');
  });

  test('an amount above the available balance is a 400 insufficient_funds on amount: no link, nothing reserved', async () => {
    const m = await merchantWithBalance(10_000); // 9,900
    const before = await funds(m.id);
    const res = await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 9_850 }); // + 99 fee limit > 9,900
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ type: 'insufficient_funds', param: 'amount' });
    expect(await funds(m.id)).toEqual(before);
    expect(await sys.db('withdrawal_links').where({ account_id: m.id })).toHaveLength(0);
    for (const [body, param] of [[{ currency: 'SATS' }, 'amount'], [{ currency: 'XYZ', amount: 1 }, 'currency'], [{ currency: 'SATS', amount: 1.5 }, 'amount'],
      [{ currency: 'SATS', amount: 10, ttl: 0 }, 'ttl'], [{ currency: 'SATS', amount: 10, k1: 'x' }, 'k1']] as const) {
      const bad = await api(m.key, 'POST', '/withdrawal-links', body);
      expect([bad.status, bad.body.errors[0].param]).toEqual([400, param]);
    }
  });

  test('a fiat amount is converted at create and locked', async () => {
    const m = await merchantWithBalance(100_000);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'USD', amount: 5 })).body;
    expect(link).toMatchObject({ currency: 'USD', amount: 5, target_currency: 'SATS' });
    expect(link.target_amount).toBe(Math.ceil(5 * link.exchange_rate));
    expect(link.target_amount).toBeGreaterThan(0);
  });

  test('deactivating releases the reserve; the link then refuses wallets and a second deactivation', async () => {
    const m = await merchantWithBalance(10_000);
    const before = await funds(m.id);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 3000 })).body;
    expect((await funds(m.id)).reserved).toBe(before.reserved + 3030n);
    const off = await api(m.key, 'POST', `/withdrawal-links/${link.id}/deactivate`);
    expect(off.body.status).toBe('deactivated');
    expect(await funds(m.id)).toEqual(before);
    expect(await wallet.withdrawRequest(link.withdraw_request)).toEqual({ status: 'ERROR', reason: 'This withdrawal link is deactivated' });
    const again = await api(m.key, 'POST', `/withdrawal-links/${link.id}/deactivate`);
    expect([again.status, again.body.errors[0].param, again.body.errors[0].code]).toEqual([409, 'id', 'unexpected_state']);
    const page = await fetch(`${sys.baseUrl}/w/${link.id}`);
    expect(page.status).toBe(410);
  });

  test('an expired link releases its reserve by itself', async () => {
    const m = await merchantWithBalance(10_000);
    const before = await funds(m.id);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1000, ttl: 2 })).body;
    expect(link.expires_at).toBeGreaterThan(link.created);
    expect((await funds(m.id)).reserved).toBe(before.reserved + 1010n);
    await linkUntil(m.key, link.id, 'expired');
    expect(await funds(m.id)).toEqual(before);
    expect(await wallet.withdrawRequest(link.withdraw_request)).toMatchObject({ status: 'ERROR' });
  });

  test('an invoice that cannot be routed fails the send: the link is active again with the reason, its reserve kept', async () => {
    const m = await merchantWithBalance(10_000);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1000 })).body;
    const request = await wallet.withdrawRequest(link.withdraw_request);
    expect(await wallet.sendInvoice(request, await invoice(1000n, 'no channel [unroutable]'))).toEqual({ status: 'OK' });
    const reopened = await waitFor(() => api(m.key, 'GET', `/withdrawal-links/${link.id}`), (r) => r.body.failure_reason !== null, 20_000);
    expect(reopened.body).toMatchObject({ status: 'active', failure_reason: 'FAILURE_REASON_NO_ROUTE', fee: null });
    expect((await funds(m.id)).reserved).toBe(1010n);
    expect(await wallet.sendInvoice(request, await invoice(1000n))).toEqual({ status: 'OK' });
    await linkUntil(m.key, link.id, 'paid');
    expect(await funds(m.id)).toMatchObject({ balance: 8_900n, reserved: 0n });
  });

  test('the public page shows the LNURL as a QR under the payment page\'s CSP; lists and retrieval are scoped', async () => {
    const m = await merchantWithBalance(10_000);
    const other = await createMerchant(sys.baseUrl);
    const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 500, description: '<b>gift</b>' })).body;
    const page = await fetch(`${sys.baseUrl}/w/${link.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await page.text();
    expect(body).toContain(`lightning:${link.withdraw_request.toUpperCase()}`);
    expect(body).toContain('<svg');
    expect(body).toContain('&lt;b&gt;gift&lt;/b&gt;');
    expect((await fetch(`${sys.baseUrl}/w/wlink_nope`)).status).toBe(404);
    expect((await api(m.key, 'GET', '/withdrawal-links?status=active')).body.data.map((l: any) => l.id)).toContain(link.id);
    expect((await api(other.key, 'GET', `/withdrawal-links/${link.id}`)).status).toBe(404);
    expect((await api(other.key, 'GET', '/withdrawal-links')).body.data).toEqual([]);
  });
});
