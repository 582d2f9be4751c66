import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids';
import type { DbOrTx } from './knex';
import { queryPrepared } from './prepared';
import { T } from './tables';

/** Who a secret key belongs to. */
export interface KeyOwner {
  accountId: string;
  livemode: boolean;
}

/** A stored key as the admin sees it: never the secret, only its first characters. */
export interface ApiKeyRow {
  id: string;
  account_id: string;
  livemode: boolean;
  key_hint: string;
  label: string | null;
  created: string;
  revoked_at: string | null;
}

const KEY_COLUMNS = ['id', 'account_id', 'livemode', 'key_hint', 'label', 'created', 'revoked_at'];

/** Keys are stored as SHA-256 hashes: 32 random bytes need no slow hash, and lookups stay O(1). */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The part of a key that may be shown again: `sk_test_` or `sk_live_` and four random characters. */
export function keyPrefix(hint: string): string {
  return hint.slice(0, 12);
}

/** Issues a new secret key (`sk_test_…`/`sk_live_…`); the plain key is returned once and never stored. */
export async function issueKey(
  db: DbOrTx, accountId: string, livemode: boolean, now: number, label: string | null = null,
): Promise<{ row: ApiKeyRow; secret: string }> {
  const secret = `sk_${livemode ? 'live' : 'test'}_${randomBytes(24).toString('base64url')}`;
  const [row] = await db(T.apiKeys).insert({
    id: newId('key'), account_id: accountId, livemode, key_hash: hashKey(secret),
    key_hint: keyPrefix(secret), label, created: now,
  }).returning(KEY_COLUMNS);
  return { row, secret };
}

/** The owner of a key that exists and is not revoked. */
export async function findKeyOwner(db: DbOrTx, secret: string): Promise<KeyOwner | undefined> {
  const [row] = await queryPrepared<{ account_id: string; livemode: boolean }>(db, KEY_OWNER, [hashKey(secret)]);
  return row ? { accountId: row.account_id, livemode: row.livemode } : undefined;
}

// Every authenticated request runs it: prepared (src/db/prepared.ts).
const KEY_OWNER = {
  name: 'api_key_owner_v1',
  text: `select account_id, livemode from ${T.apiKeys} where key_hash = ? and revoked_at is null limit 1`,
};

/** An account's keys, newest first, revoked ones included. */
export async function listKeys(db: DbOrTx, accountId: string): Promise<ApiKeyRow[]> {
  return db(T.apiKeys).select(KEY_COLUMNS).where({ account_id: accountId }).orderBy([{ column: 'created', order: 'desc' }, { column: 'id', order: 'desc' }]);
}

/** Revokes one key of an account (idempotent: the first revocation time stays); undefined if unknown. */
export async function revokeKey(db: DbOrTx, accountId: string, keyId: string, now: number): Promise<ApiKeyRow | undefined> {
  await db(T.apiKeys).where({ id: keyId, account_id: accountId }).whereNull('revoked_at').update({ revoked_at: now });
  return db(T.apiKeys).select(KEY_COLUMNS).where({ id: keyId, account_id: accountId }).first();
}

/** Revokes an account's keys carrying `label` (a restarted demo's previous key). */
export async function revokeLabelledKeys(db: DbOrTx, accountId: string, label: string, now: number): Promise<number> {
  return db(T.apiKeys).where({ account_id: accountId, label }).whereNull('revoked_at').update({ revoked_at: now });
}

/** Labels every key of an account (a just-made account has one: the key it was created with). */
export async function labelAccountKeys(db: DbOrTx, accountId: string, label: string): Promise<void> {
  await db(T.apiKeys).where({ account_id: accountId }).update({ label });
}
