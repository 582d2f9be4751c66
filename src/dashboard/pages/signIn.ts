import { Router } from 'express';
import { z } from 'zod';
import { html } from '../../page/html';
import { limiter, clientKey } from '../../page/rateLimits';
import type { ServiceContext } from '../../services/context';
import { checkSignIn } from '../auth/signIn';
import { clearSessionCookie, requireSignedIn, signedIn, startSession } from '../auth/session';
import { deleteSession, deleteUserSessions } from '../db/sessions';
import { findUserByInvite } from '../db/users';
import { passwordSchema, setPassword, tokenHash } from '../users';
import { document } from '../views/layout';
import { verifyPassword } from '../auth/passwords';
import { findUser } from '../db/users';
import { passwordForm } from '../views/passwordForm';
import { accountPage } from './account';
import { startChallenge } from './twoFactor';

/** Only a local path may be a `next` target (no open redirect to another site). */
export function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/dashboard(\/[\w/-]*)?(\?[\w=&%.-]*)?$/.test(next) ? next : fallback;
}

function signInPage(opts: { error?: string; email?: string; next?: string; status?: number }): string {
  return document('Sign in', html`<main id="main" class="signin">
<h1>Sign in to your dashboard</h1>
${opts.error ? html`<p class="alert" role="alert" data-testid="sign-in-error">${opts.error}</p>` : ''}
<form method="post" action="/dashboard/sign-in">
  <input type="hidden" name="next" value="${opts.next ?? ''}">
  <div class="field"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${opts.email ?? ''}"></div>
  <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <button type="submit" class="button primary">Sign in</button>
</form>
</main>`);
}

/**
 * Sign-in, sign-out (this browser or everywhere), invitations and the password change. Sign-in is
 * rate limited per client address and per email on top of the per-user lockout, so neither one
 * address guessing many accounts nor many addresses guessing one account get far.
 */
export function signInRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const perIp = limiter('dashboard-sign-in-ip', 30, clientKey);
  const perEmail = limiter('dashboard-sign-in-email', 10, (req) => `email:${String(req.body?.email ?? '').trim().toLowerCase()}`);
  const schema = z.object({ email: z.string().max(320), password: z.string().max(200), next: z.string().max(300).optional() }).passthrough();

  router.get('/sign-in', (req, res) => {
    if (req.dashboard) return void res.redirect(303, req.dashboard.user.account_id ? '/dashboard' : '/dashboard/admin');
    res.type('html').send(signInPage({ next: typeof req.query.next === 'string' ? req.query.next : '' }));
  });

  router.post('/sign-in', perIp, perEmail, async (req, res) => {
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).type('html').send(signInPage({ error: 'Enter your email and password.' }));
    const { email, password, next } = parsed.data;
    const outcome = await checkSignIn(ctx, email, password);
    if (!outcome.ok) {
      const error = outcome.reason === 'locked'
        ? `Too many wrong passwords: sign-in is locked until ${new Date(outcome.lockedUntil!).toISOString().slice(11, 16)} UTC.`
        : 'That email and password do not match an account.';
      return void res.status(outcome.reason === 'locked' ? 429 : 401).type('html').send(signInPage({ error, email, next }));
    }
    const target = safeNext(next, outcome.user.account_id ? '/dashboard' : '/dashboard/admin');
    if (outcome.user.totp_enabled_at) return void await startChallenge(ctx, req, res, outcome.user.id, target);
    await startSession(ctx, req, res, outcome.user.id);
    res.redirect(303, target);
  });

  router.post('/sign-out', async (req, res) => {
    if (req.dashboard) await deleteSession(ctx.db, req.dashboard.tokenHash);
    clearSessionCookie(ctx, req, res);
    res.redirect(303, '/dashboard/sign-in');
  });

  router.post('/sign-out-everywhere', requireSignedIn, async (req, res) => {
    await deleteUserSessions(ctx.db, signedIn(req).user.id);
    clearSessionCookie(ctx, req, res);
    res.redirect(303, '/dashboard/sign-in');
  });

  router.get('/invite/:token', async (req, res) => {
    const user = await findUserByInvite(ctx.db, tokenHash(req.params.token), Date.now());
    if (!user) return void res.status(404).type('html').send(document('Invitation', html`<main id="main" class="signin"><h1>Invitation expired</h1><p>This invitation link is not valid any more. Ask the account owner for a new one.</p></main>`));
    res.type('html').send(document('Set your password', html`<main id="main" class="signin">${passwordForm(`/dashboard/invite/${req.params.token}`, `Welcome, ${user.email}`, '')}</main>`));
  });

  router.post('/invite/:token', async (req, res) => {
    const user = await findUserByInvite(ctx.db, tokenHash(req.params.token), Date.now());
    if (!user) return void res.redirect(303, `/dashboard/invite/${req.params.token}`);
    const pw = passwordSchema.safeParse(req.body?.new_password);
    if (!pw.success) {
      return void res.status(400).type('html').send(document('Set your password', html`<main id="main" class="signin">${passwordForm(`/dashboard/invite/${req.params.token}`, `Welcome, ${user.email}`, '', pw.error.issues[0].message)}</main>`));
    }
    await setPassword(ctx, user.id, pw.data);
    await startSession(ctx, req, res, user.id);
    res.redirect(303, user.account_id ? '/dashboard' : '/dashboard/admin');
  });

  router.get('/account', requireSignedIn, async (req, res) => {
    res.type('html').send(await accountPage(ctx, req));
  });

  router.post('/account/password', requireSignedIn, async (req, res) => {
    const s = signedIn(req);
    const user = await findUser(ctx.db, s.user.id);
    const pw = passwordSchema.safeParse(req.body?.new_password);
    if (!user?.password_hash || !(await verifyPassword(String(req.body?.current_password ?? ''), user.password_hash))) {
      return void res.status(400).type('html').send(await accountPage(ctx, req, { passwordError: 'The current password is wrong.' }));
    }
    if (!pw.success) return void res.status(400).type('html').send(await accountPage(ctx, req, { passwordError: pw.error.issues[0].message }));
    // Other browsers are signed out: a changed password must shut out whoever knew the old one.
    await setPassword(ctx, s.user.id, pw.data, s.tokenHash);
    res.status(200).type('html').send(await accountPage(ctx, req, { flash: 'Password changed. Your other sessions were signed out.' }));
  });
  return router;
}
