/**
 * The routing-fee ceiling of a Lightning send out of a balance: 1 % of the amount, at least 10 sats
 * (small amounts still route), at most 5,000. Reserved with the amount, so the account can always pay
 * the fee the send is allowed to cost; what the send did not use is released when it settles.
 */
export function lightningFeeLimit(amountSats: bigint): bigint {
  const percent = (amountSats + 99n) / 100n;
  if (percent < 10n) return 10n;
  return percent > 5_000n ? 5_000n : percent;
}
