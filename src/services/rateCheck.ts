import { CheckoutError } from '../domain/errors';
import type { Scope } from '../db/sessions';
import { isBitcoinUnit, RateProviderError, UnknownCurrencyError } from '../rates';
import type { ServiceContext } from './context';

/**
 * Makes sure a fiat session can be priced before it exists, so no workflow ever waits on a price that
 * cannot come: live fiat without a real provider and a currency the provider does not list are a 400
 * on `currency`; a provider that does not answer is a 503 (retry with the same Idempotency-Key).
 * The price read here warms the provider's cache for the first payment; it is returned (the price of
 * 1 BTC), null for SATS/BTC.
 */
export async function checkCurrencyPriced(ctx: ServiceContext, scope: Scope, currency: string): Promise<string | null> {
  if (isBitcoinUnit(currency) || !ctx.rates) return null;
  if (scope.livemode && !ctx.rates.liveConfigured) {
    throw new CheckoutError('invalid_data', 
      `Live ${currency} prices need a real exchange-rate provider, and this deployment has none (RATE_PROVIDER=http). Use SATS or BTC.`, 'currency');
  }
  try {
    return await (scope.livemode ? ctx.rates.live : ctx.rates.test).btcPrice(currency);
  } catch (err) {
    if (err instanceof UnknownCurrencyError) {
      throw new CheckoutError('invalid_data', `The exchange-rate provider has no BTC price in ${currency}.`, 'currency');
    }
    if (err instanceof RateProviderError) {
      ctx.log.warn({ err, currency }, 'rate provider unavailable at session create');
      throw new CheckoutError('unavailable', `The exchange-rate provider is not answering, so ${currency} cannot be priced now; retry shortly with the same Idempotency-Key.`);
    }
    throw err;
  }
}
