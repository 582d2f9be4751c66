import Decimal from 'decimal.js';

/** Longest amount or rate string accepted (characters); bounds the digits any product can have. */
export const MAX_DECIMAL_LENGTH = 64;

/**
 * Decimal arithmetic for rates. Inputs have at most 64 digits each, so 140 significant digits hold
 * any product of two of them exactly: the only rounding is the one each rule asks for.
 */
export const RateDecimal = Decimal.clone({ precision: 140, rounding: Decimal.ROUND_HALF_UP });

// Plain decimal notation only: no sign, exponent, spaces, or bare dots. Floats' "1e-7" must not sneak in.
const PLAIN_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

/** True for a plain non-negative decimal string such as "0", "10.00" or "95000.12". */
export function isPlainDecimal(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DECIMAL_LENGTH && PLAIN_DECIMAL.test(value);
}

/** True for a plain decimal string that is strictly positive. */
export function isPositiveDecimal(value: unknown): value is string {
  return isPlainDecimal(value) && new RateDecimal(value).greaterThan(0);
}

/** Normalises a currency code ("usd" → "USD"); returns null unless it is 3–5 letters. */
export function normalizeCurrency(currency: unknown): string | null {
  if (typeof currency !== 'string') return null;
  const code = currency.trim().toUpperCase();
  return /^[A-Z]{3,5}$/.test(code) ? code : null;
}
