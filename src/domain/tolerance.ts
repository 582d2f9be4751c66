import { Dec } from './money';

/**
 * The seed's paid rule: paid once amount_paid ≥ amount × (1 − tolerance / 100). Exact decimal
 * arithmetic, so 97,500 of 100,000 at 2.5% is paid and 97,499 is not.
 */
export function isPaidWithinTolerance(amountPaid: string, amount: string, tolerancePercent: string): boolean {
  const threshold = new Dec(amount).times(new Dec(1).minus(new Dec(tolerancePercent).div(100)));
  return new Dec(amountPaid).gte(threshold);
}

/** Base-currency value of `sats` received on a payment with a locked `exchangeRate` (sats per unit). */
export function baseValueOfSats(sats: string, exchangeRate: string): string {
  return new Dec(sats).div(exchangeRate).toDecimalPlaces(18, Dec.ROUND_DOWN).toFixed();
}
