import { findPayment } from '../db/payments';
import { claimRedelivery, receiptsDueForRedelivery } from '../db/receipts';
import { deliverReceipt } from './deliver';
import type { WatcherContext } from './ingest';

/** First wait before a receipt is handed on again, doubling per hand-off up to the cap. */
export const REDELIVERY_BASE_MS = 5_000;
export const REDELIVERY_CAP_MS = 3_600_000;

/** When a receipt handed on `redeliveries` times before may be handed on again. */
export function nextRedeliveryAt(now: number, redeliveries: number): number {
  return now + Math.min(REDELIVERY_BASE_MS * 2 ** Math.min(redeliveries, 20), REDELIVERY_CAP_MS);
}

/**
 * Hands stored-but-uncredited receipts to their workflows again: the crash-recovery half of the
 * watcher (a crash after storing a receipt and before signalling loses nothing). Each receipt backs off
 * on its own (5 s, 10 s, … capped at an hour), so a session whose workflow is busy retrying cannot have
 * its history filled by the same signal every pass. Each hand-off is claimed first, so concurrent
 * watchers never hand on the same receipt twice; workflows dedupe what they already credited anyway.
 * Returns the ids handed on. `now` is the pass's clock (tests fix it).
 */
export async function redeliverPending(ctx: WatcherContext, graceMs: number, now = Date.now()): Promise<string[]> {
  const pending = await receiptsDueForRedelivery(ctx.db, now - graceMs, now);
  const delivered: string[] = [];
  for (const receipt of pending) {
    const payment = await findPayment(ctx.db, receipt.payment_id);
    if (!payment) continue;
    try {
      if (!(await claimRedelivery(ctx.db, receipt.id, now, nextRedeliveryAt(now, receipt.redeliveries ?? 0)))) continue;
      await deliverReceipt(ctx.temporal, ctx, receipt, payment);
      delivered.push(receipt.id);
    } catch (err) {
      ctx.log.warn({ err, receipt: receipt.id }, 'redelivery failed; will retry');
    }
  }
  return delivered;
}
