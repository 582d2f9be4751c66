import { Router, type Request } from 'express';
import { z } from 'zod';
import { createInstantSendSchema } from '../../api/instantSends/schema';
import { objectId } from '../../domain/input/common';
import { parseOr400 } from '../../api/validate';
import { CURRENCY_DECIMALS } from '../../domain/money';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { createInstantSend, listInstantSends } from '../../services/payouts';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, money, sats, when } from '../views/format';
import { errorBox, formSeed, given, newFormSeed, numberOf, only400 } from '../views/forms';
import { csrfField, dashboardPage } from '../views/layout';
import { moneyTabs } from '../views/moneyTabs';
import { pageLimit, pager } from '../views/pager';

const listSchema = z.object({
  status: z.enum(['unpaid', 'paid', 'failed']).or(z.literal('')).optional(),
  limit: pageLimit,
  starting_after: objectId('is').optional(),
  ending_before: objectId('is').optional(),
}).strict();

type Values = Record<string, string | undefined>;

/** The create form's fields as `POST /instant-sends` takes them (its schema then checks them). */
function bodyOf(f: Values) {
  return {
    amount: numberOf(f.amount), currency: given(f.currency) ?? 'SATS', withdraw_method: f.withdraw_method,
    withdraw_request: f.withdraw_request, ...(given(f.note) ? { note: given(f.note) } : {}),
  };
}

/**
 * `/dashboard/payouts`: the account's payouts (instant sends) with status, amount, network fee and the
 * failure reason, and, for an owner, the form that sends one. The form goes through the API's schema and
 * `createInstantSend` (destination checks, fee limit, reservation, workflow); its seed makes a double
 * submit one payout.
 */
export function payoutRoutes(ctx: ServiceContext): Router {
  const router = Router();

  const page = async (req: Request, extra: { error?: { message: string; param?: string }; values?: Values; status?: string } = {}) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const q = parseOr400(listSchema, extra.values ? {} : req.query);
    const { data, hasMore } = await listInstantSends(ctx, scope, { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before, status: q.status || undefined });
    const v = extra.values ?? {};
    const owner = can(s.user.role, 'money.write');
    return dashboardPage(s, { title: 'Payouts', current: '/dashboard/money', body: html`
<h1>Money</h1>
${moneyTabs('/dashboard/payouts')}
<h2>Payouts</h2>
${owner ? html`<details class="panel"${extra.error ? html` open` : ''}><summary><strong>Send a payout</strong></summary>
${errorBox(extra.error)}
<form method="post" action="/dashboard/payouts" data-confirm="Send this payout from the account's balance?">${csrfField(s)}${newFormSeed()}
  <div class="form-grid">
    <div class="field"><label for="withdraw_method">Method</label><select id="withdraw_method" name="withdraw_method">
      ${[['lightning', 'Lightning (invoice, Lightning Address or LNURL)'], ['onchain', 'On-chain address']].map(([k, l]) => html`<option value="${k}"${v.withdraw_method === k ? html` selected` : ''}>${l}</option>`)}</select></div>
    <div class="field"><label for="withdraw_request">Destination</label><textarea id="withdraw_request" name="withdraw_request" rows="3" class="mono" required>${v.withdraw_request ?? ''}</textarea>
      <p class="hint">A BOLT11 invoice, a Lightning Address (name@host), an LNURL, or a bitcoin address.</p></div>
    <div class="field"><label for="payout-amount">Amount</label><input id="payout-amount" name="amount" inputmode="decimal" value="${v.amount ?? ''}">
      <p class="hint">Blank only for an invoice that names its amount.</p></div>
    <div class="field"><label for="payout-currency">Currency</label><select id="payout-currency" name="currency">
      ${Object.keys(CURRENCY_DECIMALS).map((c) => html`<option${c === (v.currency ?? 'SATS') ? html` selected` : ''}>${c}</option>`)}</select></div>
    <div class="field"><label for="payout-note">Note (yours only)</label><input id="payout-note" name="note" maxlength="500" value="${v.note ?? ''}"></div>
  </div>
  <p class="hint">The amount and a network-fee limit are reserved from the available balance until the payout is paid or fails.</p>
  <button type="submit" class="button primary" data-testid="send-payout">Send payout</button>
</form></details>` : ''}
<form method="get" action="/dashboard/payouts" class="toolbar">
  <div class="field"><label for="payout-status">Status</label><select id="payout-status" name="status"><option value="">All</option>
    ${['unpaid', 'paid', 'failed'].map((st) => html`<option${st === q.status ? html` selected` : ''}>${st}</option>`)}</select></div>
  <button type="submit" class="button">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Payouts"><table data-testid="payouts-table">
  <thead><tr><th scope="col">Created</th><th scope="col">Payout</th><th scope="col">Status</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Sats</th>
    <th scope="col" class="num">Network fee</th><th scope="col">Destination</th><th scope="col">Note or failure</th></tr></thead>
  <tbody>${data.length === 0 ? html`<tr><td colspan="8" class="muted">No payouts.</td></tr>` : ''}
  ${data.map((p) => html`<tr data-payout="${p.id}"><td>${when(p.created)}</td><td class="mono">${p.id}</td><td>${badge(p.status)}</td>
    <td class="num">${money(String(p.amount), p.currency)}</td><td class="num">${sats(String(p.target_amount))}</td>
    <td class="num">${sats(String(p.fees))}${p.status === 'unpaid' ? html` <span class="muted">(limit)</span>` : ''}</td>
    <td><span class="muted">${p.withdraw_method} · ${p.withdraw_type}</span><br><code class="clip">${p.withdraw_request}</code>
      ${p.explorer_link ? html`<br><a href="${p.explorer_link}" rel="noreferrer">Transaction</a>` : p.txid ? html`<br><code>${p.txid}</code>` : ''}</td>
    <td>${p.failure_reason ? html`<span class="error" data-testid="failure-reason">${p.failure_reason}</span>` : p.note ?? ''}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/payouts', { status: q.status ?? '', limit: q.limit === 25 ? '' : String(q.limit) }, data.map((p) => p.id), hasMore, q)}` });
  };

  router.get('/payouts', requirePermission('read'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/payouts', requirePermission('money.write'), async (req, res) => {
    const scope = scopeOfUser(req);
    const form = req.body as Values;
    try {
      const input = parseOr400(createInstantSendSchema, bodyOf(form));
      await createInstantSend(ctx, scope, input, formSeed(scope, form));
      res.redirect(303, '/dashboard/payouts');
    } catch (err) {
      const e = only400(err);
      res.status(400).type('html').send(await page(req, { error: { message: e.message, param: e.param }, values: form }));
    }
  });
  return router;
}
