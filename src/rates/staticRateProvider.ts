import { RateConfigError, UnknownCurrencyError } from './errors';
import { isPositiveDecimal, normalizeCurrency } from './decimalString';
import type { RateProvider } from './provider';

/**
 * The built-in test-mode prices of 1 BTC: one for every fiat currency a session may be priced in
 * (`CURRENCY_DECIMALS`), so test mode never refuses an advertised currency (a unit test holds the two
 * lists together).
 */
export const DEFAULT_STATIC_RATES: Readonly<Record<string, string>> = Object.freeze({
  USD: '100000.00',
  EUR: '92000.00',
  GBP: '79000.00',
  CAD: '137000.00',
  AUD: '153000.00',
  CHF: '88000.00',
  JPY: '15000000',
});

/**
 * Parses a rate table given as JSON (`STATIC_RATES='{"USD":"95000"}'`) or as an object; prices must be
 * decimal *strings* so no float ever carries a rate. Throws `RateConfigError`.
 */
export function parseRateTable(table: string | Record<string, unknown>): Record<string, string> {
  let raw: unknown = table;
  if (typeof table === 'string') {
    try {
      raw = JSON.parse(table) as unknown;
    } catch {
      throw new RateConfigError('static rate table is not valid JSON');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RateConfigError('static rate table must be a JSON object of currency → price string');
  }
  const parsed: Record<string, string> = {};
  for (const [currency, price] of Object.entries(raw)) {
    const code = normalizeCurrency(currency);
    if (code === null) throw new RateConfigError(`static rate table: bad currency code "${currency}"`);
    if (!isPositiveDecimal(price)) {
      throw new RateConfigError(`static rate table: price of ${code} must be a positive decimal string like "95000.12"`);
    }
    parsed[code] = price;
  }
  return parsed;
}

/** Fixed prices (test mode): the defaults, overridden per currency by `overrides`. */
export class StaticRateProvider implements RateProvider {
  private readonly table = new Map<string, string>();

  constructor(overrides?: string | Record<string, unknown>) {
    const merged = { ...DEFAULT_STATIC_RATES, ...(overrides === undefined ? {} : parseRateTable(overrides)) };
    for (const [code, price] of Object.entries(merged)) this.table.set(code, price);
  }

  /** Price of 1 BTC in `currency`; throws `UnknownCurrencyError` for a currency not in the table. */
  async btcPrice(currency: string): Promise<string> {
    const code = normalizeCurrency(currency);
    const price = code === null ? undefined : this.table.get(code);
    if (price === undefined) throw new UnknownCurrencyError(String(currency));
    return price;
  }

  /** Changes one price (tests use it to move the rate between payment renewals). */
  setRate(currency: string, price: string): void {
    const code = normalizeCurrency(currency);
    if (code === null) throw new RateConfigError(`bad currency code "${currency}"`);
    if (!isPositiveDecimal(price)) throw new RateConfigError(`price of ${code} must be a positive decimal string`);
    this.table.set(code, price);
  }
}
