import type { DbOrTx } from './knex';
import { T } from './tables';

/** A remembered POST: its request hash, the seed its objects' IDs derive from, and its response. */
export interface IdempotencyRow {
  owner: string;
  key: string;
  request_hash: string;
  seed: string;
  response_status: number | null;
  response_body: unknown;
  created: string;
}

/** Claims (owner, key) unless already claimed; returns the row that holds it now. */
export async function claimIdempotencyKey(db: DbOrTx, row: Omit<IdempotencyRow, 'response_status' | 'response_body'>): Promise<IdempotencyRow> {
  // RETURNING spares the read-back round trip for a new key; a known key is read as stored.
  const [inserted] = await db(T.idempotency).insert(row).onConflict(['owner', 'key']).ignore().returning('*');
  return inserted ?? db(T.idempotency).select('*').where({ owner: row.owner, key: row.key }).first();
}

export async function storeIdempotentResponse(db: DbOrTx, owner: string, key: string, status: number, body: unknown): Promise<void> {
  await db(T.idempotency).where({ owner, key }).update({ response_status: status, response_body: JSON.stringify(body) });
}

export async function releaseIdempotencyKey(db: DbOrTx, owner: string, key: string): Promise<void> {
  await db(T.idempotency).where({ owner, key }).whereNull('response_status').delete();
}

/** Forgets keys older than `before` (their 24 hours are over). */
export async function expireIdempotencyKeys(db: DbOrTx, owner: string, key: string, before: number): Promise<void> {
  await db(T.idempotency).where({ owner, key }).andWhere('created', '<', before).delete();
}
