import { Address, OutScript } from '@scure/btc-signer';
import { watcherContext } from '../src/watcher/context';
import { scanChainOnce, watchedOutputs } from '../src/watcher/sources/nodeChainSource';
import { btcSignerNetwork, parseRawBlock } from '../src/bitcoin';
import { insertWatchedAddresses } from '../test/support/bulkWatched';
import { MemoryChain, randomAddress } from './chainBlocks';
import { settleServers, watchConditions, type PhaseConditions } from './conditions';
import { callApi, mustCall } from './http';
import { summarize, type Summary } from './stats';
import type { BenchSystem } from './system';
import { deleteWatchRows, fillWatched, liveMerchant, WATCH_PREFIX } from './watchFill';

/** One size of the watched set: the scans measured there and how busy the box was meanwhile. */
export interface WatchPoint {
  watched: number;
  scan: Summary;
  lookup: Summary;
  /** Load average and CPU (this process and the embedded servers) while its blocks were scanned. */
  conditions: PhaseConditions;
}

/** The block scan at two sizes of the watched set, and a payment credited among the large one. */
export interface WatchResult {
  outputsPerBlock: number;
  watchedPerBlock: number;
  blocks: number;
  small: WatchPoint;
  large: WatchPoint & { fillSec: number; rowsPerSec: number; settleSec?: number };
  /** Large over small, p50 of a whole block's scan (the goal: ≤ 1.5). */
  scanRatio: number;
  lookupRatio: number;
  /** A block paying a live session among the large set: the scan pass that counts it, and block → `paid` in the read model. */
  credit: { scanMs: number; blockToPaidMs: number; status: string };
}

/**
 * Scans blocks of `outputs` outputs (`watchedPerBlock` of them paying watched addresses) with `small`
 * live addresses watched, then again after growing the watched set to `large` by SQL: the per-block
 * cost of the whole scan pass (fetch, parse, the indexed lookup, recording) and of the lookup alone.
 * Those outputs are never deep enough to count. Then one block pays a real live session's address
 * (created through the API) among the large set, counted at once (1 confirmation): the receipt takes
 * the live path (store, signal-with-start, credit) and the phase waits for GET to answer `paid`.
 */
export async function runWatch(sys: BenchSystem, opts: {
  small: number; large: number; outputs: number; watchedPerBlock: number; blocks: number;
}): Promise<WatchResult> {
  const network = sys.config.bitcoinNetwork;
  const merchant = await liveMerchant(sys, 'Watch bench (live)');
  const session = await mustCall<{ id: string; payment_id: string }>(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions',
    { currency: 'SATS', amount: 1000, payment_methods: ['onchain'] }); // 1000: what each output of a bench block pays
  const payment = await mustCall<{ payment_method_options: { onchain: { address: string } } }>(sys.baseUrl, merchant.key, 'GET', `/payments/${session.payment_id}`);
  const sessionScript = OutScript.encode(Address(btcSignerNetwork(network)).decode(payment.payment_method_options.onchain.address));
  // Real addresses the blocks pay (so each block finds watched outputs); the rest of the set is random addresses too.
  const paid = Array.from({ length: opts.watchedPerBlock * opts.blocks * 2 }, () => randomAddress(network));
  const ctx = watcherContext(sys.ctx);
  const chain = new MemoryChain();
  const scanOpts = { minConfirmations: 1_000_000, monitoringMs: 3_600_000, network, startBehind: 0, maxBlocksPerPass: 1 };
  await sys.db('chain_outputs').delete();
  await sys.db('chain_blocks').delete();
  chain.push([]);
  await scanChainOnce(ctx, chain, scanOpts);

  const randomScripts = (n: number) => Array.from({ length: n }, () => randomAddress(network).script);
  const measure = async (round: number, watched: number): Promise<WatchPoint> => {
    const stop = watchConditions(sys.db);
    const scan: number[] = [];
    const lookup: number[] = [];
    for (let b = 0; b < opts.blocks; b++) {
      const hits = paid.slice((round * opts.blocks + b) * opts.watchedPerBlock, (round * opts.blocks + b + 1) * opts.watchedPerBlock);
      const height = chain.push([...hits.map((h) => h.script), ...randomScripts(opts.outputs - hits.length)]);
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
    return { watched, scan: summarize(scan), lookup: summarize(lookup), conditions: stop() };
  };

  const template = { sessionId: session.id, paymentId: session.payment_id };
  try {
    await insertWatchedAddresses(sys.db, template, { addresses: paid.map((p) => p.address) }, `${WATCH_PREFIX}p`);
    const smallWatched = Math.max(opts.small, paid.length + 1);
    await fillWatched(sys, template, smallWatched - paid.length - 1, 's');
    const small = await measure(0, smallWatched);
    const largeWatched = Math.max(opts.large, smallWatched);
    const fillSec = await fillWatched(sys, template, largeWatched - smallWatched, 'l');
    await sys.db.raw('analyze onchain_addresses');
    // The servers catch up after a bulk insert (autovacuum of the new rows): the scans should not pay for that.
    const settled = await settleServers();
    const large = { ...(await measure(1, largeWatched)), fillSec, settleSec: settled.seconds, rowsPerSec: Math.round((largeWatched - smallWatched) / Math.max(fillSec, 0.1)) };

    // The measured blocks' outputs pay copies that have no workflow: they are not what is credited here.
    await sys.db('chain_outputs').delete();
    chain.push([sessionScript, ...randomScripts(opts.outputs - 1)]);
    const t0 = performance.now();
    const counted = await scanChainOnce(ctx, chain, { ...scanOpts, minConfirmations: 1 });
    const scanMs = Math.round(performance.now() - t0);
    if (counted.counted !== 1) throw new Error(`the block paying ${session.id} counted ${counted.counted} receipts`);
    let status = '';
    while (status !== 'paid' && performance.now() - t0 < 120_000) {
      status = (await callApi<{ status: string }>(sys.baseUrl, merchant.key, 'GET', `/checkout-sessions/${session.id}`)).body.status;
      if (status !== 'paid') await new Promise((r) => setTimeout(r, 10));
    }
    if (status !== 'paid') throw new Error(`${session.id} was not paid 120 s after its block (status ${status})`);
    const blockToPaidMs = Math.round(performance.now() - t0);
    return {
      outputsPerBlock: opts.outputs, watchedPerBlock: opts.watchedPerBlock, blocks: opts.blocks, small, large,
      scanRatio: Math.round((large.scan.p50 / small.scan.p50) * 100) / 100,
      lookupRatio: Math.round((large.lookup.p50 / small.lookup.p50) * 100) / 100,
      credit: { scanMs, blockToPaidMs, status },
    };
  } finally {
    await deleteWatchRows(sys);
  }
}
