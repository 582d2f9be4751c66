import type { SessionRecord } from './traffic';

/**
 * The split rule of the README, written again here from the text (not imported from src/domain), so the
 * run checks the product against the contract rather than against itself: per receipt,
 * platform fee = round_half_up(gross × fee%), net = gross − fee, transfer k = floor(net × p_k%), the
 * merchant keeps the rest. Percentages have at most 2 decimals, so basis points are exact.
 */
export function basisPoints(percent: string): bigint {
  const [whole, frac = ''] = percent.split('.');
  if (!/^\d+$/.test(whole) || !/^\d{0,2}$/.test(frac)) throw new Error(`not a percentage with ≤ 2 decimals: ${percent}`);
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
}

export interface ExpectedSplit {
  fee: bigint;
  transfers: bigint[];
  merchant: bigint;
}

export function expectedSplit(gross: bigint, feePercent: string, transferPercents: string[]): ExpectedSplit {
  const fee = (gross * basisPoints(feePercent) + 5_000n) / 10_000n;
  const net = gross - fee;
  const transfers = transferPercents.map((p) => (net * basisPoints(p)) / 10_000n);
  return { fee, transfers, merchant: net - transfers.reduce((a, b) => a + b, 0n) };
}

/** Expected ledger balance of every account after all of `sessions`' receipts, and the total received. */
export function expectedBalances(sessions: SessionRecord[], feePercent: string, platformAccount: string): { balances: Map<string, bigint>; received: bigint } {
  const balances = new Map<string, bigint>();
  const add = (account: string, sats: bigint) => balances.set(account, (balances.get(account) ?? 0n) + sats);
  let received = 0n;
  for (const s of sessions) {
    for (const r of s.receipts) {
      const split = expectedSplit(r.amount, feePercent, s.transfers.map((t) => t.percentage));
      received += r.amount;
      add(platformAccount, split.fee);
      add(s.merchant.id, split.merchant);
      s.transfers.forEach((t, k) => add(t.destination, split.transfers[k]));
    }
  }
  return { balances, received };
}
