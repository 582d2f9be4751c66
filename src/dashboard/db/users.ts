import type { DbOrTx } from '../../db/knex';

export const USERS = 'dashboard_users';

/** Roles: `admin` is the platform admin (no account); the others belong to one merchant account. */
export type Role = 'owner' | 'developer' | 'viewer' | 'admin';
export const MERCHANT_ROLES = ['owner', 'developer', 'viewer'] as const;

/** A dashboard_users row (int8 columns as strings, as `pg` returns them). */
export interface UserRow {
  id: string;
  account_id: string | null;
  email: string;
  role: Role;
  password_hash: string | null;
  invite_token_hash: string | null;
  invite_expires_at: string | null;
  failed_sign_ins: number;
  locked_until: string | null;
  /** TOTP: the confirmed secret (base32), one being enrolled, when it was turned on, the last step used. */
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: string | null;
  totp_last_step: string | null;
  created: string;
  modified: string;
}

const COLUMNS = ['id', 'account_id', 'email', 'role', 'password_hash', 'invite_token_hash', 'invite_expires_at',
  'failed_sign_ins', 'locked_until', 'totp_secret', 'totp_pending_secret', 'totp_enabled_at', 'totp_last_step', 'created', 'modified'];

/** Inserts a user; returns undefined when the email is taken (UNIQUE), so callers answer 400, not 500. */
export async function insertUser(db: DbOrTx, row: Omit<UserRow, 'failed_sign_ins' | 'locked_until' | `totp_${string}`>): Promise<UserRow | undefined> {
  const [inserted] = await db(USERS).insert({ ...row, failed_sign_ins: 0 }).onConflict('email').ignore().returning(COLUMNS);
  return inserted as UserRow | undefined;
}

/** The user with this email (emails are stored lower-cased). */
export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  return db(USERS).select(COLUMNS).where({ email: email.trim().toLowerCase() }).first();
}

/** A user by ID, scoped to an account when one is given (another account's user is not found). */
export async function findUser(db: DbOrTx, id: string, accountId?: string): Promise<UserRow | undefined> {
  return db(USERS).select(COLUMNS).where({ id, ...(accountId ? { account_id: accountId } : {}) }).first();
}

/** The user holding this (hashed) invitation token, if it has not expired. */
export async function findUserByInvite(db: DbOrTx, tokenHash: string, now: number): Promise<UserRow | undefined> {
  return db(USERS).select(COLUMNS).where({ invite_token_hash: tokenHash }).andWhere('invite_expires_at', '>', now).first();
}

/** An account's users, oldest first. */
export async function listUsers(db: DbOrTx, accountId: string): Promise<UserRow[]> {
  return db(USERS).select(COLUMNS).where({ account_id: accountId }).orderBy([{ column: 'created' }, { column: 'id' }]);
}

/** Updates a user's columns. */
export async function updateUser(db: DbOrTx, id: string, patch: Partial<UserRow>, now: number): Promise<void> {
  await db(USERS).where({ id }).update({ ...patch, modified: now });
}

/**
 * Counts a wrong password in one statement (no read-modify-write race between two guesses): the
 * counter goes up, and reaching `limit` locks the user until `lockUntil` and restarts the count.
 * Returns the new state.
 */
export async function recordFailedSignIn(
  db: DbOrTx, id: string, limit: number, lockUntil: number, now: number,
): Promise<{ failed_sign_ins: number; locked_until: string | null }> {
  const [row] = await db(USERS).where({ id }).update({
    failed_sign_ins: db.raw('case when failed_sign_ins + 1 >= ? then 0 else failed_sign_ins + 1 end', [limit]),
    locked_until: db.raw('case when failed_sign_ins + 1 >= ? then ? else locked_until end', [limit, lockUntil]),
    modified: now,
  }).returning(['failed_sign_ins', 'locked_until']);
  return row;
}

/** Deletes a user (their sessions go with them: ON DELETE CASCADE). */
export async function deleteUser(db: DbOrTx, id: string, accountId: string): Promise<number> {
  return db(USERS).where({ id, account_id: accountId }).del();
}

/** How many owners an account has (the last owner cannot be removed or demoted). */
export async function countOwners(db: DbOrTx, accountId: string): Promise<number> {
  const [{ n }] = await db(USERS).where({ account_id: accountId, role: 'owner' }).count({ n: '*' });
  return Number(n);
}
