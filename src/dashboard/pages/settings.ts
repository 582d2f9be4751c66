import { Router, type Request } from 'express';
import multer from 'multer';
import { ApiError, toApiError } from '../../api/errors';
import { updateAccountSchema } from '../../api/accounts/schema';
import { parseOr400 } from '../../api/validate';
import { findAccount } from '../../db/accounts';
import { findBranding } from '../../db/branding';
import { buttonColours, MAX_LOGO_BYTES } from '../../domain/branding';
import { CURRENCY_DECIMALS } from '../../domain/money';
import { pageBrand } from '../../page/brand';
import { brandingSchema } from '../../domain/input/branding';
import { decimalText, toleranceInRange } from '../../domain/input/common';
import { updateBranding } from '../../services/branding';
import { html, type SafeHtml } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { updateAccount } from '../../services/accounts';
import { can } from '../auth/roles';
import { checkCsrfToken, requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { MERCHANT_ROLES, type Role } from '../db/users';
import { accountUsers, changeUserRole, createUser, newUserSchema } from '../users';
import { badge, when } from '../views/format';
import { csrfField, dashboardPage } from '../views/layout';

function errorBox(err?: ApiError): SafeHtml | string {
  return err ? html`<p class="alert" role="alert" data-testid="form-error">${err.param ? html`<strong>${err.param}</strong>: ` : ''}${err.message}</p>` : '';
}

/** A refusal the form shows beside its fields: a 400, or a 409 (a taken email); anything else is thrown on. */
/**
 * The account form: the admin API's update schema, with the tolerance as the text typed, parsed as an
 * exact decimal (never through a float) under the same range rule and messages.
 */
const accountFormSchema = updateAccountSchema.extend({ amount_paid_tolerance: toleranceInRange(decimalText(2)).optional() });

function only400(err: unknown): ApiError {
  const known = toApiError(err);
  if (known?.status === 400 || known?.status === 409) return known;
  throw err;
}

/**
 * `/dashboard/settings`: the account (name, default tolerance, live xpub and on-chain settlement,
 * validated by the admin API's own schema and `updateAccount`) and its users (invite, change role,
 * remove). Owners only may change anything; everyone may read.
 */
export function settingsRoutes(ctx: ServiceContext): Router {
  const router = Router();

  const page = async (req: Request, extra: { error?: ApiError; flash?: string; inviteUrl?: string } = {}) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const [account, users, branding] = await Promise.all([findAccount(ctx.db, scope.accountId), accountUsers(ctx, scope.accountId), findBranding(ctx.db, scope.accountId)]);
    const brand = pageBrand(branding, account!.name);
    const accent = branding?.accent_color ?? null;
    const owner = can(s.user.role, 'settings.write');
    const dis = owner ? '' : html` disabled`;
    return dashboardPage(s, { title: 'Settings', current: '/dashboard/settings', flash: extra.flash, body: html`
<h1>Settings</h1>
${errorBox(extra.error)}
<h2>Account</h2>
<form method="post" action="/dashboard/settings/account" class="panel">${csrfField(s)}
  <p class="muted">Account <code>${account!.id}</code></p>
  <div class="form-grid">
    <div class="field"><label for="name">Name</label><input id="name" name="name" required value="${account!.name}"${dis}></div>
    <div class="field"><label for="amount_paid_tolerance">Default tolerance (%)</label><input id="amount_paid_tolerance" name="amount_paid_tolerance" inputmode="decimal" value="${account!.amount_paid_tolerance}"${dis}>
      <p class="hint">Underpayment still counted as paid, 0–5.</p></div>
    <div class="field"><label for="xpub">Live-mode xpub</label><input id="xpub" name="xpub" value="${account!.xpub_live ?? ''}" class="mono"${dis}>
      <p class="hint">Blank removes it. Checked against the node's network, as the API does.</p></div>
    <div class="field"><label for="onchain_settlement">Live on-chain settlement</label><select id="onchain_settlement" name="onchain_settlement"${dis}>
      ${[['platform', 'Platform wallet'], ['merchant_wallet', 'My own wallet (xpub)']].map(([v, l]) => html`<option value="${v}"${account!.onchain_settlement === v ? html` selected` : ''}>${l}</option>`)}</select></div>
    <div class="field"><label for="display_currency">Display currency</label><select id="display_currency" name="display_currency"${dis}>
      ${Object.keys(CURRENCY_DECIMALS).map((c) => html`<option${account!.display_currency === c ? html` selected` : ''}>${c}</option>`)}</select>
      <p class="hint">Home shows revenue in sats and in this currency, at each payment's own locked rate.</p></div>
  </div>
  ${owner ? html`<button type="submit" class="button primary">Save</button>` : ''}
</form>
<h2 id="branding">Payment page branding</h2>
<form method="post" action="/dashboard/settings/branding" enctype="multipart/form-data" class="panel">${csrfField(s)}
  <p class="muted">Shown on the hosted payment page (<code>/pay</code>, payment and checkout links) and on withdrawal-link pages.</p>
  ${brand.logoSrc ? html`<p><img class="logo-preview" src="${brand.logoSrc}" alt="Current logo" referrerpolicy="no-referrer" data-testid="logo-preview"></p>` : ''}
  <div class="form-grid">
    <div class="field"><label for="logo_url">Logo URL (https)</label><input id="logo_url" name="logo_url" type="url" inputmode="url" value="${branding?.logo_url ?? ''}"${dis}></div>
    <div class="field"><label for="logo_file">Or upload a logo</label><input id="logo_file" name="logo_file" type="file" accept="image/png,image/jpeg,image/gif,image/webp"${dis}>
      <p class="hint">PNG, JPEG, GIF or WebP, at most ${MAX_LOGO_BYTES / 1024} KB.</p></div>
    <div class="field"><label for="accent_color">Accent colour</label><input id="accent_color" name="accent_color" type="color" value="${accent ?? '#f7931a'}"${dis}>
      ${accent ? html`<p class="hint">Button text on it: ${buttonColours(accent).text === '#ffffff' ? 'white' : 'dark'}${buttonColours(accent).fill !== accent ? html`, on a darker shade (${buttonColours(accent).fill}): no text reads on this mid-tone at 4.5:1` : ''}, for contrast.</p>` : ''}</div>
  </div>
  <div class="choice"><input type="checkbox" id="default_accent" name="default_accent" value="on"${accent ? '' : html` checked`}${dis}><label for="default_accent">Use the page's own colour</label></div>
  ${brand.logoSrc ? html`<div class="choice"><input type="checkbox" id="remove_logo" name="remove_logo" value="on"${dis}><label for="remove_logo">Remove the logo</label></div>` : ''}
  ${owner ? html`<button type="submit" class="button primary" data-testid="save-branding">Save branding</button>` : ''}
</form>
<h2>Users and roles</h2>
${extra.inviteUrl ? html`<div class="secret" role="status"><p><strong>Invitation link, shown once</strong> (valid 7 days). Send it to the new user.</p>
  <div class="copy-field"><input id="invite-url" readonly value="${extra.inviteUrl}" aria-label="Invitation link" data-testid="invite-url"><button type="button" class="button" data-copy="invite-url">Copy</button></div></div>` : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table data-testid="users-table">
  <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Since</th>${owner ? html`<th scope="col">Change</th>` : ''}</tr></thead>
  <tbody>${users.map((u) => html`<tr data-user="${u.id}"><td>${u.email}</td><td>${u.role}</td><td>${badge(u.status)}</td><td>${when(u.created)}</td>
  ${owner ? html`<td><form method="post" action="/dashboard/settings/users/${u.id}" class="inline">${csrfField(s)}
    <label class="visually-hidden" for="role-${u.id}">Role of ${u.email}</label>
    <select id="role-${u.id}" name="role">${MERCHANT_ROLES.map((r) => html`<option${r === u.role ? html` selected` : ''}>${r}</option>`)}<option value="remove">remove</option></select>
    <button type="submit" class="button">Apply</button></form></td>` : ''}</tr>`)}</tbody>
</table></div>
${owner ? html`<form method="post" action="/dashboard/settings/users" class="panel toolbar">${csrfField(s)}
  <div class="field"><label for="invite-email">Invite by email</label><input id="invite-email" name="email" type="email" required></div>
  <div class="field"><label for="invite-role">Role</label><select id="invite-role" name="role">${MERCHANT_ROLES.map((r) => html`<option>${r}</option>`)}</select></div>
  <button type="submit" class="button primary">Invite</button>
</form>` : ''}` });
  };

  router.get('/settings', requirePermission('read'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/settings/account', requirePermission('settings.write'), async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      const input = parseOr400(accountFormSchema, {
        name: f.name, xpub: f.xpub?.trim() ?? '',
        ...(f.amount_paid_tolerance?.trim() ? { amount_paid_tolerance: f.amount_paid_tolerance } : {}),
        ...(f.onchain_settlement ? { onchain_settlement: f.onchain_settlement } : {}),
        ...(f.display_currency ? { display_currency: f.display_currency } : {}),
      });
      await updateAccount(ctx, scopeOfUser(req).accountId, input);
      res.type('html').send(await page(req, { flash: 'Account saved.' }));
    } catch (err) {
      res.status(400).type('html').send(await page(req, { error: only400(err) }));
    }
  });

  // The logo upload: parsed in memory (one file, at most MAX_LOGO_BYTES + 1 byte read), then the CSRF token checked.
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_LOGO_BYTES + 1, files: 1, fields: 8, fieldSize: 4096, parts: 10 } }).single('logo_file');
  router.post('/settings/branding', requirePermission('settings.write'), (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) return next(new ApiError(400, `The upload was refused (${err.code === 'LIMIT_FILE_SIZE' ? `larger than ${MAX_LOGO_BYTES / 1024} KB` : err.message}).`, 'logo_file'));
      if (err) return next(err);
      try {
        checkCsrfToken(req);
        next();
      } catch (e) {
        next(e);
      }
    });
  }, async (req, res) => {
    const f = (req.body ?? {}) as Record<string, string>;
    try {
      const input = parseOr400(brandingSchema, {
        ...(f.logo_url?.trim() ? { logo_url: f.logo_url } : {}), remove_logo: f.remove_logo === 'on',
        accent_color: f.default_accent === 'on' ? null : f.accent_color ?? null,
      });
      await updateBranding(ctx, scopeOfUser(req).accountId, input, req.file?.buffer);
      res.type('html').send(await page(req, { flash: 'Branding saved.' }));
    } catch (err) {
      res.status(400).type('html').send(await page(req, { error: only400(err) }));
    }
  });

  router.post('/settings/users', requirePermission('users.write'), async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      const input = parseOr400(newUserSchema, { email: f.email, role: f.role });
      const user = await createUser(ctx, scopeOfUser(req).accountId, input);
      res.type('html').send(await page(req, { inviteUrl: user.invite_url, flash: `${user.email} invited as ${user.role}.` }));
    } catch (err) {
      res.status(400).type('html').send(await page(req, { error: only400(err) }));
    }
  });

  router.post('/settings/users/:userId', requirePermission('users.write'), async (req, res) => {
    const role = String((req.body as Record<string, string>).role ?? '');
    try {
      if (role !== 'remove' && !(MERCHANT_ROLES as readonly string[]).includes(role)) throw new ApiError(400, 'Choose a role.', 'role');
      await changeUserRole(ctx, scopeOfUser(req).accountId, String(req.params.userId), role === 'remove' ? null : role as Role);
      res.type('html').send(await page(req, { flash: role === 'remove' ? 'User removed.' : `Role changed to ${role}.` }));
    } catch (err) {
      res.status(400).type('html').send(await page(req, { error: only400(err) }));
    }
  });
  return router;
}
