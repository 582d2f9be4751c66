import type { DbOrTx } from './knex';
import { queryPrepared } from './prepared';
import { T } from './tables';
import { columnsOf } from './columns';

/** A remembered POST: its request hash, the seed its objects' IDs derive from, and its response. */
export interface IdempotencyRow {
  owner: string;
  key: string;
  request_hash: string;
  seed: string;
  response_status: number | null;
  response_body: unknown;
  created: string;
  /** While a request holds the key: until when (epoch ms). Null once answered or given up. */
  locked_until: string | null;
}

/** Every column of `idempotency_keys`, as IdempotencyRow names them. */
export const IDEMPOTENCY_COLUMNS = columnsOf<IdempotencyRow>()([
  'owner', 'key', 'request_hash', 'seed', 'response_status', 'response_body', 'created', 'locked_until',
]);

// Named, not `*`: a prepared statement's result columns must not change under it (src/db/prepared.ts).
const COLUMNS: readonly (keyof IdempotencyRow)[] = ['owner', 'key', 'request_hash', 'seed', 'response_status', 'response_body', 'created', 'locked_until'];

/** Claims (owner, key), locked, unless already claimed; returns the row and whether this call made it. */
export async function claimIdempotencyKey(
  db: DbOrTx, row: Omit<IdempotencyRow, 'response_status' | 'response_body'>,
): Promise<{ row: IdempotencyRow; claimed: boolean }> {
  // RETURNING spares the read-back round trip for a new key; a known key is read as stored.
  const [inserted] = await queryPrepared<IdempotencyRow>(db, CLAIM, [row.owner, row.key, row.request_hash, row.seed, row.created, row.locked_until]);
  if (inserted) return { row: inserted, claimed: true };
  return { row: await db(T.idempotency).select(IDEMPOTENCY_COLUMNS).where({ owner: row.owner, key: row.key }).first(), claimed: false };
}

/**
 * Takes an unanswered key whose lock is free or expired (its request failed with a 5xx, or its process
 * died): one caller wins, the row keeps its seed. Undefined while another request holds it.
 */
export async function takeOverIdempotencyKey(db: DbOrTx, owner: string, key: string, now: number, lockUntil: number): Promise<IdempotencyRow | undefined> {
  const [row] = await db(T.idempotency).where({ owner, key }).whereNull('response_status')
    .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', now))
    .update({ locked_until: lockUntil }).returning(IDEMPOTENCY_COLUMNS);
  return row;
}

export async function storeIdempotentResponse(db: DbOrTx, owner: string, key: string, status: number, body: unknown): Promise<void> {
  await queryPrepared(db, STORE_RESPONSE, [status, JSON.stringify(body), owner, key]);
}

// Every POST with a key runs these two: prepared (src/db/prepared.ts).
const CLAIM = {
  name: 'idempotency_claim_v2',
  text: `insert into ${T.idempotency} (owner, key, request_hash, seed, created, locked_until) values (?, ?, ?, ?, ?, ?)
    on conflict (owner, key) do nothing returning ${COLUMNS.join(', ')}`,
};
const STORE_RESPONSE = {
  name: 'idempotency_store_response_v2',
  text: `update ${T.idempotency} set response_status = ?, response_body = ?, locked_until = null where owner = ? and key = ?`,
};

/** Frees the lock but keeps the seed: a retry continues what this attempt may have started. */
export async function unlockIdempotencyKey(db: DbOrTx, owner: string, key: string): Promise<void> {
  await db(T.idempotency).where({ owner, key }).whereNull('response_status').update({ locked_until: null });
}

/** Forgets an unanswered key (its request was refused before doing anything), so it may be reused. */
export async function releaseIdempotencyKey(db: DbOrTx, owner: string, key: string): Promise<void> {
  await db(T.idempotency).where({ owner, key }).whereNull('response_status').delete();
}

/** Forgets keys older than `before` (their 24 hours are over). */
export async function expireIdempotencyKeys(db: DbOrTx, owner: string, key: string, before: number): Promise<void> {
  await db(T.idempotency).where({ owner, key }).andWhere('created', '<', before).delete();
}

/** Deletes every key older than `before`, in bounded batches; returns how many went. */
export async function pruneIdempotencyKeys(db: DbOrTx, before: number, batch = 1000): Promise<number> {
  return db(T.idempotency).whereIn(['owner', 'key'], db(T.idempotency).select('owner', 'key').where('created', '<', before).limit(batch)).delete();
}
