import { CURRENCY_DECIMALS, Dec } from './money';

/** Sats of payments credited on one UTC day that share a priced currency and locked rate (sats per unit). */
export interface RevenueGroup {
  day: string;
  sats: string;
  /** The payment's priced currency and its rate when the payment was made; null when the entry has no payment. */
  currency: string | null;
  rate: string | null;
}

/** One day of revenue: sats, and the value in the display currency (floored to its decimals). */
export interface RevenueDay { day: string; sats: string; value: string }

/** Revenue in the display currency: the per-day values, the exact total floored once, and the sats not converted. */
export interface Revenue { days: RevenueDay[]; total: string; unconvertedSats: string }

const BITCOIN_UNITS: Readonly<Record<string, string>> = { SATS: '1', BTC: '100000000' };

/**
 * An exact non-negative fraction. `sats / rate` rarely terminates (1000 / 3000), and a rounded quotient
 * summed with another can land just under a whole cent (0.333… + 0.666… = 0.999…): the sum is kept exact
 * and floored once.
 */
class Fraction {
  constructor(readonly num: bigint, readonly den: bigint) {}
  static ZERO = new Fraction(0n, 1n);
  /** `sats / rate`, the rate a decimal string with at most 8 places (NUMERIC(30, 8)). */
  static of(sats: string, rate: string): Fraction {
    const scaled = new Dec(rate).times(1e8);
    if (!scaled.isInteger() || scaled.lte(0)) throw new RangeError(`not a rate with at most 8 decimals: ${rate}`);
    return new Fraction(BigInt(sats) * 100_000_000n, BigInt(scaled.toFixed(0)));
  }
  plus(o: Fraction): Fraction {
    const g = gcd(this.den, o.den);
    const den = (this.den / g) * o.den;
    const num = this.num * (den / this.den) + o.num * (den / o.den);
    const r = gcd(num < 0n ? -num : num, den) || 1n;
    return new Fraction(num / r, den / r);
  }
  /** Floored to `places` decimals, as a plain decimal string. */
  floorTo(places: number): string {
    const unit = 10n ** BigInt(places);
    const q = (this.num * unit) / this.den;
    return new Dec(q.toString()).div(unit.toString()).toFixed();
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Converts revenue to `display` at each payment's own recorded rate, never today's: a payment priced in
 * the display currency is worth `sats / its exchange_rate` (the rate locked when the payment was made,
 * the one its receipt and the CSV export use). SATS and BTC are fixed units, so every payment converts to
 * them. Sats of payments priced in another currency have no recorded rate for `display` and are counted
 * in `unconvertedSats` instead of being valued at a rate the payment never had. Values are summed
 * exactly and floored to the currency's decimals only when shown.
 */
export function revenueIn(display: string, groups: RevenueGroup[], days: string[]): Revenue {
  const perDay = new Map<string, { sats: bigint; value: Fraction }>(days.map((d) => [d, { sats: 0n, value: Fraction.ZERO }]));
  let total = Fraction.ZERO;
  let unconverted = 0n;
  for (const g of groups) {
    const day = perDay.get(g.day);
    if (!day) continue;
    day.sats += BigInt(g.sats);
    const rate = BITCOIN_UNITS[display] ?? (g.currency === display ? g.rate : null);
    if (rate === null) {
      unconverted += BigInt(g.sats);
      continue;
    }
    const value = Fraction.of(g.sats, rate);
    day.value = day.value.plus(value);
    total = total.plus(value);
  }
  const places = CURRENCY_DECIMALS[display] ?? 8;
  return {
    days: days.map((d) => ({ day: d, sats: perDay.get(d)!.sats.toString(), value: perDay.get(d)!.value.floorTo(places) })),
    total: total.floorTo(places),
    unconvertedSats: unconverted.toString(),
  };
}
