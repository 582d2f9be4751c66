import type { DbOrTx } from './knex';
import { columnsOf } from './columns';

const BLOCKS = 'chain_blocks';
const OUTPUTS = 'chain_outputs';

/** A scanned block: the scan's cursor is the highest one. */
export interface ChainBlockRow {
  height: number;
  hash: string;
  prev_hash: string;
}

/** An output to a watched address, from its block until it is deep enough to count. */
export interface ChainOutputRow {
  reference: string;
  address: string;
  amount_sats: string;
  block_height: number;
  block_hash: string;
  status: 'seen' | 'counted' | 'reorged';
  created: string;
  modified: string;
}

/** Every column of `chain_outputs`, as ChainOutputRow names them. */
export const CHAIN_OUTPUT_COLUMNS = columnsOf<ChainOutputRow>()([
  'reference', 'address', 'amount_sats', 'block_height', 'block_hash', 'status', 'created', 'modified',
]);

/** The highest scanned block, or undefined before the first scan. */
export async function lastScannedBlock(db: DbOrTx): Promise<ChainBlockRow | undefined> {
  return db(BLOCKS).select('height', 'hash', 'prev_hash').orderBy('height', 'desc').first();
}

/**
 * Records a scanned block and the outputs in it that pay watched addresses, in one transaction with
 * the cursor. An output already known (its transaction was mined again after a reorg) moves to the
 * new block, and a `reorged` one that reappeared is `counted` again: the receipt it made still holds.
 */
export async function recordScannedBlock(
  db: DbOrTx, block: ChainBlockRow, outputs: Omit<ChainOutputRow, 'status' | 'block_height' | 'block_hash' | 'created' | 'modified'>[], now: number,
): Promise<void> {
  await db(BLOCKS).insert({ ...block, scanned_at: now }).onConflict('height').merge();
  for (const out of outputs) {
    await db.raw(
      `insert into ${OUTPUTS} (reference, address, amount_sats, block_height, block_hash, status, created, modified)
       values (?, ?, ?, ?, ?, 'seen', ?, ?)
       on conflict (reference) do update set block_height = excluded.block_height, block_hash = excluded.block_hash,
         modified = excluded.modified,
         status = case when ${OUTPUTS}.status = 'reorged' then 'counted' else ${OUTPUTS}.status end`,
      [out.reference, out.address, out.amount_sats, block.height, block.hash, now, now],
    );
  }
}

/**
 * Undoes a block that is no longer on the best chain: its not-yet-counted outputs are deleted (they
 * may never come back), counted ones are marked `reorged` (returned, for the operator), and the cursor
 * moves back one block.
 */
export async function rewindBlock(db: DbOrTx, block: ChainBlockRow, now: number): Promise<ChainOutputRow[]> {
  await db(OUTPUTS).where({ block_hash: block.hash, status: 'seen' }).delete();
  const orphaned: ChainOutputRow[] = await db(OUTPUTS).where({ block_hash: block.hash, status: 'counted' })
    .update({ status: 'reorged', modified: now }).returning(CHAIN_OUTPUT_COLUMNS);
  await db(BLOCKS).where({ height: block.height }).delete();
  return orphaned;
}

/** Outputs seen at least `minConfirmations` deep below `tip` and not counted yet, oldest first. */
export async function outputsDeepEnough(db: DbOrTx, tip: number, minConfirmations: number): Promise<ChainOutputRow[]> {
  return db(OUTPUTS).select(CHAIN_OUTPUT_COLUMNS).where({ status: 'seen' }).andWhere('block_height', '<=', tip - minConfirmations + 1)
    .orderBy('block_height').orderBy('reference');
}

/** Marks an output counted (its receipt is stored). */
export async function markOutputCounted(db: DbOrTx, reference: string, now: number): Promise<void> {
  await db(OUTPUTS).where({ reference, status: 'seen' }).update({ status: 'counted', modified: now });
}

/** Drops scanned-block rows far below the tip: a reorg deeper than `keep` blocks is not expected. */
export async function pruneScannedBlocks(db: DbOrTx, tip: number, keep: number): Promise<void> {
  await db(BLOCKS).where('height', '<', tip - keep).delete();
}
