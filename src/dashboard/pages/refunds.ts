import { Router } from 'express';
import { z } from 'zod';
import { objectId } from '../../domain/input/common';
import { parseOr400 } from '../../api/validate';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { cancelRefund, getRefund, listRefundViews } from '../../services/refunds';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, money, sats, when } from '../views/format';
import { dashboardPage, postButton } from '../views/layout';
import { moneyTabs, shareBox } from '../views/moneyTabs';
import { pageLimit, pager } from '../views/pager';

const listSchema = z.object({
  limit: pageLimit,
  starting_after: objectId('re').optional(),
  ending_before: objectId('re').optional(),
}).strict();

/**
 * `/dashboard/refunds`: every refund of the account (made from a session's page), with its status,
 * amount, routing fee and failure reason; a refund's page gives the withdrawal link to hand to the
 * customer, and an owner cancels one nobody claimed yet (`cancelRefund`, as `POST /refunds/{id}/cancel`).
 */
export function refundPageRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/refunds', requirePermission('read'), async (req, res) => {
    const s = signedIn(req);
    const q = parseOr400(listSchema, req.query);
    const { data, hasMore } = await listRefundViews(ctx, scopeOfUser(req), { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before });
    res.type('html').send(dashboardPage(s, { title: 'Refunds', current: '/dashboard/money', body: html`
<h1>Money</h1>
${moneyTabs('/dashboard/refunds')}
<h2>Refunds</h2>
<p class="muted">Refund a payment from its checkout session's page.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Refunds"><table data-testid="refunds-table">
  <thead><tr><th scope="col">Created</th><th scope="col">Refund</th><th scope="col">Session</th><th scope="col">Status</th><th scope="col">Type</th>
    <th scope="col" class="num">Amount</th><th scope="col" class="num">Sats</th><th scope="col" class="num">Routing fee</th><th scope="col">Paid as</th></tr></thead>
  <tbody>${data.length === 0 ? html`<tr><td colspan="9" class="muted">No refunds.</td></tr>` : ''}
  ${data.map((r) => html`<tr data-refund="${r.id}"><td>${when(r.created)}</td><td><a class="mono" href="/dashboard/refunds/${r.id}">${r.id}</a></td>
    <td><a class="mono" href="/dashboard/sessions/${r.checkout_session}">${r.checkout_session}</a></td>
    <td>${badge(r.status)}${r.failure_reason ? html`<br><span class="error">${r.failure_reason}</span>` : ''}</td><td>${r.type}</td>
    <td class="num">${money(String(r.amount), r.currency)}</td><td class="num">${sats(String(r.target_amount))}</td>
    <td class="num">${r.fee === null ? '—' : sats(String(r.fee))}</td>
    <td>${r.withdrawal_link ? html`withdrawal link <a class="mono" href="/dashboard/withdrawal-links/${r.withdrawal_link}">${r.withdrawal_link}</a>` : 'Lightning invoice'}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/refunds', { limit: q.limit === 25 ? '' : String(q.limit) }, data.map((r) => r.id), hasMore, q)}` }));
  });

  router.get('/refunds/:id', requirePermission('read'), async (req, res) => {
    const s = signedIn(req);
    const r = await getRefund(ctx, String(req.params.id), scopeOfUser(req));
    const open = r.status === 'pending' && r.url !== null;
    res.type('html').send(dashboardPage(s, { title: r.id, current: '/dashboard/money', body: html`
<h1>Refund <code>${r.id}</code></h1>
<p>${badge(r.status)} ${r.type} refund of <a class="mono" href="/dashboard/sessions/${r.checkout_session}">${r.checkout_session}</a>: ${money(String(r.amount), r.currency)} = <span data-testid="refund-sats">${sats(String(r.target_amount))}</span></p>
${r.failure_reason ? html`<p class="alert" role="alert" data-testid="failure-reason">${r.failure_reason}</p>` : ''}
${open ? html`<div class="panel">${await shareBox('refund-url', 'Withdrawal page to send the customer', r.url!)}
  <p class="hint">The customer opens it and claims the refund with a Lightning wallet.</p>
  ${can(s.user.role, 'money.write') ? postButton(s, `/dashboard/refunds/${r.id}/cancel`, 'Cancel refund', { danger: true, confirm: 'Cancel this refund? Its link stops working and the amount goes back to the balance.', testId: 'cancel-refund' }) : ''}</div>` : ''}
<dl class="dl panel">
  <dt>Created</dt><dd>${when(r.created)}</dd>
  ${r.payment ? html`<dt>Payment</dt><dd><code>${r.payment}</code></dd>` : ''}
  <dt>Rate</dt><dd>${String(r.exchange_rate)} sats per ${r.currency} (${r.rate})</dd>
  <dt>Paid as</dt><dd>${r.withdrawal_link ? html`withdrawal link <a class="mono" href="/dashboard/withdrawal-links/${r.withdrawal_link}">${r.withdrawal_link}</a>` : html`Lightning invoice <code class="clip">${r.withdraw_request}</code>`}</dd>
  <dt>Routing fee</dt><dd>${r.fee === null ? '—' : sats(String(r.fee))}</dd>
  ${r.transfer_reversals.length ? html`<dt>Transfers reversed</dt><dd>${r.transfer_reversals.map((t) => html`${sats(String(t.amount))} from <code>${t.destination_account}</code> `)}</dd>` : ''}
  ${r.reason ? html`<dt>Reason</dt><dd>${r.reason}</dd>` : ''}
</dl>` }));
  });

  router.post('/refunds/:id/cancel', requirePermission('money.write'), async (req, res) => {
    await cancelRefund(ctx, String(req.params.id), scopeOfUser(req));
    res.redirect(303, `/dashboard/refunds/${req.params.id}`);
  });
  return router;
}
