import type { DbOrTx } from '../../db/knex';
import { USERS } from './users';

const CODES = 'dashboard_recovery_codes';
const CHALLENGES = 'dashboard_sign_in_challenges';

/** Starts (or restarts) an enrolment: the secret waits in `totp_pending_secret` until a code confirms it. */
export async function setPendingSecret(db: DbOrTx, userId: string, secret: string, now: number): Promise<void> {
  await db(USERS).where({ id: userId }).update({ totp_pending_secret: secret, modified: now });
}

/**
 * Turns two-factor on with the pending secret and stores the recovery codes' hashes, in one transaction;
 * the confirming code's step is the last one used. False if the pending secret changed meanwhile.
 */
export async function confirmEnrolment(db: DbOrTx, userId: string, secret: string, step: number, codeHashes: string[], now: number): Promise<boolean> {
  const run = async (tx: DbOrTx) => {
    const n = await tx(USERS).where({ id: userId, totp_pending_secret: secret }).update({
      totp_secret: secret, totp_pending_secret: null, totp_enabled_at: now, totp_last_step: step, modified: now,
    });
    if (n !== 1) return false;
    await tx(CODES).where({ user_id: userId }).del();
    await tx(CODES).insert(codeHashes.map((h) => ({ user_id: userId, code_hash: h, created: now })));
    return true;
  };
  return db.transaction(run);
}

/** Turns two-factor off: the secret, the codes and any open challenge go. */
export async function disableTwoFactor(db: DbOrTx, userId: string, now: number): Promise<void> {
  await db(USERS).where({ id: userId }).update({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null, modified: now });
  await db(CODES).where({ user_id: userId }).del();
  await db(CHALLENGES).where({ user_id: userId }).del();
}

/**
 * Records a code's step as used, only if it is after the last one (one conditional UPDATE, so two
 * requests with the same code cannot both pass). True when the code may be accepted.
 */
export async function useTotpStep(db: DbOrTx, userId: string, step: number, now: number): Promise<boolean> {
  const n = await db(USERS).where({ id: userId }).whereNotNull('totp_secret')
    .andWhere((q) => { q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step); })
    .update({ totp_last_step: step, modified: now });
  return n === 1;
}

/** Spends a recovery code (by hash) once; true if it was unused. */
export async function useRecoveryCode(db: DbOrTx, userId: string, codeHash: string, now: number): Promise<boolean> {
  const n = await db(CODES).where({ user_id: userId, code_hash: codeHash }).whereNull('used_at').update({ used_at: now });
  return n === 1;
}

/** How many unused recovery codes a user has left. */
export async function recoveryCodesLeft(db: DbOrTx, userId: string): Promise<number> {
  const [{ n }] = await db(CODES).where({ user_id: userId }).whereNull('used_at').count({ n: '*' });
  return Number(n);
}

/** Records a sign-in waiting for its code (by the hash of its cookie value). */
export async function insertChallenge(db: DbOrTx, row: { token_hash: string; user_id: string; next_path: string | null; created: number; expires_at: number }): Promise<void> {
  await db(CHALLENGES).where({ user_id: row.user_id }).andWhere('expires_at', '<=', row.created).del();
  await db(CHALLENGES).insert(row);
}

/** The open challenge of this cookie, if it has not expired. */
export async function findChallenge(db: DbOrTx, tokenHash: string, now: number): Promise<{ user_id: string; next_path: string | null } | undefined> {
  return db(CHALLENGES).select('user_id', 'next_path').where({ token_hash: tokenHash }).andWhere('expires_at', '>', now).first();
}

/** Ends a challenge (used, or given up). */
export async function deleteChallenge(db: DbOrTx, tokenHash: string): Promise<void> {
  await db(CHALLENGES).where({ token_hash: tokenHash }).del();
}
