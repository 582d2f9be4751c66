import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { findAccount } from '../db/accounts';
import { ApiError, NotFoundError } from '../api/errors';
import { CheckoutError } from '../domain/errors';
import type { ServiceContext } from '../services/context';
import { hashPassword, MIN_PASSWORD_LENGTH } from './auth/passwords';
import { deleteUserSessions } from './db/sessions';
import { countOwners, deleteUser, findUser, insertUser, listUsers, updateUser, type Role, type UserRow } from './db/users';

/** How long an invitation link stays valid. */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

/** A password field: length bounds only (NIST SP 800-63B: no composition rules); scrypt bounds the work, not the length. */
export const passwordSchema = z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`).max(200);

/** Body of `POST /accounts/{id}/users` and of the owner's invitation form. */
export const newUserSchema = z.object({
  // The document's pattern is a plain subset of zod's email rule (no quotes, no lookarounds), so what a
  // client or fuzzer draws from it is accepted; no `format: email` (generated Python clients would need email-validator).
  email: z.string().trim().toLowerCase().pipe(z.email().max(320))
    .meta({ pattern: '^[A-Za-z0-9_+-]+(\\.[A-Za-z0-9_+-]+)*@([A-Za-z0-9][A-Za-z0-9-]*\\.)+[A-Za-z]{2,}$', maxLength: 320, description: 'an email address (stored in lower case)' }),
  role: z.enum(['owner', 'developer', 'viewer']),
  /** Without a password the answer carries a one-time invitation URL where the user sets one. */
  password: passwordSchema.optional(),
}).strict();

export type NewUser = z.infer<typeof newUserSchema>;

/** A user as the API and the dashboard show it (never its hash or tokens). */
export function userView(u: UserRow) {
  return {
    id: u.id, object: 'user', account: u.account_id, email: u.email, role: u.role,
    status: u.password_hash ? 'active' : 'invited', created: Number(u.created),
  };
}

function newUserId(): string {
  return `usr_${randomBytes(16).toString('hex')}`; // word characters only, like every other object ID
}

/** SHA-256 of a bearer token (invitation or session cookie): stored instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates a user of a merchant account (`accountId`) or the platform admin (`null`). With a password
 * the user can sign in at once; without one the result carries `invite_url`, shown once, valid for
 * INVITE_TTL_MS. A taken email is a 409 `resource_already_exists` naming `email`.
 */
export async function createUser(
  ctx: Pick<ServiceContext, 'db' | 'config'>, accountId: string | null, input: { email: string; role: Role; password?: string },
): Promise<ReturnType<typeof userView> & { invite_url?: string }> {
  if (accountId !== null && !(await findAccount(ctx.db, accountId))) throw new NotFoundError('account', accountId);
  const now = Date.now();
  const invite = input.password ? null : randomBytes(24).toString('base64url');
  const row = await insertUser(ctx.db, {
    id: newUserId(), account_id: accountId, email: input.email.trim().toLowerCase(), role: input.role,
    password_hash: input.password ? await hashPassword(input.password) : null,
    invite_token_hash: invite ? tokenHash(invite) : null, invite_expires_at: invite ? String(now + INVITE_TTL_MS) : null,
    created: String(now), modified: String(now),
  });
  if (!row) throw CheckoutError.alreadyExists('A user with this email already exists.', 'email');
  return { ...userView(row), ...(invite ? { invite_url: `${ctx.config.publicUrl}/dashboard/invite/${invite}` } : {}) };
}

/** Sets a user's password (invitation accepted, password changed or reset) and ends their other sessions. */
export async function setPassword(ctx: Pick<ServiceContext, 'db'>, userId: string, password: string, keepSessionHash?: string): Promise<void> {
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (tx) => {
    await updateUser(tx, userId, { password_hash: hash, invite_token_hash: null, invite_expires_at: null, failed_sign_ins: 0, locked_until: null }, Date.now());
    await deleteUserSessions(tx, userId, keepSessionHash);
  });
}

/** An account's users as shown. */
export async function accountUsers(ctx: Pick<ServiceContext, 'db'>, accountId: string) {
  return (await listUsers(ctx.db, accountId)).map(userView);
}

/**
 * Changes a user's role, or removes the user (`role` null). The last owner stays (an account must keep
 * someone who can manage it). The user's sessions end, so a lowered role applies at once.
 */
export async function changeUserRole(ctx: Pick<ServiceContext, 'db'>, accountId: string, userId: string, role: Role | null): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const user = await findUser(tx, userId, accountId);
    if (!user) throw new NotFoundError('user', userId);
    if (user.role === 'owner' && role !== 'owner' && (await countOwners(tx, accountId)) <= 1) {
      throw new ApiError(400, 'An account keeps at least one owner.', 'role');
    }
    if (role === null) await deleteUser(tx, userId, accountId);
    else {
      await updateUser(tx, userId, { role }, Date.now());
      await deleteUserSessions(tx, userId);
    }
  });
}
