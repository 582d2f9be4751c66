import { Router, type Request } from 'express';
import { z } from 'zod';
import { createWithdrawalLinkSchema, WITHDRAWAL_LINK_STATUSES } from '../../api/withdrawalLinks/schema';
import { objectId } from '../../domain/input/common';
import { parseOr400 } from '../../api/validate';
import { CURRENCY_DECIMALS } from '../../domain/money';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import {
  createWithdrawalLink, deactivateWithdrawalLink, getWithdrawalLink, listWithdrawalLinkViews,
} from '../../services/withdrawalLinks';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, money, sats, when } from '../views/format';
import { errorBox, formSeed, given, newFormSeed, numberOf, only400 } from '../views/forms';
import { csrfField, dashboardPage, postButton } from '../views/layout';
import { moneyTabs, shareBox } from '../views/moneyTabs';
import { pageLimit, pager } from '../views/pager';

const listSchema = z.object({
  status: z.enum(WITHDRAWAL_LINK_STATUSES).or(z.literal('')).optional(),
  limit: pageLimit,
  starting_after: objectId('wlink').optional(),
  ending_before: objectId('wlink').optional(),
}).strict();

type Values = Record<string, string | undefined>;

/** The form as `POST /withdrawal-links` takes it; the lifetime is asked in hours and sent in seconds. */
function bodyOf(f: Values) {
  const hours = numberOf(f.ttl_hours);
  return {
    amount: numberOf(f.amount), currency: given(f.currency) ?? 'SATS',
    ...(hours === undefined ? {} : { ttl: typeof hours === 'number' ? Math.round(hours * 3600) : hours }),
    ...(given(f.description) ? { description: given(f.description) } : {}),
  };
}

/**
 * `/dashboard/withdrawal-links`: links a customer or payee claims with a Lightning wallet (LNURL-withdraw),
 * each with its status, amount, fee and failure reason; an owner creates one (the API's schema and
 * `createWithdrawalLink`: priced, reserved, its workflow started) and deactivates an active one.
 */
export function withdrawalLinkPageRoutes(ctx: ServiceContext): Router {
  const router = Router();

  const page = async (req: Request, extra: { error?: { message: string; param?: string }; values?: Values } = {}) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const q = parseOr400(listSchema, extra.values ? {} : req.query);
    const { data, hasMore } = await listWithdrawalLinkViews(ctx, scope, { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before, status: q.status || undefined });
    const v = extra.values ?? {};
    return dashboardPage(s, { title: 'Withdrawal links', current: '/dashboard/money', body: html`
<h1>Money</h1>
${moneyTabs('/dashboard/withdrawal-links')}
<h2>Withdrawal links</h2>
${can(s.user.role, 'money.write') ? html`<details class="panel"${extra.error ? html` open` : ''}><summary><strong>New withdrawal link</strong></summary>
${errorBox(extra.error)}
<form method="post" action="/dashboard/withdrawal-links">${csrfField(s)}${newFormSeed()}
  <div class="form-grid">
    <div class="field"><label for="wl-amount">Amount</label><input id="wl-amount" name="amount" inputmode="decimal" required value="${v.amount ?? ''}"></div>
    <div class="field"><label for="wl-currency">Currency</label><select id="wl-currency" name="currency">
      ${Object.keys(CURRENCY_DECIMALS).map((c) => html`<option${c === (v.currency ?? 'SATS') ? html` selected` : ''}>${c}</option>`)}</select></div>
    <div class="field"><label for="wl-ttl">Valid for (hours)</label><input id="wl-ttl" name="ttl_hours" inputmode="numeric" value="${v.ttl_hours ?? ''}">
      <p class="hint">Blank: until claimed or deactivated.</p></div>
    <div class="field"><label for="wl-description">Description (shown in the wallet)</label><input id="wl-description" name="description" maxlength="639" value="${v.description ?? ''}"></div>
  </div>
  <p class="hint">The amount, converted to sats now, and a routing-fee limit are reserved until the link is claimed, expires or is deactivated.</p>
  <button type="submit" class="button primary" data-testid="create-withdrawal-link">Create link</button>
</form></details>` : ''}
<form method="get" action="/dashboard/withdrawal-links" class="toolbar">
  <div class="field"><label for="wl-status">Status</label><select id="wl-status" name="status"><option value="">All</option>
    ${WITHDRAWAL_LINK_STATUSES.map((st) => html`<option${st === q.status ? html` selected` : ''}>${st}</option>`)}</select></div>
  <button type="submit" class="button">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Withdrawal links"><table data-testid="withdrawal-links-table">
  <thead><tr><th scope="col">Created</th><th scope="col">Link</th><th scope="col">Status</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Sats</th>
    <th scope="col" class="num">Routing fee</th><th scope="col">Expires</th><th scope="col">For</th></tr></thead>
  <tbody>${data.length === 0 ? html`<tr><td colspan="8" class="muted">No withdrawal links.</td></tr>` : ''}
  ${data.map((l) => html`<tr data-withdrawal-link="${l.id}"><td>${when(l.created)}</td><td><a class="mono" href="/dashboard/withdrawal-links/${l.id}">${l.id}</a></td>
    <td>${badge(l.status)}${l.failure_reason ? html`<br><span class="error">${l.failure_reason}</span>` : ''}</td>
    <td class="num">${money(String(l.amount), l.currency)}</td><td class="num">${sats(String(l.target_amount))}</td>
    <td class="num">${l.fee === null ? html`<span class="muted">≤ ${sats(String(l.fee_limit))}</span>` : sats(String(l.fee))}</td>
    <td>${l.expires_at ? when(l.expires_at) : 'never'}</td>
    <td>${l.refund ? html`Refund <a class="mono" href="/dashboard/refunds/${l.refund}">${l.refund}</a>` : l.description ?? ''}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/withdrawal-links', { status: q.status ?? '', limit: q.limit === 25 ? '' : String(q.limit) }, data.map((l) => l.id), hasMore, q)}` });
  };

  router.get('/withdrawal-links', requirePermission('read'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/withdrawal-links', requirePermission('money.write'), async (req, res) => {
    const scope = scopeOfUser(req);
    const form = req.body as Values;
    try {
      const input = parseOr400(createWithdrawalLinkSchema, bodyOf(form));
      const link = await createWithdrawalLink(ctx, scope, input, formSeed(scope, form));
      res.redirect(303, `/dashboard/withdrawal-links/${link.id}`);
    } catch (err) {
      const e = only400(err);
      res.status(400).type('html').send(await page(req, { error: { message: e.message, param: e.param }, values: form }));
    }
  });

  router.get('/withdrawal-links/:id', requirePermission('read'), async (req, res) => {
    const s = signedIn(req);
    const link = await getWithdrawalLink(ctx, String(req.params.id), scopeOfUser(req));
    const claimable = link.status === 'active';
    res.type('html').send(dashboardPage(s, { title: link.id, current: '/dashboard/money', body: html`
<h1>Withdrawal link <code>${link.id}</code></h1>
<p>${badge(link.status)} ${money(String(link.amount), link.currency)} = ${sats(String(link.target_amount))}${link.refund ? html` · refund <a class="mono" href="/dashboard/refunds/${link.refund}">${link.refund}</a>` : ''}</p>
${link.failure_reason ? html`<p class="alert" role="alert">${link.failure_reason}</p>` : ''}
<div class="panel">
  ${claimable ? await shareBox('withdrawal-url', 'Page to give the recipient', link.url) : html`<p>Its page: <code>${link.url}</code></p>`}
  ${claimable && can(s.user.role, 'money.write') ? html`<p>${postButton(s, `/dashboard/withdrawal-links/${link.id}/deactivate`, 'Deactivate', { danger: true, confirm: 'Deactivate this link? Nobody can claim it any more; its reserve goes back to the balance.', testId: 'deactivate-withdrawal-link' })}</p>` : ''}
</div>
<dl class="dl panel">
  <dt>Created</dt><dd>${when(link.created)}</dd>
  <dt>Expires</dt><dd>${link.expires_at ? when(link.expires_at) : 'never'}</dd>
  <dt>Rate</dt><dd>${String(link.exchange_rate)} sats per ${link.currency}</dd>
  <dt>Routing fee</dt><dd>${link.fee === null ? html`up to ${sats(String(link.fee_limit))}` : sats(String(link.fee))}</dd>
  ${link.paid_at ? html`<dt>Paid</dt><dd>${when(link.paid_at)}</dd>` : ''}
  ${link.payment_hash ? html`<dt>Payment hash</dt><dd><code>${link.payment_hash}</code></dd>` : ''}
  ${link.description ? html`<dt>Description</dt><dd>${link.description}</dd>` : ''}
  <dt>LNURL</dt><dd><code>${link.withdraw_request}</code></dd>
</dl>` }));
  });

  router.post('/withdrawal-links/:id/deactivate', requirePermission('money.write'), async (req, res) => {
    await deactivateWithdrawalLink(ctx, String(req.params.id), scopeOfUser(req));
    res.redirect(303, `/dashboard/withdrawal-links/${req.params.id}`);
  });
  return router;
}
