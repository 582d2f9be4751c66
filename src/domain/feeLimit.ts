import { Dec } from './money';

/** The routing-fee policy of sends out of a balance (PAYOUT_LIGHTNING_FEE_LIMIT_PERCENT, _MIN_SATS). */
export interface FeeLimitPolicy {
  lightningFeeLimitPercent: string;
  lightningFeeLimitMinSats: number;
}

/**
 * The routing-fee ceiling of a Lightning send out of a balance: max(percent of the amount rounded up,
 * the minimum). Reserved with the amount, so the account can always pay the fee the send is allowed to
 * cost; what the send did not use is released when it settles.
 */
export function lightningFeeLimit(amountSats: bigint, policy: FeeLimitPolicy): bigint {
  const percent = BigInt(new Dec(amountSats.toString()).times(policy.lightningFeeLimitPercent).div(100).ceil().toFixed(0));
  const min = BigInt(policy.lightningFeeLimitMinSats);
  return percent > min ? percent : min;
}
