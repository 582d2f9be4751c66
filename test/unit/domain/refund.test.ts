import { amountToSats, excessSats, planRefund, reversalShares, satsToAmount, type RefundBasis } from '../../../src/domain/refund';
import { lightningFeeLimit } from '../../../src/domain/feeLimit';

const sats = (over: Partial<RefundBasis> = {}): RefundBasis => ({
  status: 'paid', exceptionStatus: null, currency: 'SATS', price: '10000', receivedSats: 10_000n, refundedSats: 0n, originalRate: '1', ...over,
});
// 1 USD = 2,000 sats at the original payment (BTC at 50,000 USD); a 20 USD price is 40,000 sats.
const usd = (over: Partial<RefundBasis> = {}): RefundBasis => ({
  status: 'paid', exceptionStatus: null, currency: 'USD', price: '20', receivedSats: 40_000n, refundedSats: 0n, originalRate: '2000', ...over,
});

describe('refund amounts', () => {
  test('a full refund of a SATS session takes everything received', () => {
    expect(planRefund(sats(), { type: 'full', rate: 'original' })).toEqual({ ok: true, sats: 10_000n, amount: '10000', exchangeRate: '1' });
  });

  test('a full refund after a partial one takes only what is left', () => {
    expect(planRefund(sats({ refundedSats: 2_500n }), { type: 'full', rate: 'original' })).toMatchObject({ ok: true, sats: 7_500n });
  });

  test('a partial refund above what was received minus what was refunded is refused on amount', () => {
    expect(planRefund(sats({ refundedSats: 2_500n }), { type: 'partial', amount: '7501', rate: 'original' }))
      .toEqual({ ok: false, param: 'amount', message: expect.stringMatching(/7501 sats, more than the 7500/) });
    expect(planRefund(sats({ refundedSats: 2_500n }), { type: 'partial', amount: '7500', rate: 'original' })).toMatchObject({ ok: true, sats: 7_500n });
  });

  test('nothing received, or everything refunded already: refused on checkout_session', () => {
    expect(planRefund(sats({ receivedSats: 0n }), { type: 'full', rate: 'original' })).toMatchObject({ ok: false, param: 'checkout_session' });
    expect(planRefund(sats({ refundedSats: 10_000n }), { type: 'full', rate: 'original' })).toMatchObject({ ok: false, param: 'checkout_session' });
  });

  test('a fiat partial refund at the original rate: 5 USD are 10,000 sats', () => {
    expect(planRefund(usd(), { type: 'partial', amount: '5', rate: 'original', currentRate: '2500' }))
      .toEqual({ ok: true, sats: 10_000n, amount: '5', exchangeRate: '2000' });
  });

  test('a fiat partial refund at today\'s rate: 5 USD are 12,500 sats when bitcoin fell to 40,000 USD', () => {
    expect(planRefund(usd(), { type: 'partial', amount: '5', rate: 'current', currentRate: '2500' }))
      .toEqual({ ok: true, sats: 12_500n, amount: '5', exchangeRate: '2500' });
  });

  test('a full fiat refund at today\'s rate that needs more sats than were received is refused on rate', () => {
    expect(planRefund(usd(), { type: 'full', rate: 'current', currentRate: '2500' })).toMatchObject({ ok: false, param: 'rate' });
    // Bitcoin rose: the 20 USD are fewer sats today; the merchant keeps the rest.
    expect(planRefund(usd(), { type: 'full', rate: 'current', currentRate: '1600' })).toEqual({ ok: true, sats: 32_000n, amount: '20', exchangeRate: '1600' });
  });

  test('sats never round up: a fiat amount converts down and a sats amount reads down to cents', () => {
    expect(amountToSats('0.015', '1999.99')).toBe(29n);
    expect(satsToAmount(3n, '2000', 'USD')).toBe('0');
    expect(satsToAmount(39_999n, '2000', 'USD')).toBe('19.99');
  });
});

describe('the excess of an overpaid or late session', () => {
  test('an overpaid SATS session: only what came above the price', () => {
    const b = sats({ exceptionStatus: 'overpaid', receivedSats: 12_000n });
    expect(excessSats(b)).toBe(2_000n);
    expect(planRefund(b, { type: 'excess', rate: 'original' })).toEqual({ ok: true, sats: 2_000n, amount: '2000', exchangeRate: '1' });
  });

  test('an overpaid fiat session: the sats above the price at the payment\'s rate, read in USD', () => {
    const b = usd({ exceptionStatus: 'overpaid', receivedSats: 45_000n });
    expect(planRefund(b, { type: 'excess', rate: 'current', currentRate: '9999' })).toEqual({ ok: true, sats: 5_000n, amount: '2.5', exchangeRate: '2000' });
  });

  test('a session paid late after it was deactivated never sold: all of it is excess', () => {
    expect(excessSats(sats({ status: 'deactivated', exceptionStatus: 'paid_late', receivedSats: 10_000n }))).toBe(10_000n);
  });

  test('an exact session has no excess; one refunded already has none left', () => {
    expect(planRefund(sats(), { type: 'excess', rate: 'original' })).toMatchObject({ ok: false, param: 'type' });
    expect(planRefund(sats({ exceptionStatus: 'overpaid', receivedSats: 12_000n, refundedSats: 2_000n }), { type: 'excess', rate: 'original' }))
      .toMatchObject({ ok: false, param: 'type', message: expect.stringMatching(/already been refunded/) });
  });
});

describe('transfer reversals in proportion', () => {
  test('each recipient gives back its share of the refunded part, rounded down', () => {
    // 10,000 received, 990 to one partner and 495 to another; half refunded.
    expect(reversalShares([{ account: 'acct_b', amount: 495n }, { account: 'acct_a', amount: 990n }], 10_000n, 5_000n))
      .toEqual([{ account: 'acct_a', amount: 495n }, { account: 'acct_b', amount: 247n }]);
  });

  test('a full refund takes all of each share back; a tiny one takes nothing from a small share', () => {
    expect(reversalShares([{ account: 'acct_a', amount: 990n }, { account: 'acct_a', amount: 10n }], 10_000n, 10_000n)).toEqual([{ account: 'acct_a', amount: 1000n }]);
    expect(reversalShares([{ account: 'acct_a', amount: 9n }], 10_000n, 1_000n)).toEqual([]);
  });
});

describe('the routing-fee limit reserved with a Lightning send', () => {
  const policy = { lightningFeeLimitPercent: '1', lightningFeeLimitMinSats: 10 };
  test.each([[1n, 10n], [1000n, 10n], [1001n, 11n], [100_000n, 1_000n], [10_000_000n, 100_000n]])('%s sats may cost %s sats (1 %%, at least 10)', (amount, limit) => {
    expect(lightningFeeLimit(amount, policy)).toBe(limit);
  });

  test('the percentage may have decimals', () => {
    expect(lightningFeeLimit(10_001n, { lightningFeeLimitPercent: '0.5', lightningFeeLimitMinSats: 0 })).toBe(51n);
  });
});
