import { deleteWatchedAddresses, insertWatchedAddresses } from '../test/support/bulkWatched';
import { watcherContext } from '../src/watcher/context';
import { scanChainOnce, watchedOutputs } from '../src/watcher/sources/nodeChainSource';
import { parseRawBlock } from '../src/bitcoin';
import { MemoryChain, randomAddress } from './chainBlocks';
import { mustCall } from './http';
import { summarize, type Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** The block scan at two sizes of the watched set. */
export interface WatchResult {
  outputsPerBlock: number;
  watchedPerBlock: number;
  blocks: number;
  small: { watched: number; scan: Summary; lookup: Summary };
  large: { watched: number; scan: Summary; lookup: Summary; fillSec: number };
  /** Large over small, p50 of a whole block's scan (the goal: ≤ 1.5). */
  scanRatio: number;
  lookupRatio: number;
}

const PREFIX = 'benchwatch';

/**
 * Scans blocks of `outputs` outputs (`watchedPerBlock` of them paying watched addresses) with `small`
 * live addresses watched, then again after growing the watched set to `large` by SQL: the per-block
 * cost of the whole scan pass (fetch, parse, the indexed lookup, recording) and of the lookup alone.
 * Outputs are never deep enough to count (no receipts): what is measured is the watch, not crediting.
 */
export async function runWatch(sys: BenchSystem, merchant: Merchant, opts: {
  small: number; large: number; outputs: number; watchedPerBlock: number; blocks: number;
}): Promise<WatchResult> {
  const network = sys.config.bitcoinNetwork;
  const template = await mustCall<{ id: string; payment_id: string }>(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
  // Real addresses the blocks pay (so each block finds watched outputs), the rest of the set by number.
  const paid = Array.from({ length: opts.watchedPerBlock * opts.blocks * 2 }, () => randomAddress(network));
  const ctx = watcherContext(sys.ctx);
  const chain = new MemoryChain();
  const scanOpts = { minConfirmations: 1_000_000, monitoringMs: 3_600_000, network, startBehind: 0, maxBlocksPerPass: 1 };
  await sys.db('chain_outputs').delete();
  await sys.db('chain_blocks').delete();
  chain.push([]);
  await scanChainOnce(ctx, chain, scanOpts);

  const measure = async (round: number) => {
    const scan: number[] = [];
    const lookup: number[] = [];
    for (let b = 0; b < opts.blocks; b++) {
      const hits = paid.slice((round * opts.blocks + b) * opts.watchedPerBlock, (round * opts.blocks + b + 1) * opts.watchedPerBlock);
      const others = Array.from({ length: opts.outputs - hits.length }, () => randomAddress(network).script);
      const height = chain.push([...hits.map((h) => h.script), ...others]);
      let t = performance.now();
      const r = await scanChainOnce(ctx, chain, scanOpts);
      scan.push(performance.now() - t);
      if (r.scanned !== 1) throw new Error(`block ${height} was not scanned`);
      const outputs = parseRawBlock(chain.blocks[height]).outputs;
      t = performance.now();
      const found = await watchedOutputs(ctx, outputs, scanOpts);
      lookup.push(performance.now() - t);
      if (found.length !== hits.length) throw new Error(`block ${height}: ${found.length} watched outputs found, ${hits.length} paid`);
    }
    return { scan: summarize(scan), lookup: summarize(lookup) };
  };

  const tpl = { sessionId: template.id, paymentId: template.payment_id };
  try {
    await insertWatchedAddresses(sys.db, tpl, { addresses: paid.map((p) => p.address) }, `${PREFIX}p`);
    await insertWatchedAddresses(sys.db, tpl, { count: Math.max(0, opts.small - paid.length) }, `${PREFIX}s`);
    const small = { watched: Math.max(opts.small, paid.length), ...(await measure(0)) };
    const t0 = performance.now();
    await insertWatchedAddresses(sys.db, tpl, { count: Math.max(0, opts.large - small.watched) }, `${PREFIX}l`);
    const fillSec = Math.round((performance.now() - t0) / 100) / 10;
    const large = { watched: Math.max(opts.large, small.watched), fillSec, ...(await measure(1)) };
    return {
      outputsPerBlock: opts.outputs, watchedPerBlock: opts.watchedPerBlock, blocks: opts.blocks, small, large,
      scanRatio: Math.round((large.scan.p50 / small.scan.p50) * 100) / 100,
      lookupRatio: Math.round((large.lookup.p50 / small.lookup.p50) * 100) / 100,
    };
  } finally {
    for (const p of ['p', 's', 'l']) await deleteWatchedAddresses(sys.db, `${PREFIX}${p}`);
    await sys.db('chain_outputs').delete();
    await sys.db('chain_blocks').delete();
  }
}
