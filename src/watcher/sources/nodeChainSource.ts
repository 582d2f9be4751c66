import { hexToBytes } from '@noble/hashes/utils.js';
import { Address, OutScript } from '@scure/btc-signer';
import { btcSignerNetwork, parseRawBlock, type BitcoinNetwork, type BitcoinRpcClient, type BlockOutput } from '../../bitcoin';
import {
  lastScannedBlock, markOutputCounted, outputsDeepEnough, pruneScannedBlocks, recordScannedBlock, rewindBlock, type ChainBlockRow,
} from '../../db/chainScan';
import { watchedAmong } from '../../db/watchedAddresses';
import { ingestReceipt, type WatcherContext } from '../ingest';

/** Options of the node block scan. */
export interface NodeChainOptions {
  /** Confirmations before an output counts (`ONCHAIN_MIN_CONFIRMATIONS`; 0 counts as 1: the scan reads blocks only). */
  minConfirmations: number;
  monitoringMs: number;
  network: BitcoinNetwork;
  /** First scan of an empty database starts this many blocks below the tip. */
  startBehind?: number;
  /** Blocks scanned per pass at most, so a long catch-up still yields between passes. */
  maxBlocksPerPass?: number;
  /** Scanned-block rows kept below the tip: the deepest reorg that can be undone. */
  keepBlocks?: number;
}

/** What the scan asks of the node (a `BitcoinRpcClient`; the bench serves blocks from memory). */
export type BlockSource = Pick<BitcoinRpcClient, 'getBlockCount' | 'getBlockHash' | 'getRawBlock'>;

/** What one pass did. */
export interface ScanResult {
  tip: number;
  scanned: number;
  rewound: number;
  counted: number;
}

/**
 * One pass of the on-chain source on the operator's own node (Bitcoin Core or btcd JSON-RPC): scans
 * the blocks after the stored cursor for outputs paying watched live addresses, rewinds the cursor
 * while the stored blocks are no longer on the node's best chain (a reorg), then counts every output
 * `minConfirmations` deep (confirmations = depth below the scanned tip) as a receipt keyed `txid:vout`.
 * Safe to repeat and to resume after a restart: all state is in the database.
 */
export async function scanChainOnce(ctx: WatcherContext, rpc: BlockSource, opts: NodeChainOptions): Promise<ScanResult> {
  const result: ScanResult = { tip: await rpc.getBlockCount(), scanned: 0, rewound: 0, counted: 0 };
  let last = await lastScannedBlock(ctx.db);
  while (last && (last.height > result.tip || (await rpc.getBlockHash(last.height)) !== last.hash)) {
    last = await rewind(ctx, last, result);
  }
  let next = last ? last.height + 1 : Math.max(0, result.tip - (opts.startBehind ?? 6));
  while (next <= result.tip && result.scanned < (opts.maxBlocksPerPass ?? 500)) {
    const hash = await rpc.getBlockHash(next);
    const block = parseRawBlock(await rpc.getRawBlock(hash));
    if (block.hash !== hash) throw new Error(`node sent block ${block.hash} for ${hash}`);
    if (last && block.prevHash !== last.hash) {
      // The chain changed under us between calls: step back and look again.
      last = await rewind(ctx, last, result);
      next = last ? last.height + 1 : Math.max(0, result.tip - (opts.startBehind ?? 6));
      continue;
    }
    // Looked up after the block is read: an output in it pays an address handed out before.
    const outputs = await watchedOutputs(ctx, block.outputs, opts);
    const row: ChainBlockRow = { height: next, hash, prev_hash: block.prevHash };
    await ctx.db.transaction((tx) => recordScannedBlock(tx, row, outputs, Date.now()));
    if (outputs.length) ctx.log.info({ height: next, outputs: outputs.length }, 'chain scan: outputs to watched addresses');
    last = row;
    next++;
    result.scanned++;
  }
  if (last) {
    result.counted = await countDeepOutputs(ctx, last.height, Math.max(1, opts.minConfirmations));
    await pruneScannedBlocks(ctx.db, last.height, opts.keepBlocks ?? 1000);
  }
  return result;
}

async function rewind(ctx: WatcherContext, block: ChainBlockRow, result: ScanResult): Promise<ChainBlockRow | undefined> {
  const orphaned = await ctx.db.transaction((tx) => rewindBlock(tx, block, Date.now()));
  result.rewound++;
  ctx.log.warn({ height: block.height, hash: block.hash }, 'chain reorganisation: block left the best chain; rescanning');
  for (const out of orphaned) {
    // Counted money whose block vanished: it counts again if the transaction is mined again (same reference).
    ctx.log.error({ reference: out.reference, amountSats: out.amount_sats, height: out.block_height },
      'a counted on-chain receipt lost its block in a reorg deeper than ONCHAIN_MIN_CONFIRMATIONS; check it');
  }
  return lastScannedBlock(ctx.db);
}

async function countDeepOutputs(ctx: WatcherContext, tip: number, minConfirmations: number): Promise<number> {
  let counted = 0;
  for (const out of await outputsDeepEnough(ctx.db, tip, minConfirmations)) {
    const stored = await ingestReceipt(ctx, {
      address: out.address, reference: out.reference, method: 'onchain', amountSats: BigInt(out.amount_sats),
    });
    await markOutputCounted(ctx.db, out.reference, Date.now());
    if (stored && !stored.duplicate) counted++;
  }
  return counted;
}

/**
 * The block's outputs that pay watched live addresses. Each output script is turned into its address
 * on the node's network (scripts that are no address, e.g. OP_RETURN, are skipped), and the block's
 * distinct addresses are looked up in one indexed query: the cost follows the block, not the number of
 * watched addresses, and nothing caps the watched set.
 */
export async function watchedOutputs(
  ctx: WatcherContext, outputs: BlockOutput[], opts: Pick<NodeChainOptions, 'network' | 'monitoringMs'>,
): Promise<{ reference: string; address: string; amount_sats: string }[]> {
  const coder = Address(btcSignerNetwork(opts.network));
  const addressOf = new Map<string, string | null>();
  for (const o of outputs) {
    if (!addressOf.has(o.scriptHex)) addressOf.set(o.scriptHex, scriptAddress(coder, o.scriptHex));
  }
  const candidates = [...new Set([...addressOf.values()].filter((a): a is string => a !== null))];
  const watched = new Set((await watchedAmong(ctx.db, candidates, Date.now() - opts.monitoringMs)).map((w) => w.address));
  return outputs.flatMap((o) => {
    const address = addressOf.get(o.scriptHex);
    return address && watched.has(address)
      ? [{ reference: `${o.txid}:${o.vout}`, address, amount_sats: o.valueSats.toString() }] : [];
  });
}

function scriptAddress(coder: ReturnType<typeof Address>, scriptHex: string): string | null {
  try {
    return coder.encode(OutScript.decode(hexToBytes(scriptHex)));
  } catch {
    return null; // not a standard payment script: no address of ours can be paid by it
  }
}
