import type { Request } from 'express';
import QRCode from 'qrcode';
import { html, trusted, type SafeHtml } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { signedIn } from '../auth/session';
import { totpUri } from '../auth/totp';
import { openTotpSecret } from '../db/totpSealing';
import { recoveryCodesLeft } from '../db/twoFactor';
import { findUser } from '../db/users';
import { csrfField, dashboardPage } from '../views/layout';
import { passwordForm } from '../views/passwordForm';

/**
 * `/dashboard/account`: the signed-in user's own page (password change, two-factor sign-in, sign out
 * everywhere), rendered after each of its actions with that action's message.
 */
export async function accountPage(ctx: ServiceContext, req: Request, extra: TwoFactorExtra & { passwordError?: string } = {}): Promise<string> {
  const s = signedIn(req);
  return dashboardPage(s, { title: 'Your account', current: '', flash: extra.flash, body: html`
${passwordForm('/dashboard/account/password', 'Change your password', html`${csrfField(s)}<div class="field"><label for="current_password">Current password</label><input id="current_password" name="current_password" type="password" autocomplete="current-password" required></div>`, extra.passwordError)}
${await twoFactorSection(ctx, req, extra)}
<h2>Sessions</h2>
<form method="post" action="/dashboard/sign-out-everywhere" class="panel">${csrfField(s)}
  <p>Signs out every browser where you are signed in, this one included.</p>
  <button type="submit" class="button danger">Sign out everywhere</button>
</form>` });
}

/** What the account page shows about two-factor after an action. */
export interface TwoFactorExtra { twoFactorError?: string; recoveryCodes?: string[]; flash?: string }

/** The account page's two-factor section: off (a button), being enrolled (QR, secret, code), or on. */
export async function twoFactorSection(ctx: ServiceContext, req: Request, extra: TwoFactorExtra): Promise<SafeHtml> {
  const s = signedIn(req);
  const user = (await findUser(ctx.db, s.user.id))!;
  const error = extra.twoFactorError ? html`<p class="alert" role="alert" data-testid="two-factor-error">${extra.twoFactorError}</p>` : '';
  if (user.totp_enabled_at) {
    const left = await recoveryCodesLeft(ctx.db, user.id);
    return html`<h2 id="two-factor">Two-factor sign-in</h2>
${extra.recoveryCodes ? html`<div class="secret" role="status"><p><strong>Recovery codes, shown once.</strong> Keep them somewhere safe: each signs you in once if you lose your phone.</p>
  <ul class="codes mono" data-testid="recovery-codes">${extra.recoveryCodes.map((c) => html`<li>${c}</li>`)}</ul></div>` : ''}
<div class="panel"><p data-testid="two-factor-status">On since ${new Date(Number(user.totp_enabled_at)).toISOString().slice(0, 10)}; ${left} recovery codes left.</p>
${error}
<form method="post" action="/dashboard/account/two-factor/disable">${csrfField(s)}
  <div class="field"><label for="disable-password">Password (to turn two-factor off)</label><input id="disable-password" name="password" type="password" autocomplete="current-password" required></div>
  <button type="submit" class="button danger">Turn off two-factor</button>
</form></div>`;
  }
  const pending = openTotpSecret(ctx, user.id, user.totp_pending_secret);
  if (pending) {
    const uri = totpUri(pending, user.email);
    const qr = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return html`<h2 id="two-factor">Two-factor sign-in</h2>
<div class="panel"><p>Scan the code with an authenticator app (or type the key), then enter the 6-digit code it shows.</p>
  <div class="qr">${trusted(qr.replace('<svg ', '<svg role="img" aria-label="QR code for your authenticator app" '))}</div>
  <p>Key: <code data-testid="totp-secret">${pending}</code></p>
  ${error}
  <form method="post" action="/dashboard/account/two-factor/confirm">${csrfField(s)}
    <div class="field"><label for="confirm-code">Code from the app</label><input id="confirm-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" required></div>
    <button type="submit" class="button primary">Turn on two-factor</button>
  </form></div>`;
  }
  return html`<h2 id="two-factor">Two-factor sign-in</h2>
<form method="post" action="/dashboard/account/two-factor/start" class="panel">${csrfField(s)}
  <p>Off. With it on, signing in also asks for a code from an authenticator app on your phone.</p>
  <button type="submit" class="button primary">Set up two-factor</button>
</form>`;
}
