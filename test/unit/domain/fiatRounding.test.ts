import { initialState } from '../../../src/domain/initialState';
import { nextState, exceptionFor, type Transition } from '../../../src/domain/transitions';
import { chosenAmountError } from '../../../src/domain/amountChoice';
import { currentExchangeRate, StaticRateProvider, toTargetSats } from '../../../src/rates';

const NOW = 1_700_000_000_000;
const ok = (t: Transition) => { if (!t.ok) throw new Error(t.error); return t; };

async function paidWith(amount: string, satsDelta: bigint, tolerance = '0') {
  const rate = await currentExchangeRate(new StaticRateProvider(), 'EUR');
  const target = toTargetSats(amount, rate);
  const s0 = initialState({ id: 'cs_1', accountId: 'acct_1', livemode: false, created: NOW, currency: 'EUR', amount,
    tolerancePercent: tolerance, ttlSeconds: 600, linkId: null, fields: {} });
  const p = { id: 'pi_1', seq: 1, amount, exchangeRate: rate, targetAmount: target.toString(), status: 'unpaid' as const, expiresAt: NOW + 600_000, receivedSats: '0', amountPaid: '0' };
  const s1 = ok(nextState(s0, { type: 'payment_opened', payment: p }, NOW)).state;
  const sats = (target + satsDelta).toString();
  return { rate, target, after: ok(nextState(s1, { type: 'receipt', late: false, receipt: { receiptId: 'r', reference: 'x:0', paymentId: 'pi_1', method: 'onchain', sats, payment: p } }, NOW)).state };
}

describe('a fiat session paid its target_amount exactly is not overpaid', () => {
  test('EUR 12.50 at the built-in rate: exactly target_amount is exact; one sat more is overpaid; one less is short', async () => {
    const exact = await paidWith('12.5', 0n);
    // The conversion rounds up, so the sats are worth a little more than the price: that is not an overpayment.
    expect(exact.after).toMatchObject({ status: 'paid', exceptionStatus: null });
    expect(Number(exact.after.amountPaid)).toBeGreaterThan(12.5);
    expect((await paidWith('12.5', 1n)).after).toMatchObject({ status: 'paid', exceptionStatus: 'overpaid' });
    expect((await paidWith('12.5', -1n)).after.status).toBe('active');
    expect((await paidWith('12.5', -1n, '1')).after).toMatchObject({ status: 'paid', exceptionStatus: 'underpaid' });
  });

  test('exceptionFor: SATS (rate 1) keeps one sat of excess as overpaid', () => {
    expect(exceptionFor('100001', '100000', '1')).toBe('overpaid');
    expect(exceptionFor('100000', '100000', '1')).toBeNull();
    expect(exceptionFor('99999', '100000', '1')).toBe('underpaid');
  });
});

describe('chooseAmount is checked against the session type, options and preset', () => {
  test.each([
    ['abc', { type: 'options', options: ['1000', '2000'] }, /positive decimal/],
    ['5000', { type: 'options', options: ['1000', '2000'] }, /one of 1000, 2000/],
    ['2000', { type: 'options', options: ['1000', '2000'] }, null],
    ['0.5', { type: 'preset', min: '1', max: '10' }, /between 1 and 10/],
    ['10.001', { type: 'preset', min: '1', max: '10' }, /more decimals/],
    ['10', { type: 'preset', min: '1', max: '10' }, null],
    ['100', { type: 'fixed' }, /fixed amount/],
    ['1e3', undefined, /positive decimal/],
  ] as const)('%s with %j', (amount, choice, expected) => {
    const error = chosenAmountError(amount, 'EUR', choice as never);
    if (expected === null) expect(error).toBeNull();
    else expect(error).toMatch(expected);
  });
});
