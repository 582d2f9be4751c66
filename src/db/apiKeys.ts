import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids';
import type { DbOrTx } from './knex';
import { T } from './tables';

/** Who a secret key belongs to. */
export interface KeyOwner {
  accountId: string;
  livemode: boolean;
}

/** Keys are stored as SHA-256 hashes: 32 random bytes need no slow hash, and lookups stay O(1). */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Issues a new secret key (`sk_test_…`/`sk_live_…`); the plain key is returned once and never stored. */
export async function issueKey(db: DbOrTx, accountId: string, livemode: boolean, now: number): Promise<string> {
  const secret = `sk_${livemode ? 'live' : 'test'}_${randomBytes(24).toString('base64url')}`;
  await db(T.apiKeys).insert({
    id: newId('key'), account_id: accountId, livemode, key_hash: hashKey(secret),
    key_hint: `${secret.slice(0, 12)}…${secret.slice(-4)}`, created: now,
  });
  return secret;
}

export async function findKeyOwner(db: DbOrTx, secret: string): Promise<KeyOwner | undefined> {
  const row = await db(T.apiKeys).select('account_id', 'livemode').where({ key_hash: hashKey(secret) }).first();
  return row ? { accountId: row.account_id, livemode: row.livemode } : undefined;
}
