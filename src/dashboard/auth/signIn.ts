import type { ServiceContext } from '../../services/context';
import { findUserByEmail, recordFailedSignIn, updateUser, type UserRow } from '../db/users';
import { DUMMY_HASH, verifyPassword } from './passwords';

/** Wrong passwords in a row that lock a user's sign-in, and for how long. */
export const LOCKOUT_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** The outcome of a sign-in attempt; the refusal messages never say whether the email exists. */
export type SignInOutcome =
  | { ok: true; user: UserRow }
  | { ok: false; reason: 'wrong' | 'locked'; lockedUntil?: number };

/**
 * Checks an email and password. An unknown email (or an invited user without a password) costs the
 * same scrypt as a known one. A locked user is refused without checking the password, so guessing
 * during the lock learns nothing; the fifth wrong password in a row locks for LOCKOUT_MS.
 */
export async function checkSignIn(ctx: Pick<ServiceContext, 'db'>, email: string, password: string): Promise<SignInOutcome> {
  const now = Date.now();
  const user = await findUserByEmail(ctx.db, email);
  if (user?.locked_until && Number(user.locked_until) > now) return { ok: false, reason: 'locked', lockedUntil: Number(user.locked_until) };
  const matches = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !user.password_hash || !matches) {
    if (!user) return { ok: false, reason: 'wrong' };
    const after = await recordFailedSignIn(ctx.db, user.id, LOCKOUT_ATTEMPTS, now + LOCKOUT_MS, now);
    const lockedUntil = after.locked_until ? Number(after.locked_until) : 0;
    return lockedUntil > now ? { ok: false, reason: 'locked', lockedUntil } : { ok: false, reason: 'wrong' };
  }
  // With two-factor on, the count restarts only once the code is right too: a known password must not
  // reset the lockout that limits guessing the code.
  if (!user.totp_enabled_at && (user.failed_sign_ins !== 0 || user.locked_until)) await updateUser(ctx.db, user.id, { failed_sign_ins: 0, locked_until: null }, now);
  return { ok: true, user };
}
