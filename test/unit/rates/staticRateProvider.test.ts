import { RateConfigError, UnknownCurrencyError } from '../../../src/rates/errors';
import { createRateProvider } from '../../../src/rates/provider';
import { HttpRateProvider } from '../../../src/rates/httpRateProvider';
import { DEFAULT_STATIC_RATES, parseRateTable, StaticRateProvider } from '../../../src/rates/staticRateProvider';

describe('StaticRateProvider', () => {
  it('serves the default table', async () => {
    const provider = new StaticRateProvider();
    for (const [currency, price] of Object.entries(DEFAULT_STATIC_RATES)) {
      expect(await provider.btcPrice(currency)).toBe(price);
    }
    expect(await provider.btcPrice('usd')).toBe('100000.00');
  });

  it('merges overrides from a JSON env string over the defaults', async () => {
    const provider = new StaticRateProvider('{"usd":"95000.12","CHF":"88000"}');
    expect(await provider.btcPrice('USD')).toBe('95000.12');
    expect(await provider.btcPrice('CHF')).toBe('88000');
    expect(await provider.btcPrice('EUR')).toBe('92000.00');
  });

  it('changes a rate with setRate (renewals in tests)', async () => {
    const provider = new StaticRateProvider();
    provider.setRate('EUR', '90000.50');
    expect(await provider.btcPrice('EUR')).toBe('90000.50');
    expect(() => provider.setRate('EUR', '0')).toThrow(RateConfigError);
    expect(() => provider.setRate('E U R', '1')).toThrow(RateConfigError);
  });

  it('throws UnknownCurrencyError for a currency it does not list', async () => {
    const err = await new StaticRateProvider().btcPrice('XYZ').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownCurrencyError);
    expect((err as UnknownCurrencyError).currency).toBe('XYZ');
  });
});

describe('parseRateTable', () => {
  it.each([
    ['not JSON', '{usd: 1}'],
    ['an array', '["USD"]'],
    ['a float price', '{"USD": 95000.12}'],
    ['an exponent', '{"USD": "9.5e4"}'],
    ['a zero price', '{"USD": "0"}'],
    ['a bad code', '{"US-D": "1"}'],
  ])('rejects %s', (_why, json) => {
    expect(() => parseRateTable(json)).toThrow(RateConfigError);
  });

  it('accepts an object as well as JSON', () => {
    expect(parseRateTable({ eur: '1.5' })).toEqual({ EUR: '1.5' });
  });
});

describe('createRateProvider', () => {
  it('builds a static provider with an optional table', async () => {
    const provider = createRateProvider({ kind: 'static', table: '{"USD":"50000"}' });
    expect(provider).toBeInstanceOf(StaticRateProvider);
    expect(await provider.btcPrice('USD')).toBe('50000');
  });

  it('builds an http provider, which needs a URL', () => {
    expect(createRateProvider({ kind: 'http', url: 'http://127.0.0.1:9' })).toBeInstanceOf(HttpRateProvider);
    expect(() => createRateProvider({ kind: 'http' })).toThrow(RateConfigError);
    expect(() => createRateProvider({ kind: 'magic' as never })).toThrow(RateConfigError);
  });
});
