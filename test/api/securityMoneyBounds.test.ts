/**
 * Money bounds in every currency and every update: an amount is bounded by its value in sats (fiat at
 * today's price with a margin), a number a double cannot hold exactly is refused rather than rounded,
 * and a title update is held to the Lightning memo's byte limit.
 */
import { call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const refusal = (r: { status: number; body: any }) => ({ status: r.status, param: r.body?.errors?.[0]?.param });

describe('amounts are bounded by their value in sats', () => {
  // Test-mode USD is 100,000 per BTC: 1,000 sats per dollar, so 2,100,000 BTC (a tenth of 21 M) is 210,000,000,000 USD.
  test('a fiat amount worth more than the bound is a 400 naming the field, in every amount field', async () => {
    expect(refusal(await api('POST', '/checkout-sessions', { currency: 'USD', amount: 1e13 }))).toEqual({ status: 400, param: 'amount' });
    expect(refusal(await api('POST', '/checkout-sessions', { currency: 'USD', amount: 210_000_000_001 }))).toEqual({ status: 400, param: 'amount' });
    expect(refusal(await api('POST', '/checkout-sessions', { currency: 'JPY', amount: 1e15 }))).toEqual({ status: 400, param: 'amount' });
    expect(refusal(await api('POST', '/checkout-sessions', { currency: 'USD', type: 'options', options: [5, 1e14] })))
      .toEqual({ status: 400, param: 'options[1]' });
    expect(refusal(await api('POST', '/checkout-sessions', { currency: 'USD', type: 'preset', preset: { min_amount: 1, max_amount: 1e15 } })))
      .toEqual({ status: 400, param: 'preset.max_amount' });
    expect(refusal(await api('POST', '/payment-links', { currency: 'EUR', amount: 1e14 }))).toEqual({ status: 400, param: 'amount' });
    // At the bound: accepted, and payable (the first payment exists).
    const atBound = await api('POST', '/checkout-sessions', { currency: 'USD', amount: 210_000_000_000 });
    expect(atBound.status).toBe(200);
    expect(atBound.body.payment_id).toMatch(/^pi_/);
    expect(atBound.body.target_amount_due).toBe(210_000_000_000_000);
  });

  test('a number with more significant digits than a double holds is refused, not rounded', async () => {
    const raw = '{"currency":"USD","amount":999999999999999.99}';
    const rounded = await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', raw);
    expect(refusal(rounded)).toEqual({ status: 400, param: 'amount' });
    expect(rounded.body.errors[0].message).toMatch(/significant digits/);
    const option = await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', '{"currency":"USD","type":"options","options":[1.5,12345678.123456789]}');
    expect(refusal(option)).toEqual({ status: 400, param: 'options' });
    // Options typed as strings (Speed's reference): the same rule, not Number()'s rounding to 123456789012345.
    const typed = await api('POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: ['1000', '123456789012345.00000001'] });
    expect(refusal(typed)).toEqual({ status: 400, param: 'options[1]' });
    expect(typed.body.errors[0].message).toMatch(/significant digits/);
    expect((await api('POST', '/checkout-sessions', { currency: 'BTC', type: 'options', options: ['0.00012345', '10.5'] })).body.options).toEqual([0.00012345, 10.5]);
    // Exactly written numbers pass, long ones included.
    expect((await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', '{"currency":"BTC","amount":0.1}')).status).toBe(200);
    expect((await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', '{"currency":"SATS","amount":2100000000000000}')).status).toBe(200);
  });
});

describe('the invoice memo on update', () => {
  test('a title update past 639 bytes is a 400 naming title; one within it is taken', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    expect(refusal(await api('POST', `/checkout-sessions/${cs.id}`, { title: '漢'.repeat(250) }))).toEqual({ status: 400, param: 'title' });
    const ok = await api('POST', `/checkout-sessions/${cs.id}`, { title: '漢'.repeat(213) });
    expect(ok.status).toBe(200);
    expect(ok.body.title).toBe('漢'.repeat(213));
  });
});

describe('the simulator\'s amounts are bounded', () => {
  test('the page pays at most the payment\'s amount; the test helper at most ten times it', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const over = await call(sys.baseUrl, null, 'POST', `/pay/${cs.id}/simulate`, { amount: 1001 }, { accept: 'application/json' });
    expect(refusal(over)).toEqual({ status: 400, param: 'amount' });
    expect(refusal(await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10_001 }))).toEqual({ status: 400, param: 'amount' });
    expect(refusal(await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 1e18 }))).toEqual({ status: 400, param: 'amount' });
    // An overpayment within the bound is simulated (and flagged as one).
    expect((await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10_000 })).status).toBe(200);
    const page = await call(sys.baseUrl, null, 'POST', `/pay/${(await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 700 })).body.id}/simulate`, {},
      { accept: 'application/json' });
    expect(page.body).toMatchObject({ object: 'simulated_payment', amount: 700 });
  });

  test('the page\'s typed amount is whole sats as written: exponents, hex and fractions are refused, never read or rounded', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const simulate = (amount: string) => call(sys.baseUrl, null, 'POST', `/pay/${cs.id}/simulate`, { amount }, { accept: 'application/json' });
    for (const typed of ['1e2', '0x10', '500.0000000000000001', '500.5', '-5', 'five']) {
      const res = await simulate(typed);
      expect([typed, refusal(res)]).toEqual([typed, { status: 400, param: 'amount' }]);
    }
    expect(await sys.db('receipts').where({ checkout_session_id: cs.id }).count({ n: '*' }).then(([r]) => Number(r.n))).toBe(0);
    expect((await simulate(' 500 ')).body).toMatchObject({ object: 'simulated_payment', amount: 500 });
  });
});
