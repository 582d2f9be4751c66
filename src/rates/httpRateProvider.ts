import type { Logger } from 'pino';
import { RateProviderError, UnknownCurrencyError } from './errors';
import { isPositiveDecimal, normalizeCurrency } from './decimalString';
import type { RateProvider } from './provider';

/** Options of {@link HttpRateProvider}. */
export interface HttpRateProviderOptions {
  /** How long one fetched table is reused (default 60 s). 0 disables the cache. */
  cacheMs?: number;
  /** Timeout of one request (default 10 s). */
  timeoutMs?: number;
  /** Clock, injectable so tests can age the cache without waiting. */
  now?: () => number;
  logger?: Logger;
}

interface CachedTable {
  /** Price per currency; null when the source listed the currency with an unusable (non-string) value. */
  rates: Map<string, string | null>;
  fetchedAt: number;
}

/**
 * Prices from a Coinbase-style API: `GET {baseUrl}/v2/exchange-rates?currency=BTC` →
 * `{"data":{"currency":"BTC","rates":{"USD":"95000.12",…}}}`. Rates stay strings end to end.
 */
export class HttpRateProvider implements RateProvider {
  private readonly baseUrl: string;
  private cached: CachedTable | null = null;
  private inFlight: Promise<CachedTable> | null = null;

  constructor(baseUrl: string, private readonly options: HttpRateProviderOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Price of 1 BTC in `currency`; `UnknownCurrencyError` if the source has none, `RateProviderError` on failures. */
  async btcPrice(currency: string): Promise<string> {
    const code = normalizeCurrency(currency);
    if (code === null) throw new UnknownCurrencyError(String(currency));
    const table = await this.table();
    const price = table.rates.get(code);
    if (price === undefined) throw new UnknownCurrencyError(code);
    if (price === null || !isPositiveDecimal(price)) {
      throw new RateProviderError(`rate source sent an unusable price for ${code}: ${String(price)}`);
    }
    return price;
  }

  private async table(): Promise<CachedTable> {
    const now = this.now();
    const cacheMs = this.options.cacheMs ?? 60_000;
    if (this.cached && now - this.cached.fetchedAt < cacheMs) return this.cached;
    // Concurrent callers share one request instead of stampeding the rate API.
    this.inFlight ??= this.fetchTable().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetchTable(): Promise<CachedTable> {
    const path = '/v2/exchange-rates?currency=BTC';
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (err) {
      throw new RateProviderError(`GET ${path} failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new RateProviderError(`GET ${path} answered ${res.status}`, res.status);
    const rates = parseRatesBody(text);
    this.cached = { rates, fetchedAt: this.now() };
    this.options.logger?.debug({ currencies: rates.size }, 'exchange rates fetched');
    return this.cached;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** Validates the Coinbase-shaped body; only string rates are kept (a JSON number would be a float). */
function parseRatesBody(text: string): Map<string, string | null> {
  let body: { data?: { currency?: unknown; rates?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new RateProviderError('rate source did not return JSON');
  }
  const data = body?.data;
  if (typeof data !== 'object' || data === null || data.currency !== 'BTC') {
    throw new RateProviderError('rate source response has no data for currency BTC');
  }
  if (typeof data.rates !== 'object' || data.rates === null || Array.isArray(data.rates)) {
    throw new RateProviderError('rate source response has no rates object');
  }
  const rates = new Map<string, string | null>();
  for (const [currency, price] of Object.entries(data.rates as Record<string, unknown>)) {
    const code = normalizeCurrency(currency);
    // Mark (not fail on) unusable entries: the table lists hundreds of assets we never price in, and
    // only a request for that very currency should fail. A JSON number has already become a float.
    if (code !== null) rates.set(code, typeof price === 'string' ? price : null);
  }
  if (rates.size === 0) throw new RateProviderError('rate source response has no rates');
  return rates;
}
