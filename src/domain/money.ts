import Decimal from 'decimal.js';

/**
 * The one place that owns money arithmetic and rounding. SATS are `bigint` in code and decimal strings
 * in payloads and JSON storage; base-currency amounts are decimal strings. Floats never touch money.
 */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export const SATS_PER_BTC = 100_000_000n;

/** Minor units per supported base currency; `SATS` and `BTC` are the two Bitcoin units. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = {
  SATS: 0, BTC: 8, USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, CHF: 2, JPY: 0,
};

/** True for the currencies a session may be priced in. */
export function isSupportedCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(CURRENCY_DECIMALS, code);
}

/** True when `value` (a decimal string) has no more decimals than `currency` allows. */
export function hasValidPrecision(value: string, currency: string): boolean {
  return new Dec(value).decimalPlaces() <= (CURRENCY_DECIMALS[currency] ?? 0);
}

/**
 * A JSON number (already parsed) as an exact decimal string, or null when not finite. The shortest
 * round-trip form holds the digits the client sent; an exponent form (`5e-7`, 50 sats in BTC) is
 * expanded exactly, never dropped.
 */
export function decimalFromJsonNumber(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const text = String(n);
  return /e/i.test(text) ? new Dec(text).toFixed() : text;
}

/**
 * A decimal written as text → the JSON number that is exactly that decimal, or null when a double would
 * round it (`123456789012345.00000001`, an integer past 2^53): the check before a typed number is handed
 * on as a JSON number.
 */
export function exactJsonNumber(text: string): number | null {
  const n = Number(text);
  return Number.isFinite(n) && new Dec(text).eq(new Dec(String(n))) ? n : null;
}

/**
 * Decimal string → JSON number for responses (presentation only; no arithmetic happens on it). A value
 * a double cannot hold exactly (an integer beyond 2^53 − 1, or more significant digits than 15–17) is sent as
 * its decimal string instead: a client never reads a rounded balance or amount.
 */
export function jsonNumber(value: string | null): number | string | null {
  if (value === null) return null;
  const n = Number(value);
  if (Number.isSafeInteger(n) || (Number.isFinite(n) && !Number.isInteger(n) && new Dec(String(n)).eq(value))) return n;
  return new Dec(value).toFixed();
}

/** `round_half_up(value × basisPoints / 10 000)` in whole sats: the fee rule of SPEC §6. */
export function percentOfHalfUp(value: bigint, basisPoints: bigint): bigint {
  return (value * basisPoints + 5_000n) / 10_000n;
}

/** `floor(value × basisPoints / 10 000)` in whole sats: the transfer rule of SPEC §6. */
export function percentOfFloor(value: bigint, basisPoints: bigint): bigint {
  return (value * basisPoints) / 10_000n;
}

/** A percentage with at most two decimals ("2.5", "10") as integer basis points (250n, 1000n). */
export function percentToBasisPoints(percent: string): bigint {
  const d = new Dec(percent);
  if (d.isNegative() || d.decimalPlaces() > 2) throw new RangeError(`bad percentage ${percent}`);
  return BigInt(d.times(100).toFixed(0));
}

/** Formats a decimal for display in `currency`, cutting (never rounding up) past its minor units. */
export function floorToCurrency(value: Dec | string, currency: string): string {
  return new Dec(value).toDecimalPlaces(CURRENCY_DECIMALS[currency] ?? 8, Decimal.ROUND_DOWN).toFixed();
}

/** Whole sats from a decimal string that must already be integral. */
export function sats(value: string): bigint {
  if (!/^-?\d+$/.test(value)) throw new RangeError(`not a whole number of sats: ${value}`);
  return BigInt(value);
}

/** A NUMERIC column's text ("100.00000000") in its plain shortest form ("100"). */
export function normalizeDecimal(value: string): string {
  return new Dec(value).toFixed();
}
