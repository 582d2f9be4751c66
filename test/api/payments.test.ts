import fs from 'node:fs';
import path from 'node:path';
import { decodeAndVerifyInvoice, isValidAddress, nodePublicKey } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { StaticRateProvider } from '../../src/rates';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const rates = new StaticRateProvider();
const sys = useTestSystem({ rates });
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`);
const receive = (paymentId: string, amount: number, extra: Record<string, unknown> = {}) =>
  api('POST', `/test-helpers/payments/${paymentId}/receive`, { amount, ...extra });
const until = (id: string, done: (s: any) => boolean) => waitFor(() => session(id), (r) => done(r.body)).then((r) => r.body);
/** Like `until`, with the payment page open: its status poll is what renews an expired payment (an API read never does). */
const untilOnPage = (id: string, done: (s: any) => boolean) =>
  waitFor(async () => { await fetch(`${sys.baseUrl}/pay/${id}/status`); return session(id); }, (r) => done(r.body)).then((r) => r.body);

describe('payments of a session', () => {
  test('the first payment carries a verifiable BOLT11 invoice and a fresh regtest BIP84 address', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 21000, ttl: 900, statement_descriptor: 'Coffee' })).body;
    const pi = (await api('GET', `/payments/${cs.payment_id}`)).body;
    expect(pi).toMatchObject({ object: 'payment', checkout_session: cs.id, status: 'unpaid', currency: 'SATS', amount: 21000,
      exchange_rate: 1, target_currency: 'SATS', target_amount: 21000, amount_paid: 0, target_amount_paid: 0 });
    expect(pi.expires_at - pi.created).toBe(900_000);

    const nodeKey = fs.readFileSync(path.join(sys.config.dataDir, 'lightning-node.key'), 'utf8').trim();
    const invoice = decodeAndVerifyInvoice(pi.payment_method_options.lightning.payment_request, nodePublicKey(nodeKey));
    expect(invoice.amountSats).toBe(21000n);
    expect(invoice.paymentHash).toBe(pi.payment_method_options.lightning.payment_hash);
    expect(invoice.description).toBe('Coffee');
    expect(invoice.expiresAt).toBeGreaterThanOrEqual(pi.expires_at - 1000);
    expect(pi.payment_method_options.lightning.payment_request).toMatch(/^lnbcrt/);

    expect(pi.payment_method_options.onchain.address).toMatch(/^bcrt1q/);
    expect(isValidAddress(pi.payment_method_options.onchain.address, 'regtest')).toBe(true);
  });

  test('every session gets addresses no other session uses', async () => {
    const addresses = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 + i })).body;
      addresses.add((await api('GET', `/payments/${cs.payment_id}`)).body.payment_method_options.onchain.address);
    }
    expect(addresses.size).toBe(4);
    // A session's renewals may keep its unfunded address; no address ever serves two sessions.
    const dupes = await sys.db(T.payments).select('onchain_address').whereNotNull('onchain_address').groupBy('onchain_address')
      .havingRaw('count(distinct checkout_session_id) > 1');
    expect(dupes).toEqual([]);
  });

  test('a lightning-only session has no address; an onchain-only one has no invoice', async () => {
    const ln = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10, payment_methods: ['lightning'] })).body;
    const oc = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10, payment_methods: ['onchain'] })).body;
    expect(Object.keys((await api('GET', `/payments/${ln.payment_id}`)).body.payment_method_options)).toEqual(['lightning']);
    expect(Object.keys((await api('GET', `/payments/${oc.payment_id}`)).body.payment_method_options)).toEqual(['onchain']);
  });

  test('payments are listed per session and the session is found by payment ID', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000 })).body;
    await receive(cs.payment_id, 1000);
    const after = await until(cs.id, (s) => s.payment_id !== cs.payment_id);
    const list = (await api('GET', `/payments?checkout_session=${cs.id}`)).body;
    expect(list.data.map((p: { id: string }) => p.id)).toEqual([after.payment_id, cs.payment_id]);
    const byPayment = await api('GET', `/checkout-sessions/payment/${cs.payment_id}`);
    expect(byPayment.body).toMatchObject({ id: cs.id, customer_details: null });
    expect((await api('GET', '/payments/pi_unknown')).status).toBe(404);
  });
});

describe('receipts and the paid rule', () => {
  test('at 2.5% of 100,000 SATS, 97,499 received stays active and 97,500 is paid', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 100000, amount_paid_tolerance: 2.5 })).body;
    await receive(cs.payment_id, 97499);
    const partial = await until(cs.id, (s) => s.target_amount_paid === 97499 && s.payment_id !== cs.payment_id);
    expect(partial).toMatchObject({ status: 'active', amount_paid: 97499, target_amount_due: 2501 });
    expect(partial.payment_id).not.toBe(cs.payment_id);
    expect((await api('GET', `/payments/${partial.payment_id}`)).body.target_amount).toBe(2501);
    await receive(partial.payment_id, 1, { method: 'lightning' });
    const paid = await until(cs.id, (s) => s.status === 'paid');
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 97500, target_amount_paid: 97500, target_amount_due: 0, exception_status: 'underpaid' });
    expect(paid.payments).toEqual([
      expect.objectContaining({ id: cs.payment_id, module: 'payment', amount_paid: 97499, target_amount_paid: 97499, exchange_rate: 1 }),
      expect.objectContaining({ id: partial.payment_id, amount_paid: 1, target_amount_paid: 1 }),
    ]);
    expect((await api('GET', `/payments/${cs.payment_id}`)).body.status).toBe('paid');
  });

  test('several partial on-chain receipts accumulate to the sat', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 30000, amount_paid_tolerance: 0 })).body;
    let paymentId = cs.payment_id;
    for (const [i, amount] of [10000, 7000, 12999].entries()) {
      await receive(paymentId, amount, { reference: `${'ab'.repeat(31)}${i}0:${i}` });
      const s = await until(cs.id, (x) => x.payment_id !== paymentId);
      paymentId = s.payment_id;
    }
    const s = (await session(cs.id)).body;
    expect(s).toMatchObject({ status: 'active', target_amount_paid: 29999, target_amount_due: 1 });
    expect(s.payments.map((p: { target_amount_paid: number }) => p.target_amount_paid)).toEqual([10000, 7000, 12999]);
    // Money to an earlier payment's address still counts (on-chain addresses stay watched).
    await receive(cs.payment_id, 1, { reference: `${'cd'.repeat(32)}:0` });
    expect(await until(cs.id, (x) => x.status === 'paid')).toMatchObject({ target_amount_paid: 30000, exception_status: null });
  });

  test('the same receipt twice counts once', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const reference = `${'ef'.repeat(32)}:1`;
    const first = await receive(cs.payment_id, 400, { reference });
    const second = await receive(cs.payment_id, 400, { reference });
    expect(first.body.duplicate).toBe(false);
    expect(second.body).toMatchObject({ duplicate: true, id: first.body.id });
    await until(cs.id, (s) => s.target_amount_paid === 400);
    await new Promise((r) => setTimeout(r, 300));
    expect((await session(cs.id)).body.target_amount_paid).toBe(400);
    expect(await sys.db(T.receipts).where({ checkout_session_id: cs.id }).count({ count: '*' })).toEqual([{ count: '1' }]);
  });

  test('money after paid is recorded, credited and flagged overpaid', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    await receive(cs.payment_id, 1000);
    await until(cs.id, (s) => s.status === 'paid');
    const extra = await receive(cs.payment_id, 250);
    const s = await until(cs.id, (x) => x.target_amount_paid === 1250);
    expect(s).toMatchObject({ status: 'paid', exception_status: 'overpaid', amount_paid: 1250 });
    expect(await waitFor(() => sys.db(T.receipts).where({ id: extra.body.id }).first(), (r) => r.status === 'credited')).toMatchObject({ flag: 'overpaid' });
  });

  test('money after deactivation is credited and flagged late; the session stays deactivated', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    await api('POST', `/checkout-sessions/${cs.id}/deactivate`);
    const late = await receive(cs.payment_id, 600);
    const s = await until(cs.id, (x) => x.target_amount_paid === 600);
    expect(s).toMatchObject({ status: 'deactivated', exception_status: 'paid_late' });
    expect(await waitFor(() => sys.db(T.receipts).where({ id: late.body.id }).first(), (r) => r.status === 'credited')).toMatchObject({ flag: 'late' });
  });

  test('an unknown payment or a live key cannot use the simulator', async () => {
    expect((await receive('pi_nope', 5)).status).toBe(404);
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10 })).body;
    expect((await receive(cs.payment_id, 0)).body.errors[0].param).toBe('amount');
    expect((await receive(cs.payment_id, 1.5)).body.errors[0].param).toBe('amount');
    expect((await receive(cs.payment_id, 5, { method: 'cash' })).body.errors[0].param).toBe('method');
  });
});

describe('TTL renewal and exchange rates', () => {
  test('an unpaid payment expires at its TTL and the open payment page renews it for the amount due', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 4000, ttl: 1 })).body;
    const renewed = await untilOnPage(cs.id, (s) => s.payment_id !== cs.payment_id);
    expect(renewed.status).toBe('active');
    expect((await api('GET', `/payments/${cs.payment_id}`)).body.status).toBe('expired');
    const fresh = (await api('GET', `/payments/${renewed.payment_id}`)).body;
    expect(fresh).toMatchObject({ status: 'unpaid', amount: 4000, target_amount: 4000 });
  });

  test('a fiat session renews at the new exchange rate for what is still due', async () => {
    rates.setRate('EUR', '100000.00');
    const cs = (await api('POST', '/checkout-sessions', { currency: 'EUR', amount: 10, ttl: 2, amount_paid_tolerance: 0 })).body;
    const first = (await api('GET', `/payments/${cs.payment_id}`)).body;
    expect(first).toMatchObject({ exchange_rate: 1000, target_amount: 10000 });
    await receive(cs.payment_id, 4000); // 4 EUR at the first rate
    const second = await until(cs.id, (s) => s.payment_id !== cs.payment_id);
    expect(second.amount_paid).toBe(4);
    rates.setRate('EUR', '50000.00');
    const third = await untilOnPage(cs.id, (s) => s.payment_id !== second.payment_id);
    const renewed = (await api('GET', `/payments/${third.payment_id}`)).body;
    expect(renewed).toMatchObject({ amount: 6, exchange_rate: 2000, target_amount: 12000 });
    await receive(third.payment_id, 12000);
    expect(await until(cs.id, (s) => s.status === 'paid')).toMatchObject({ amount_paid: 10, target_amount_paid: 16000 });
  });
});
