import fc from 'fast-check';
import { splitReceipt } from '../../../src/domain/split';

describe('splitting a receipt into fees, transfers and the merchant remainder', () => {
  test('the seed example holds exactly: 10,000 SATS, 1% fee, 10% and 25%', () => {
    const s = splitReceipt({ gross: 10_000n, platformFeePercent: '1', transferPercents: ['10', '25'] });
    expect(s).toEqual({ gross: 10_000n, platformFee: 100n, affiliateFee: 0n, net: 9_900n, transfers: [990n, 2_475n], merchant: 6_435n });
  });

  test.each([
    // gross, fee%, affiliate%, transfers, expected [platform, affiliate, transfers, merchant]
    [1n, '1', null, ['50'], [0n, 0n, [0n], 1n]],
    [50n, '1', null, [], [1n, 0n, [], 49n]], // 0.5 rounds half up
    [49n, '1', null, [], [0n, 0n, [], 49n]], // 0.49 rounds down
    [10_001n, '1', '0.5', ['33.33', '33.33', '33.33'], [100n, 50n, [3_283n, 3_283n, 3_283n], 2n]],
    [999n, '2.5', '0.25', ['99.99'], [25n, 2n, [971n], 1n]],
    [1n, '50', '50', [], [1n, 0n, [], 0n]], // the affiliate fee is capped by what the platform fee leaves
    [7n, '0', null, ['100'], [0n, 0n, [7n], 0n]],
  ] as const)('%s sats at %s%% fee, affiliate %s, transfers %j', (gross, fee, affiliate, transfers, expected) => {
    const s = splitReceipt({ gross, platformFeePercent: fee, affiliatePercent: affiliate, transferPercents: [...transfers] });
    expect([s.platformFee, s.affiliateFee, s.transfers, s.merchant]).toEqual(expected);
  });

  test('for any amounts and percentages, every sat is accounted for and nothing is negative', () => {
    const pct = (max: number) => fc.integer({ min: 0, max }).map((bp) => (bp / 100).toFixed(2));
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n }),
      pct(500), fc.option(pct(5000), { nil: null }),
      fc.array(fc.integer({ min: 1, max: 9999 }), { maxLength: 10 }).filter((ts) => ts.reduce((a, b) => a + b, 0) <= 10_000),
      (gross, fee, affiliate, transferBps) => {
        const transferPercents = transferBps.map((bp) => (bp / 100).toFixed(2));
        const s = splitReceipt({ gross, platformFeePercent: fee, affiliatePercent: affiliate, transferPercents });
        const total = s.platformFee + s.affiliateFee + s.merchant + s.transfers.reduce((a, b) => a + b, 0n);
        expect(total).toBe(gross);
        for (const part of [s.platformFee, s.affiliateFee, s.merchant, ...s.transfers]) expect(part >= 0n).toBe(true);
        // each transfer is floor(net × p%) exactly
        transferBps.forEach((bp, i) => expect(s.transfers[i]).toBe((s.net * BigInt(bp)) / 10_000n));
      },
    ), { numRuns: 500 });
  });
});
