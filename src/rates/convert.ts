import Decimal from 'decimal.js';
import { InvalidConversionInputError } from './errors';
import { isPlainDecimal, isPositiveDecimal, normalizeCurrency, RateDecimal } from './decimalString';
import type { RateProvider } from './provider';

const SATS_PER_BTC = '100000000';
// Division is truncated at 140 digits and only then rounded half-up to 8 places: truncation never crosses
// a half-way point, so this equals rounding the exact quotient (no double-rounding error).
const Truncating = RateDecimal.clone({ rounding: Decimal.ROUND_DOWN });

/** Decimal places of an exchange rate (sats per unit). */
export const RATE_DECIMAL_PLACES = 8;

/** True for the two Bitcoin units, whose rate is fixed and needs no price. */
export function isBitcoinUnit(currency: string): boolean {
  const code = normalizeCurrency(currency);
  return code === 'SATS' || code === 'BTC';
}

/**
 * SATS per 1 unit of `currency`, a decimal string rounded half-up to 8 places: SATS → "1",
 * BTC → "100000000", fiat → 1e8 / `btcPrice` (the price of 1 BTC in that currency).
 */
export function exchangeRateSatsPerUnit(currency: string, btcPrice?: string): string {
  const code = normalizeCurrency(currency);
  if (code === null) throw new InvalidConversionInputError(`not a currency code: ${String(currency)}`);
  if (code === 'SATS') return '1';
  if (code === 'BTC') return SATS_PER_BTC;
  if (!isPositiveDecimal(btcPrice)) {
    throw new InvalidConversionInputError(`BTC price for ${code} must be a positive decimal string, got ${String(btcPrice)}`);
  }
  const rate = new Truncating(SATS_PER_BTC).dividedBy(btcPrice).toDecimalPlaces(RATE_DECIMAL_PLACES, Decimal.ROUND_HALF_UP);
  if (rate.isZero()) throw new InvalidConversionInputError(`BTC price ${btcPrice} ${code} gives a rate of 0 sats`);
  return rate.toFixed();
}

/**
 * Whole SATS due for `amount` at `exchangeRate` (sats per unit): ceil(amount × rate). Fiat rounds UP so
 * the merchant never receives less than the price; the product is exact (inputs are length-capped).
 */
export function toTargetSats(amount: string, exchangeRate: string): bigint {
  if (!isPlainDecimal(amount)) {
    throw new InvalidConversionInputError(`amount must be a non-negative decimal string, got ${String(amount)}`);
  }
  if (!isPositiveDecimal(exchangeRate)) {
    throw new InvalidConversionInputError(`exchange rate must be a positive decimal string, got ${String(exchangeRate)}`);
  }
  const sats = new RateDecimal(amount).times(exchangeRate).toDecimalPlaces(0, Decimal.ROUND_CEIL);
  return BigInt(sats.toFixed(0));
}

/** The exchange rate of `currency` now: fixed for SATS/BTC, from `provider` for fiat. */
export async function currentExchangeRate(provider: RateProvider, currency: string): Promise<string> {
  if (isBitcoinUnit(currency)) return exchangeRateSatsPerUnit(currency);
  const code = normalizeCurrency(currency);
  if (code === null) throw new InvalidConversionInputError(`not a currency code: ${String(currency)}`);
  return exchangeRateSatsPerUnit(code, await provider.btcPrice(code));
}
