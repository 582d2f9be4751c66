import Decimal from 'decimal.js';
import { CURRENCY_DECIMALS, Dec } from './money';

/**
 * What a refund may take, pure. Amounts in whole sats are what leaves; the base-currency amount is what
 * the merchant and the customer read. A refund never takes more sats than the session (or the payment)
 * received minus what its other refunds already take.
 */
export interface RefundBasis {
  /** The session's status and exception (an `excess` refund needs `overpaid` or `paid_late`). */
  status: string;
  exceptionStatus: string | null;
  currency: string;
  /** The session's price in its currency (null: open amount, never paid). */
  price: string | null;
  /** Sats received by what is refunded (the session, or the one payment). */
  receivedSats: bigint;
  /** Sats its pending and succeeded refunds already take. */
  refundedSats: bigint;
  /** Sats per unit of the currency, of the payment that is refunded (or the session's last funded one). */
  originalRate: string;
}

export interface RefundRequest {
  type: 'full' | 'partial' | 'excess';
  /** In the session's currency; partial only. */
  amount?: string;
  rate: 'original' | 'current';
  /** Sats per unit now (needed when `rate` is `current` and the currency is fiat). */
  currentRate?: string;
}

export type RefundPlan =
  | { ok: true; sats: bigint; amount: string; exchangeRate: string }
  | { ok: false; param: string; message: string };

const refusal = (param: string, message: string): RefundPlan => ({ ok: false, param, message });

/** `sats` in `currency` at `rate` sats per unit, cut (never rounded up) to the currency's minor units. */
export function satsToAmount(sats: bigint, rate: string, currency: string): string {
  return new Dec(sats.toString()).div(rate).toDecimalPlaces(CURRENCY_DECIMALS[currency] ?? 8, Decimal.ROUND_DOWN).toFixed();
}

/** Whole sats of `amount` at `rate`, rounded down: a refund never gives more than the amount is worth. */
export function amountToSats(amount: string, rate: string): bigint {
  return BigInt(new Dec(amount).times(rate).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(0));
}

/**
 * The excess of a session in sats: for a paid session what it received above its price (at the rate of
 * the payment that completed it, rounded up as the price was); for a session that never sold (deactivated
 * or expired, then paid late) everything it received.
 */
export function excessSats(b: RefundBasis): bigint {
  if (b.status !== 'paid' || b.price === null) return b.receivedSats;
  const priceSats = BigInt(new Dec(b.price).times(b.originalRate).toDecimalPlaces(0, Decimal.ROUND_CEIL).toFixed(0));
  return b.receivedSats > priceSats ? b.receivedSats - priceSats : 0n;
}

/** The sats and amount a refund request takes, or why it cannot (naming the field). */
export function planRefund(b: RefundBasis, req: RefundRequest): RefundPlan {
  const refundable = b.receivedSats - b.refundedSats;
  const fiat = b.currency !== 'SATS' && b.currency !== 'BTC';
  const rate = req.rate === 'current' && fiat ? req.currentRate : b.originalRate;
  if (!rate) return refusal('rate', 'The current rate is not available');
  if (b.receivedSats <= 0n) return refusal('checkout_session', 'Nothing was received for this checkout session, so there is nothing to refund');
  if (refundable <= 0n) return refusal('checkout_session', 'Everything received has already been refunded');

  if (req.type === 'excess') {
    if (b.exceptionStatus !== 'overpaid' && b.exceptionStatus !== 'paid_late') {
      return refusal('type', 'Only an overpaid or paid_late checkout session has an excess to refund');
    }
    const left = excessSats(b) - b.refundedSats;
    if (left <= 0n) return refusal('type', 'The excess of this checkout session has already been refunded');
    return { ok: true, sats: left, amount: satsToAmount(left, b.originalRate, b.currency), exchangeRate: b.originalRate };
  }

  if (req.type === 'full') {
    if (rate === b.originalRate) return { ok: true, sats: refundable, amount: satsToAmount(refundable, rate, b.currency), exchangeRate: rate };
    // Today's rate: the customer gets back what they paid, in the currency, at today's sats.
    const amount = satsToAmount(refundable, b.originalRate, b.currency);
    const sats = amountToSats(amount, rate);
    if (sats > refundable) {
      return refusal('rate', `At today's rate the full refund is ${sats} sats, more than the ${refundable} sats received and not yet refunded`);
    }
    if (sats <= 0n) return refusal('amount', 'The refund is worth less than one sat');
    return { ok: true, sats, amount, exchangeRate: rate };
  }

  if (req.amount === undefined) return refusal('amount', 'A partial refund needs an amount');
  const sats = amountToSats(req.amount, rate);
  if (sats <= 0n) return refusal('amount', 'The refund is worth less than one sat');
  if (sats > refundable) {
    return refusal('amount', `The refund is ${sats} sats, more than the ${refundable} sats received and not yet refunded`);
  }
  return { ok: true, sats, amount: new Dec(req.amount).toFixed(), exchangeRate: rate };
}

/**
 * Each split recipient's share of a refund (Stripe's `reverse_transfers`): its transfers out of what is
 * refunded, in the proportion the refund bears to what was received, rounded down, so the reversals
 * never exceed what the recipients got for these sats.
 */
export function reversalShares(transfers: { account: string; amount: bigint }[], receivedSats: bigint, refundSats: bigint): { account: string; amount: bigint }[] {
  if (receivedSats <= 0n) return [];
  const byAccount = new Map<string, bigint>();
  for (const t of transfers) byAccount.set(t.account, (byAccount.get(t.account) ?? 0n) + t.amount);
  return [...byAccount.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, amount]) => ({ account, amount: (amount * refundSats) / receivedSats }))
    .filter((s) => s.amount > 0n);
}
