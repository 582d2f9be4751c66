import { isValidAddress, type BitcoinNetwork, type EsploraClient } from '../../bitcoin';
import { watchedAddressPage } from '../../db/watchedAddresses';
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
  /**
   * Addresses asked about per pass at most (`ESPLORA_MAX_ADDRESSES_PER_PASS`): a larger watched set is
   * walked over several passes, each going on where the last stopped, so every address is still asked.
   */
  maxAddressesPerPass?: number;
  /** Where the walk stands between passes (kept by the watcher loop); a fresh one starts at the beginning. */
  rotation?: EsploraRotation;
}

/** The position of the Esplora walk over the watched set, carried from pass to pass. */
export interface EsploraRotation {
  /** Last address asked about; '' = the start of the set. */
  after: string;
  /** Passes spent in the current round so far. */
  passes: number;
}

const PAGE = 500;

/**
 * On-chain source for small volumes: asks an Esplora-compatible API about the watched live addresses of
 * the configured network, one request per address, and reports each output paying one as a receipt keyed
 * `txid:vout`. The watched set is read page by page in address order and a pass asks about
 * `maxAddressesPerPass` addresses at most, going on from where the previous pass stopped; when a whole
 * round needs several passes it says so in the log (a sign the node block scan should take over).
 * An address whose request fails is skipped with its own growing backoff (logged once) while the others
 * go on. Repeating a poll is harmless: receipts dedupe on that key.
 */
export async function pollOnchainOnce(ctx: WatcherContext, esplora: EsploraClient, opts: EsploraPollOptions): Promise<number> {
  const backoff = opts.backoff ?? new ItemBackoff(ctx.log, 'esplora address');
  const rotation = opts.rotation ?? { after: '', passes: 0 };
  const budget = opts.maxAddressesPerPass ?? 1_000;
  const since = Date.now() - opts.monitoringMs;
  const tip = opts.minConfirmations > 1 ? await esplora.tipHeight() : null;
  let seen = 0;
  let asked = 0;
  rotation.passes++;
  while (asked < budget) {
    const want = Math.min(PAGE, budget - asked);
    const page = await watchedAddressPage(ctx.db, since, rotation.after, want);
    for (const { address } of page) {
      rotation.after = address;
      asked++;
      if (!isValidAddress(address, opts.network) || !backoff.due(address)) continue;
      seen += await pollAddress(ctx, esplora, address, opts.minConfirmations, tip, backoff);
    }
    if (page.length < want) {
      // The end of the set: the next pass starts a new round.
      if (rotation.passes > 1) {
        ctx.log.warn({ passes: rotation.passes, maxAddressesPerPass: budget },
          'esplora: the watched set took several passes to walk; each address is asked less often (use the node block scan, BITCOIN_RPC_URL, for volume)');
      }
      rotation.after = '';
      rotation.passes = 0;
      break;
    }
  }
  return seen;
}

async function pollAddress(
  ctx: WatcherContext, esplora: EsploraClient, address: string, minConfirmations: number, tip: number | null, backoff: ItemBackoff,
): Promise<number> {
  let seen = 0;
  try {
    for (const out of await esplora.listAddressOutputs(address)) {
      if (!confirmedEnough(out, minConfirmations, tip)) continue;
      const result = await ingestReceipt(ctx, {
        address, reference: `${out.txid}:${out.vout}`, method: 'onchain', amountSats: out.valueSats,
      });
      if (result && !result.duplicate) seen++;
    }
    backoff.succeeded(address);
  } catch (err) {
    backoff.failed(address, err);
  }
  return seen;
}

function confirmedEnough(out: { confirmed: boolean; blockHeight: number | null }, min: number, tip: number | null): boolean {
  if (min === 0) return true;
  if (!out.confirmed || out.blockHeight === null) return false;
  return tip === null || tip - out.blockHeight + 1 >= min;
}
