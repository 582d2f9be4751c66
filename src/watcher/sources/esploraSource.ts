import type { EsploraClient } from '../../bitcoin';
import { watchedAddresses } from '../../db/payments';
import { ingestReceipt, type WatcherContext } from '../ingest';

/**
 * On-chain source: polls an Esplora-compatible API for every watched address (unpaid payments and
 * those inside the monitoring window) and reports each output paying one as a receipt keyed
 * `txid:vout`. Repeating a poll is harmless: receipts dedupe on that key.
 */
export async function pollOnchainOnce(
  ctx: WatcherContext, esplora: EsploraClient, opts: { minConfirmations: number; monitoringMs: number },
): Promise<number> {
  let seen = 0;
  const addresses = await watchedAddresses(ctx.db, Date.now() - opts.monitoringMs);
  const tip = opts.minConfirmations > 1 ? await esplora.tipHeight() : null;
  for (const { address } of addresses) {
    const outputs = await esplora.listAddressOutputs(address);
    for (const out of outputs) {
      if (!confirmedEnough(out, opts.minConfirmations, tip)) continue;
      const result = await ingestReceipt(ctx, {
        address, reference: `${out.txid}:${out.vout}`, method: 'onchain', amountSats: out.valueSats,
      });
      if (result && !result.duplicate) seen++;
    }
  }
  return seen;
}

function confirmedEnough(out: { confirmed: boolean; blockHeight: number | null }, min: number, tip: number | null): boolean {
  if (min === 0) return true;
  if (!out.confirmed || out.blockHeight === null) return false;
  return tip === null || tip - out.blockHeight + 1 >= min;
}
