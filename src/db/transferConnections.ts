import { columnsOf } from './columns';
import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import { T } from './tables';

/** A source account's consent to send transfers to a destination account (docs/transfers.md). */
export interface TransferConnectionRow {
  id: string;
  source_account_id: string;
  destination_account_id: string;
  created: string;
  /** `admin` (the admin API) or `migration` (back-filled from transfers that existed before consent). */
  created_by: string;
  revoked_at: string | null;
}

export const TRANSFER_CONNECTION_COLUMNS = columnsOf<TransferConnectionRow>()([
  'id', 'source_account_id', 'destination_account_id', 'created', 'created_by', 'revoked_at',
]);

/**
 * Connects `destination` to `source` unless an active connection exists; returns the active one either
 * way. The partial unique index makes a concurrent second connect a no-op that finds the first. The ID
 * comes from the request's idempotency seed: a retry whose first attempt connected (and was since
 * revoked) finds that row by its ID rather than failing on it.
 */
export async function connectTransferDestination(db: DbOrTx, row: Omit<TransferConnectionRow, 'revoked_at'>): Promise<TransferConnectionRow> {
  const { rows: [inserted] } = await db.raw<{ rows: TransferConnectionRow[] }>(
    `insert into ${T.transferConnections} (id, source_account_id, destination_account_id, created, created_by)
      values (?, ?, ?, ?, ?) on conflict do nothing returning ${TRANSFER_CONNECTION_COLUMNS.join(', ')}`,
    [row.id, row.source_account_id, row.destination_account_id, row.created, row.created_by],
  );
  if (inserted) return inserted;
  const existing = await findActiveConnection(db, row.source_account_id, row.destination_account_id)
    ?? await db(T.transferConnections).select(TRANSFER_CONNECTION_COLUMNS).where({ id: row.id }).first();
  // Only a revoke racing between the insert and this read leaves nothing: a transient refusal the client retries.
  if (!existing) throw new Error('transfer connection revoked while being connected');
  return existing;
}

/** The active connection from `source` to `destination`, if any. */
export async function findActiveConnection(db: DbOrTx, source: string, destination: string): Promise<TransferConnectionRow | undefined> {
  return db(T.transferConnections).select(TRANSFER_CONNECTION_COLUMNS)
    .where({ source_account_id: source, destination_account_id: destination }).whereNull('revoked_at').first();
}

/** Revokes the active connection from `source` to `destination`; undefined when there is none. */
export async function revokeConnection(db: DbOrTx, source: string, destination: string, now: number): Promise<TransferConnectionRow | undefined> {
  const [row] = await db(T.transferConnections).update({ revoked_at: now })
    .where({ source_account_id: source, destination_account_id: destination }).whereNull('revoked_at')
    .returning(TRANSFER_CONNECTION_COLUMNS);
  return row as TransferConnectionRow | undefined;
}

/** A page of the source's active connections, newest first; a cursor may be any of its connections (revoked ones too). */
export async function listActiveConnections(db: DbOrTx, source: string, opts: PageOptions) {
  return pageQuery<TransferConnectionRow>(db, T.transferConnections, TRANSFER_CONNECTION_COLUMNS,
    (q) => { q.where({ source_account_id: source }).whereNull('revoked_at'); }, opts, ['created', 'id'], { source_account_id: source });
}
