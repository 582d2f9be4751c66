import { isValidAddress, type BitcoinNetwork, type EsploraClient } from '../../bitcoin';
import { liveWatchedAddresses } from '../../db/watchedAddresses';
import { ingestReceipt, type WatcherContext } from '../ingest';
import { ItemBackoff } from './itemBackoff';

/** Options of the Esplora source. */
export interface EsploraPollOptions {
  minConfirmations: number;
  monitoringMs: number;
  /** The network the Esplora serves (`BITCOIN_NETWORK`): addresses of another network are never sent to it. */
  network: BitcoinNetwork;
  /** Per-address failure state, kept across passes by the watcher loop. */
  backoff?: ItemBackoff;
}

/**
 * On-chain source: polls an Esplora-compatible API for every watched live address of the configured
 * network and reports each output paying one as a receipt keyed `txid:vout`. An address whose request
 * fails is skipped with its own growing backoff (logged once) while the others go on. Repeating a poll
 * is harmless: receipts dedupe on that key.
 */
export async function pollOnchainOnce(ctx: WatcherContext, esplora: EsploraClient, opts: EsploraPollOptions): Promise<number> {
  const backoff = opts.backoff ?? new ItemBackoff(ctx.log, 'esplora address');
  let seen = 0;
  const watched = (await liveWatchedAddresses(ctx.db, Date.now() - opts.monitoringMs))
    .filter(({ address }) => isValidAddress(address, opts.network));
  const tip = opts.minConfirmations > 1 ? await esplora.tipHeight() : null;
  for (const { address } of watched) {
    if (!backoff.due(address)) continue;
    try {
      const outputs = await esplora.listAddressOutputs(address);
      for (const out of outputs) {
        if (!confirmedEnough(out, opts.minConfirmations, tip)) continue;
        const result = await ingestReceipt(ctx, {
          address, reference: `${out.txid}:${out.vout}`, method: 'onchain', amountSats: out.valueSats,
        });
        if (result && !result.duplicate) seen++;
      }
      backoff.succeeded(address);
    } catch (err) {
      backoff.failed(address, err);
    }
  }
  return seen;
}

function confirmedEnough(out: { confirmed: boolean; blockHeight: number | null }, min: number, tip: number | null): boolean {
  if (min === 0) return true;
  if (!out.confirmed || out.blockHeight === null) return false;
  return tip === null || tip - out.blockHeight + 1 >= min;
}
