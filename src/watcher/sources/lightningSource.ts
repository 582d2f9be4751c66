import type { LndRestNode } from '../../bitcoin';
import { ingestReceipt, type WatcherContext } from '../ingest';

/**
 * Lightning source: follows LND's invoice stream and reports each settled invoice as a receipt keyed
 * by its payment hash. On (re)connect it replays every settled invoice (settle_index from 1), so a
 * watcher that was down misses nothing; the receipt key makes the replay count once.
 */
export function followLightning(ctx: WatcherContext, node: LndRestNode, signal: AbortSignal): Promise<void> {
  return node.subscribeInvoices(async (invoice) => {
    await ingestReceipt(ctx, {
      paymentHash: invoice.paymentHash, reference: invoice.paymentHash, method: 'lightning', amountSats: invoice.amountSats,
    });
  }, signal, { settleIndex: 1n });
}
