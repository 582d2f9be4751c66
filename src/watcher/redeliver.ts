import { findPayment } from '../db/payments';
import { uncreditedReceipts } from '../db/receipts';
import { deliverReceipt } from './deliver';
import type { WatcherContext } from './ingest';

/**
 * Hands stored-but-uncredited receipts to their workflows again: the crash-recovery half of the
 * watcher (a crash after storing a receipt and before signalling loses nothing). Workflows dedupe.
 */
export async function redeliverPending(ctx: WatcherContext, graceMs: number): Promise<number> {
  const pending = await uncreditedReceipts(ctx.db, Date.now() - graceMs);
  let delivered = 0;
  for (const receipt of pending) {
    const payment = await findPayment(ctx.db, receipt.payment_id);
    if (!payment) continue;
    try {
      await deliverReceipt(ctx.temporal, ctx, receipt, payment);
      delivered++;
    } catch (err) {
      ctx.log.warn({ err, receipt: receipt.id }, 'redelivery failed; will retry');
    }
  }
  return delivered;
}
