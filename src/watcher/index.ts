import { BitcoinRpcClient, EsploraClient, type BitcoinNetwork, type LndRestNode } from '../bitcoin';
import type { WatcherContext } from './ingest';
import { redeliverPending } from './redeliver';
import { followLightning } from './sources/lightningSource';
import { pollOnchainOnce } from './sources/esploraSource';
import { ItemBackoff } from './sources/itemBackoff';
import { scanChainOnce } from './sources/nodeChainSource';

/** Options of the watcher's background sources. */
export interface WatcherOptions {
  esplora?: { url: string; pollSeconds: number; minConfirmations: number; maxAddressesPerPass?: number };
  /** The operator's own node (Bitcoin Core / btcd JSON-RPC): block scan from a stored cursor. */
  bitcoinRpc?: { url: string; cookieFile?: string; pollSeconds: number; minConfirmations: number };
  /** Live mode's network (`BITCOIN_NETWORK`): the chain sources watch only its addresses. */
  network: BitcoinNetwork;
  /** The live LND node whose invoice stream reports Lightning receipts. */
  lnd?: LndRestNode;
  redeliverEveryMs?: number;
}

/**
 * Starts the payment watcher: the redelivery loop, and the on-chain and Lightning sources that are
 * configured (the test-mode simulator feeds `ingestReceipt` directly from the API). Returns a stop function.
 */
export function startWatcher(ctx: WatcherContext, opts: WatcherOptions): () => Promise<void> {
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const every = (ms: number, task: () => Promise<unknown>, name: string) => loops.push((async () => {
    while (!abort.signal.aborted) {
      try {
        await task();
      } catch (err) {
        ctx.log.warn({ err, component: 'watcher', source: name }, 'watcher pass failed; will retry');
      }
      await sleep(ms, abort.signal);
    }
  })());

  every(opts.redeliverEveryMs ?? 5_000, () => redeliverPending(ctx, 5_000), 'redeliver');
  if (opts.esplora) {
    const esplora = new EsploraClient(opts.esplora.url);
    const cfg = {
      minConfirmations: opts.esplora.minConfirmations, monitoringMs: ctx.monitoringMs, network: opts.network,
      backoff: new ItemBackoff(ctx.log, 'esplora address'),
      maxAddressesPerPass: opts.esplora.maxAddressesPerPass, rotation: { after: '', passes: 0 },
    };
    every(opts.esplora.pollSeconds * 1000, () => pollOnchainOnce(ctx, esplora, cfg), 'esplora');
  }
  if (opts.bitcoinRpc) {
    const rpc = new BitcoinRpcClient({ url: opts.bitcoinRpc.url, cookieFile: opts.bitcoinRpc.cookieFile });
    const cfg = { minConfirmations: opts.bitcoinRpc.minConfirmations, monitoringMs: ctx.monitoringMs, network: opts.network };
    let checked = false;
    every(opts.bitcoinRpc.pollSeconds * 1000, async () => {
      if (!checked) {
        // A node of another network would never show a live address's money: refuse loudly, keep checking.
        const network = await rpc.network();
        if (network !== opts.network) throw new Error(`BITCOIN_RPC_URL is a ${network} node but BITCOIN_NETWORK is ${opts.network}`);
        checked = true;
      }
      // Catch up without waiting a whole period when many blocks are behind.
      while ((await scanChainOnce(ctx, rpc, cfg)).scanned >= 500 && !abort.signal.aborted);
    }, 'bitcoin-rpc');
  }
  if (opts.lnd) {
    loops.push(followLightning(ctx, opts.lnd, abort.signal));
  }
  return async () => {
    abort.abort();
    await Promise.allSettled(loops);
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
