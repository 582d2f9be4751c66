import { randomBytes } from 'node:crypto';
import { parse, serialize } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { html } from '../../page/html';
import { clientKey, limiter } from '../../page/rateLimits';
import type { ServiceContext } from '../../services/context';
import { verifyPassword } from '../auth/passwords';
import { requireSignedIn, signedIn, startSession } from '../auth/session';
import { LOCKOUT_ATTEMPTS, LOCKOUT_MS } from '../auth/signIn';
import { newRecoveryCodes, newTotpSecret, normaliseRecoveryCode, totpStep } from '../auth/totp';
import {
  confirmEnrolment, deleteChallenge, disableTwoFactor, findChallenge, insertChallenge, setPendingSecret, useRecoveryCode, useTotpStep,
} from '../db/twoFactor';
import { openTotpSecret, sealTotpSecret } from '../db/totpSealing';
import { findUser, recordFailedSignIn, updateUser, type UserRow } from '../db/users';
import { tokenHash } from '../users';
import { document } from '../views/layout';
import { accountPage } from './account';

/** How long a sign-in that passed the password waits for its code. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

function challengeCookie(ctx: ServiceContext, req: Request): { name: string; secure: boolean } {
  const secure = req.secure || ctx.config.publicUrl.startsWith('https://');
  return { name: secure ? '__Host-dashboard-2fa' : 'dashboard_2fa', secure };
}

/**
 * The password was right and the user has two-factor on: no session yet, a challenge instead (a random
 * cookie value, stored hashed, 5 minutes, single use); the browser goes on to the code form.
 */
export async function startChallenge(ctx: ServiceContext, req: Request, res: Response, userId: string, next: string | null): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  await insertChallenge(ctx.db, { token_hash: tokenHash(token), user_id: userId, next_path: next, created: now, expires_at: now + CHALLENGE_TTL_MS });
  const c = challengeCookie(ctx, req);
  res.append('set-cookie', serialize(c.name, token, { httpOnly: true, sameSite: 'lax', secure: c.secure, path: '/', maxAge: CHALLENGE_TTL_MS / 1000 }));
  res.redirect(303, '/dashboard/sign-in/two-factor');
}

/**
 * Checks a typed code for a user with two-factor on: six digits are a TOTP code (its step used once,
 * never an earlier one), anything else a recovery code (spent once). True when it signs the user in.
 */
async function acceptCode(ctx: ServiceContext, user: UserRow, typed: string, now: number): Promise<boolean> {
  const secret = openTotpSecret(ctx, user.id, user.totp_secret);
  if (!secret) return false;
  if (/^\s*\d{6}\s*$/.test(typed)) {
    const step = totpStep(secret, typed, now);
    return step !== null && useTotpStep(ctx.db, user.id, step, now);
  }
  const code = normaliseRecoveryCode(typed);
  return code !== null && useRecoveryCode(ctx.db, user.id, tokenHash(code), now);
}

function codePage(opts: { error?: string; status?: number }): string {
  return document('Two-factor sign-in', html`<main id="main" class="signin">
<h1>Enter your authentication code</h1>
${opts.error ? html`<p class="alert" role="alert" data-testid="sign-in-error">${opts.error}</p>` : ''}
<form method="post" action="/dashboard/sign-in/two-factor">
  <div class="field"><label for="code">Authentication code</label><input id="code" name="code" autocomplete="one-time-code" inputmode="text" required autofocus>
  <p class="hint">The 6-digit code from your authenticator app, or one of your recovery codes.</p></div>
  <button type="submit" class="button primary">Verify</button>
</form>
<p><a href="/dashboard/sign-in">Start again</a></p>
</main>`);
}

/**
 * The second step of sign-in (`/dashboard/sign-in/two-factor`) and two-factor on the account page
 * (enrol with a QR code and a confirming code, recovery codes shown once, turn off with the password).
 * Wrong codes count towards the same lockout as wrong passwords (five in a row lock sign-in for 15
 * minutes), and the same per-address limit applies, so the code is no easier to guess than a password.
 */
export function twoFactorRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const perIp = limiter('dashboard-two-factor-ip', 30, clientKey);
  const perUser = limiter('dashboard-two-factor-user', 10, (req) => `user:${req.dashboard?.user.id ?? clientKey(req)}`);

  const challengeOf = async (req: Request) => {
    const token = parse(req.headers.cookie ?? '')[challengeCookie(ctx, req).name];
    if (!token) return undefined;
    const hash = tokenHash(token);
    const c = await findChallenge(ctx.db, hash, Date.now());
    return c ? { ...c, hash } : undefined;
  };

  router.get('/sign-in/two-factor', async (req, res) => {
    if (!(await challengeOf(req))) return void res.redirect(303, '/dashboard/sign-in');
    res.type('html').send(codePage({}));
  });

  router.post('/sign-in/two-factor', perIp, async (req, res) => {
    const challenge = await challengeOf(req);
    if (!challenge) return void res.redirect(303, '/dashboard/sign-in');
    const now = Date.now();
    const user = await findUser(ctx.db, challenge.user_id);
    if (!user?.totp_secret) return void res.redirect(303, '/dashboard/sign-in');
    const locked = (until: number) => res.status(429).type('html').send(codePage({ error: `Too many wrong codes: sign-in is locked until ${new Date(until).toISOString().slice(11, 16)} UTC.` }));
    if (user.locked_until && Number(user.locked_until) > now) return void locked(Number(user.locked_until));
    if (!(await acceptCode(ctx, user, String(req.body?.code ?? ''), now))) {
      const after = await recordFailedSignIn(ctx.db, user.id, LOCKOUT_ATTEMPTS, now + LOCKOUT_MS, now);
      if (after.locked_until && Number(after.locked_until) > now) {
        await deleteChallenge(ctx.db, challenge.hash);
        return void locked(Number(after.locked_until));
      }
      return void res.status(401).type('html').send(codePage({ error: 'That code is not right (or was already used).' }));
    }
    await deleteChallenge(ctx.db, challenge.hash);
    if (user.failed_sign_ins !== 0 || user.locked_until) await updateUser(ctx.db, user.id, { failed_sign_ins: 0, locked_until: null }, now);
    const c = challengeCookie(ctx, req);
    res.append('set-cookie', serialize(c.name, '', { httpOnly: true, sameSite: 'lax', secure: c.secure, path: '/', maxAge: 0 }));
    await startSession(ctx, req, res, user.id);
    res.redirect(303, challenge.next_path ?? (user.account_id ? '/dashboard' : '/dashboard/admin'));
  });

  router.post('/account/two-factor/start', requireSignedIn, perUser, async (req, res) => {
    const s = signedIn(req);
    const user = await findUser(ctx.db, s.user.id);
    if (user?.totp_enabled_at) return void res.redirect(303, '/dashboard/account');
    await setPendingSecret(ctx.db, s.user.id, sealTotpSecret(ctx, s.user.id, newTotpSecret()), Date.now());
    res.redirect(303, '/dashboard/account#two-factor');
  });

  router.post('/account/two-factor/confirm', requireSignedIn, perUser, async (req, res) => {
    const s = signedIn(req);
    const user = await findUser(ctx.db, s.user.id);
    // The stored (sealed) pending key moves to totp_secret as it is: both columns share the row's binding.
    const stored = user?.totp_pending_secret;
    if (!user || user.totp_enabled_at || !stored) return void res.redirect(303, '/dashboard/account');
    const now = Date.now();
    const step = totpStep(openTotpSecret(ctx, user.id, stored)!, String(req.body?.code ?? ''), now);
    if (step === null) return void res.status(400).type('html').send(await accountPage(ctx, req, { twoFactorError: 'That code is not right: check the app shows this account, and try the next code.' }));
    const codes = newRecoveryCodes();
    if (!(await confirmEnrolment(ctx.db, user.id, stored, step, codes.map((c) => tokenHash(c.replace(/-/g, ''))), now))) return void res.redirect(303, '/dashboard/account');
    res.type('html').send(await accountPage(ctx, req, { recoveryCodes: codes, flash: 'Two-factor sign-in is on.' }));
  });

  router.post('/account/two-factor/disable', requireSignedIn, perUser, async (req, res) => {
    const s = signedIn(req);
    const user = await findUser(ctx.db, s.user.id);
    const now = Date.now();
    if (!user?.password_hash || !(await verifyPassword(String(req.body?.password ?? ''), user.password_hash))) {
      if (user) await recordFailedSignIn(ctx.db, user.id, LOCKOUT_ATTEMPTS, now + LOCKOUT_MS, now);
      return void res.status(400).type('html').send(await accountPage(ctx, req, { twoFactorError: 'The password is wrong.' }));
    }
    await disableTwoFactor(ctx.db, user.id, now);
    res.type('html').send(await accountPage(ctx, req, { flash: 'Two-factor sign-in is off.' }));
  });
  return router;
}

