import type { LndRestNode } from '../../bitcoin';
import { advanceCursor, readCursor } from '../../db/watcherCursors';
import { ingestReceipt, type WatcherContext } from '../ingest';

const CURSOR = 'lnd_settle_index';

/**
 * Lightning source: follows LND's invoice stream and reports each settled invoice as a receipt keyed
 * by its payment hash. The last settle_index handled is stored after its receipt is, and the stream
 * resumes from there (LND replays what settled since), so a watcher that was down misses nothing;
 * the receipt key makes any replay count once.
 */
export async function followLightning(ctx: WatcherContext, node: LndRestNode, signal: AbortSignal): Promise<void> {
  const stored = await readCursor(ctx.db, CURSOR);
  await node.subscribeInvoices(async (invoice) => {
    await ingestReceipt(ctx, {
      paymentHash: invoice.paymentHash, reference: invoice.paymentHash, method: 'lightning', amountSats: invoice.amountSats,
    });
    if (invoice.settleIndex) await advanceCursor(ctx.db, CURSOR, invoice.settleIndex);
  }, signal, { settleIndex: stored ? BigInt(stored) : 0n });
}
