import { EsploraClient, LndRestNode } from '../bitcoin';
import type { WatcherContext } from './ingest';
import { redeliverPending } from './redeliver';
import { followLightning } from './sources/lightningSource';
import { pollOnchainOnce } from './sources/esploraSource';

/** Options of the watcher's background sources. */
export interface WatcherOptions {
  esplora?: { url: string; pollSeconds: number; minConfirmations: number };
  lnd?: { url: string; macaroonHex: string };
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
    const cfg = { minConfirmations: opts.esplora.minConfirmations, monitoringMs: ctx.monitoringMs };
    every(opts.esplora.pollSeconds * 1000, () => pollOnchainOnce(ctx, esplora, cfg), 'esplora');
  }
  if (opts.lnd) {
    const node = new LndRestNode({ url: opts.lnd.url, macaroonHex: opts.lnd.macaroonHex, logger: ctx.log });
    loops.push(followLightning(ctx, node, abort.signal));
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
