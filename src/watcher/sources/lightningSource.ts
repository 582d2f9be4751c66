import type { LndRestNode, SettledInvoice } from '../../bitcoin';
import { sleep } from '../../bitcoin/httpStream';
import { watchedInvoiceHashPage } from '../../db/watchedAddresses';
import { advanceCursor, readCursor } from '../../db/watcherCursors';
import { ingestReceipt, type WatcherContext } from '../ingest';

/** The stored settle_index belongs to one node: another node's indexes mean nothing for it. */
const cursorName = (node: LndRestNode) => `lnd_settle_index:${node.endpoint}`;

/**
 * Lightning source: follows LND's invoice stream and reports each settled invoice as a receipt keyed
 * by its payment hash. The last settle_index handled is stored after its receipt is, and the stream
 * resumes from there (LND replays what settled since), so a watcher that was down misses nothing;
 * the receipt key makes any replay count once. The cursor is stored per node (its REST URL). Until a first settlement has given a cursor, LND
 * cannot replay (the stream reports "from now on" only), so meanwhile the node is also asked about
 * every watched live invoice, at start and every `catchUpEveryMs`: a payment made while the product
 * was down before its first-ever settlement counts too.
 */
export async function followLightning(
  ctx: WatcherContext, node: LndRestNode, signal: AbortSignal, opts: { catchUpEveryMs?: number } = {},
): Promise<void> {
  const CURSOR = cursorName(node);
  const stored = await readCursor(ctx.db, CURSOR);
  const handle = async (invoice: SettledInvoice) => {
    await ingestReceipt(ctx, {
      paymentHash: invoice.paymentHash, reference: invoice.paymentHash, method: 'lightning', amountSats: invoice.amountSats,
    });
    if (invoice.settleIndex) await advanceCursor(ctx.db, CURSOR, invoice.settleIndex);
  };
  const catchUp = async () => {
    while (!signal.aborted && !(await readCursor(ctx.db, CURSOR))) {
      await catchUpWatchedInvoices(ctx, node, handle);
      await sleep(opts.catchUpEveryMs ?? 10_000, signal);
    }
  };
  // A cursor stored by the catch-up is where a reconnecting stream resumes.
  const resumeFrom = async () => BigInt((await readCursor(ctx.db, CURSOR)) ?? '0');
  await Promise.all([
    node.subscribeInvoices(handle, signal, { settleIndex: stored ? BigInt(stored) : 0n, resumeFrom }),
    catchUp().catch((err: unknown) => ctx.log.warn({ err }, 'lightning catch-up stopped')),
  ]);
}

/** Invoice hashes read per page by the catch-up: it walks the whole watched set, never all of it at once. */
const CATCH_UP_PAGE = 1_000;

/** Looks up every watched live invoice on the node and handles the settled ones; one failure skips only that invoice. */
export async function catchUpWatchedInvoices(
  ctx: WatcherContext, node: LndRestNode, handle: (invoice: SettledInvoice) => Promise<void>,
): Promise<number> {
  let settled = 0;
  const since = Date.now() - ctx.monitoringMs;
  for (let page = await watchedInvoiceHashPage(ctx.db, since, '', CATCH_UP_PAGE); page.length > 0;
    page = page.length < CATCH_UP_PAGE ? [] : await watchedInvoiceHashPage(ctx.db, since, page[page.length - 1], CATCH_UP_PAGE)) {
    for (const hash of page) {
      try {
        const invoice = await node.lookupInvoice(hash);
        if (!invoice) continue;
        await handle(invoice);
        settled++;
      } catch (err) {
        ctx.log.warn({ err, paymentHash: hash }, 'lightning catch-up: invoice lookup failed; the stream still reports it if it settles');
      }
    }
  }
  return settled;
}
