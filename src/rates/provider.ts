import type { Logger } from 'pino';
import { RateConfigError } from './errors';
import { HttpRateProvider } from './httpRateProvider';
import { StaticRateProvider } from './staticRateProvider';

/** A source of BTC prices in fiat currencies. */
export interface RateProvider {
  /** Price of 1 BTC in `currency` (ISO code, e.g. "USD") as a decimal string, e.g. "95000.12". */
  btcPrice(currency: string): Promise<string>;
}

/** Which rate provider to build (mirrors `RATE_PROVIDER`, `RATE_PROVIDER_URL`, `STATIC_RATES`). */
export interface RateProviderConfig {
  kind: 'static' | 'http';
  /** Base URL of the Coinbase-style API; required for `http`. */
  url?: string;
  /** Static price overrides, as an object or the JSON string from the environment. */
  table?: string | Record<string, unknown>;
  /** Cache lifetime of the HTTP provider. */
  cacheMs?: number;
  logger?: Logger;
}

/** Builds the configured rate provider; throws `RateConfigError` for an incomplete configuration. */
export function createRateProvider(config: RateProviderConfig): RateProvider {
  if (config.kind === 'static') return new StaticRateProvider(config.table);
  if (config.kind === 'http') {
    if (!config.url) throw new RateConfigError('the http rate provider needs a URL (RATE_PROVIDER_URL)');
    return new HttpRateProvider(config.url, { cacheMs: config.cacheMs, logger: config.logger });
  }
  throw new RateConfigError(`unknown rate provider kind "${String((config as { kind: unknown }).kind)}"`);
}
