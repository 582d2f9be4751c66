import fc from 'fast-check';
import {
  currentExchangeRate,
  exchangeRateSatsPerUnit,
  toTargetSats,
} from '../../../src/rates/convert';
import { InvalidConversionInputError } from '../../../src/rates/errors';
import { StaticRateProvider } from '../../../src/rates/staticRateProvider';

describe('exchangeRateSatsPerUnit', () => {
  it.each([
    ['SATS', undefined, '1'],
    ['sats', undefined, '1'],
    ['BTC', undefined, '100000000'],
    ['USD', '100000.00', '1000'],
    ['USD', '95000.12', '1052.63024931'], // 1052.630249309158… rounds down at the 9th place
    ['EUR', '92000.00', '1086.95652174'], // …1739… rounds up
    ['GBP', '79000', '1265.82278481'],
    ['JPY', '15000000', '6.66666667'],
    ['USD', '3', '33333333.33333333'],
    ['USD', '800000000000000', '0.00000013'], // exactly 0.000000125: a tie, rounded half-up
    ['USD', '20000000000000000', '0.00000001'], // exactly 0.000000005: a tie, rounded half-up
  ])('%s at %s → %s', (currency, price, rate) => {
    expect(exchangeRateSatsPerUnit(currency, price)).toBe(rate);
  });

  it.each([
    ['no price for fiat', 'USD', undefined],
    ['a zero price', 'USD', '0'],
    ['a negative price', 'USD', '-95000'],
    ['an exponent', 'USD', '9.5e4'],
    ['a price so high the rate rounds to 0', 'USD', '30000000000000000'],
    ['a bad currency', 'U$D', '1'],
  ])('rejects %s', (_why, currency, price) => {
    expect(() => exchangeRateSatsPerUnit(currency, price)).toThrow(InvalidConversionInputError);
  });

  it('equals round-half-up(1e8 / price) computed in integers (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 8 }), (units, decimals) => {
        const scale = 10n ** BigInt(decimals);
        const price = formatScaled(units, decimals);
        // rate × 1e8 = round_half_up(1e8 × 1e8 × scale / units)
        const numerator = 10n ** 16n * scale;
        const expected = (2n * numerator + units) / (2n * units);
        fc.pre(expected > 0n);
        expect(exchangeRateSatsPerUnit('USD', price)).toBe(trimZeros(formatScaled(expected, 8)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('toTargetSats', () => {
  it.each([
    ['10.00', '1000', 10_000n], // 10.00 USD at 100000 USD/BTC: exact
    ['0.01', '1052.63024931', 11n], // 10.5263… sats → rounded UP
    ['19.99', '1052.63024931', 21_043n], // 21042.0786…
    ['123.45', '1052.63024931', 129_948n], // 129947.2042…
    ['0.00012345', '100000000', 12_345n], // BTC
    ['500', '1', 500n], // SATS
    ['0', '1052.63024931', 0n],
    ['1000000000000.00', '6.66666667', 6_666_666_670_000n],
    ['0.01', '0.00000001', 1n], // a tiny positive product still costs one whole sat
    // An amount still due after partial payments carries 18 decimals (sats ÷ rate): still exact.
    ['999999999999.989473684210526316', '1052.63024931', 1_052_630_249_309_989n],
    ['0.000000000000000001', '1052.63024931', 1n],
  ])('%s × %s → %s', (amount, rate, sats) => {
    expect(toTargetSats(amount, rate)).toBe(sats);
  });

  it.each([
    ['-1', '1000'],
    ['1e3', '1000'],
    ['1.', '1000'],
    ['.5', '1000'],
    [' 1', '1000'],
    ['abc', '1000'],
    ['', '1000'],
    ['10', '0'],
    ['10', '-1'],
    ['10', 'NaN'],
    ['1'.repeat(65), '1'],
    ['1', '1'.repeat(65)],
  ])('rejects amount %p at rate %p', (amount, rate) => {
    expect(() => toTargetSats(amount, rate)).toThrow(InvalidConversionInputError);
  });

  it('is the least whole number of sats not below amount × rate (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.bigInt({ min: 1n, max: 10n ** 17n }), (cents, rateUnits) => {
        // amount = cents / 100, rate = rateUnits / 1e8, so amount × rate = cents × rateUnits / 1e10.
        const product = cents * rateUnits;
        const expected = (product + 10n ** 10n - 1n) / 10n ** 10n;
        expect(toTargetSats(formatScaled(cents, 2), formatScaled(rateUnits, 8))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('currentExchangeRate', () => {
  it('uses the fixed rate for Bitcoin units and the provider for fiat', async () => {
    const provider = new StaticRateProvider();
    expect(await currentExchangeRate(provider, 'SATS')).toBe('1');
    expect(await currentExchangeRate(provider, 'BTC')).toBe('100000000');
    expect(await currentExchangeRate(provider, 'usd')).toBe('1000');
    provider.setRate('USD', '95000.12');
    expect(await currentExchangeRate(provider, 'USD')).toBe('1052.63024931');
  });
});

/** `value / 10^decimals` as a plain decimal string (test-side formatting, integers only). */
function formatScaled(value: bigint, decimals: number): string {
  if (decimals === 0) return value.toString();
  const text = value.toString().padStart(decimals + 1, '0');
  return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
