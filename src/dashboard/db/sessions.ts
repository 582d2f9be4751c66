import type { DbOrTx } from '../../db/knex';
import { USERS, type UserRow } from './users';

const SESSIONS = 'dashboard_sessions';

/** A signed-in browser: the user, the session's CSRF token and the mode it is looking at. */
export interface SignedIn {
  tokenHash: string;
  csrfToken: string;
  livemode: boolean;
  user: Pick<UserRow, 'id' | 'account_id' | 'email' | 'role'>;
}

/** Stores a new session (by the hash of its cookie value). */
export async function insertSession(
  db: DbOrTx, row: { token_hash: string; user_id: string; csrf_token: string; created: number; expires_at: number },
): Promise<void> {
  await db(SESSIONS).insert({ ...row, livemode: false });
}

/** The session and its user in one statement, if the session has not expired. */
export async function findSignedIn(db: DbOrTx, tokenHash: string, now: number): Promise<SignedIn | undefined> {
  const row = await db(`${SESSIONS} as s`).join(`${USERS} as u`, 'u.id', 's.user_id')
    .select('s.token_hash', 's.csrf_token', 's.livemode', 'u.id', 'u.account_id', 'u.email', 'u.role')
    .where('s.token_hash', tokenHash).andWhere('s.expires_at', '>', now).first();
  if (!row) return undefined;
  return {
    tokenHash: row.token_hash, csrfToken: row.csrf_token, livemode: row.livemode,
    user: { id: row.id, account_id: row.account_id, email: row.email, role: row.role },
  };
}

/** Switches a session between test and live data. */
export async function setSessionMode(db: DbOrTx, tokenHash: string, livemode: boolean): Promise<void> {
  await db(SESSIONS).where({ token_hash: tokenHash }).update({ livemode });
}

/** Ends one session (sign out). */
export async function deleteSession(db: DbOrTx, tokenHash: string): Promise<void> {
  await db(SESSIONS).where({ token_hash: tokenHash }).del();
}

/** Ends every session of a user (sign out everywhere, a password change, a removed role). */
export async function deleteUserSessions(db: DbOrTx, userId: string, exceptTokenHash?: string): Promise<number> {
  const q = db(SESSIONS).where({ user_id: userId });
  if (exceptTokenHash) q.andWhereNot({ token_hash: exceptTokenHash });
  return q.del();
}

/** Drops expired sessions of a user (done at sign-in, so the table never grows without bound per user). */
export async function deleteExpiredSessions(db: DbOrTx, userId: string, now: number): Promise<void> {
  await db(SESSIONS).where({ user_id: userId }).andWhere('expires_at', '<=', now).del();
}
