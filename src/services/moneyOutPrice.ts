import { CheckoutError } from '../domain/errors';
import type { Scope } from '../db/sessions';
import { currentExchangeRate, InvalidConversionInputError, toTargetSats } from '../rates';
import type { ServiceContext } from './context';
import { checkCurrencyPriced } from './rateCheck';

/** An amount in a base currency converted to sats at a rate locked now. */
export interface LockedPrice {
  /** Sats per unit of the currency, decimal string. */
  exchangeRate: string;
  sats: bigint;
}

/**
 * Converts `amount` of `currency` to whole sats at the current rate of the scope's mode (SATS and BTC
 * need no price). The same refusals as a session's create: a currency that cannot be priced is a 400 on
 * `currency`, a silent provider a 503. Rounds up like a session's price, so the receiver never gets less.
 */
export async function priceNow(ctx: ServiceContext, scope: Scope, currency: string, amount: string, param = 'amount'): Promise<LockedPrice> {
  await checkCurrencyPriced(ctx, scope, currency);
  const provider = scope.livemode ? ctx.rates?.live : ctx.rates?.test;
  if (!provider && currency !== 'SATS' && currency !== 'BTC') throw new CheckoutError('invalid_data', `${currency} cannot be priced here.`, 'currency');
  try {
    const exchangeRate = await currentExchangeRate(provider!, currency);
    const sats = toTargetSats(amount, exchangeRate);
    if (sats <= 0n) throw new CheckoutError('invalid_data', `${amount} ${currency} is less than one sat.`, param);
    return { exchangeRate, sats };
  } catch (err) {
    if (err instanceof InvalidConversionInputError) throw new CheckoutError('invalid_data', `Invalid ${param}: ${err.message}`, param);
    throw err;
  }
}

/**
 * Live money out needs LND's sending side (LND_PAYOUT_MACAROON_PATH): without it a link or refund could
 * be claimed but never paid, so it is refused at create. Test mode sends are simulated.
 */
export function assertCanSend(ctx: ServiceContext, scope: Scope): void {
  if (scope.livemode && !ctx.config.lnd?.payoutMacaroonHex) {
    throw new CheckoutError('invalid_data', 'Live payments out need LND\'s sending side, and this deployment has none (LND_PAYOUT_MACAROON_PATH).');
  }
}
