import { percentOfFloor, percentOfHalfUp, percentToBasisPoints } from './money';

/** How one receipt's gross amount is divided (SPEC §6). All values in whole sats. */
export interface ReceiptSplit {
  gross: bigint;
  platformFee: bigint;
  affiliateFee: bigint;
  net: bigint;
  transfers: bigint[];
  merchant: bigint;
}

export class SplitInvariantError extends Error {}

/**
 * Splits a receipt: platform fee and affiliate fee (round half up), then each transfer in array order
 * as floor(net × p%), the merchant keeping the remainder. The affiliate fee is capped at what the
 * platform fee leaves, so a tiny receipt can never go negative. Throws if the invariant
 * merchant + transfers + fees = gross fails or any part is negative.
 */
export function splitReceipt(input: {
  gross: bigint;
  platformFeePercent: string;
  affiliatePercent?: string | null;
  transferPercents: string[];
}): ReceiptSplit {
  const { gross } = input;
  if (gross < 0n) throw new SplitInvariantError('negative receipt');
  const platformFee = min(percentOfHalfUp(gross, percentToBasisPoints(input.platformFeePercent)), gross);
  const affiliateFee = input.affiliatePercent
    ? min(percentOfHalfUp(gross, percentToBasisPoints(input.affiliatePercent)), gross - platformFee)
    : 0n;
  const net = gross - platformFee - affiliateFee;
  const transfers = input.transferPercents.map((p) => percentOfFloor(net, percentToBasisPoints(p)));
  const merchant = net - transfers.reduce((a, b) => a + b, 0n);
  const parts = [platformFee, affiliateFee, merchant, ...transfers];
  if (parts.some((p) => p < 0n) || parts.reduce((a, b) => a + b, 0n) !== gross) {
    throw new SplitInvariantError(`split of ${gross} does not add up: ${parts.join(', ')}`);
  }
  return { gross, platformFee, affiliateFee, net, transfers, merchant };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
