import { Router } from 'express';
import { z } from 'zod';
import { fundedPaymentsBySession } from '../../db/payments';
import { html } from '../../page/html';
import { parseOr400 } from '../../api/validate';
import type { ServiceContext } from '../../services/context';
import { checkoutSessionView, type CheckoutSessionView } from '../../views/checkoutSession';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { searchSessions } from '../db/sessionSearch';
import { dashboardPage } from '../views/layout';
import { badge, money, sats, when } from '../views/format';
import { pager } from '../views/pager';

/** Query of the sessions list: filters and SPEC §2 cursors. */
const listSchema = z.object({
  status: z.enum(['active', 'paid', 'deactivated', '']).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  starting_after: z.string().min(1).max(100).optional(),
  ending_before: z.string().min(1).max(100).optional(),
}).strict();

/** The session's customer email, if one was collected. */
export function customerEmail(s: CheckoutSessionView & { customer_details?: unknown }): string {
  const d = s.customer_details as { email?: string } | null | undefined;
  return d?.email ?? '';
}

/**
 * `/dashboard/sessions`: the list with status filter, search and pagination. A page costs a fixed
 * number of statements whatever its size: the page, its funded payments in one query, and the
 * session lookup (counted in test/api/dashboardQueries.test.ts).
 */
export function sessionListRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get('/sessions', requirePermission('read'), async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const scope = scopeOfUser(req);
    const { rows, hasMore } = await searchSessions(ctx.db, scope, {
      limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before, status: q.status || undefined, q: q.q,
    });
    const funded = await fundedPaymentsBySession(ctx.db, rows.map((r) => r.id));
    const sessions = rows.map((r) => checkoutSessionView(r, funded.get(r.id) ?? [], ctx.config.publicUrl, true));
    const filters = { status: q.status ?? '', q: q.q ?? '', limit: String(q.limit) };
    res.type('html').send(dashboardPage(signedIn(req), { title: 'Checkout sessions', current: '/dashboard/sessions', body: html`
<h1>Checkout sessions</h1>
<form method="get" action="/dashboard/sessions" class="toolbar" role="search">
  <div class="field"><label for="status">Status</label>
    <select id="status" name="status">
      ${[['', 'All'], ['active', 'Active'], ['paid', 'Paid'], ['deactivated', 'Deactivated']].map(([v, l]) => html`<option value="${v}"${v === filters.status ? html` selected` : ''}>${l}</option>`)}
    </select></div>
  <div class="field"><label for="q">Search</label>
    <input id="q" name="q" type="search" value="${filters.q}" placeholder="Session, payment or link ID, metadata value, email" class="search"></div>
  <button type="submit" class="button">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Checkout sessions"><table data-testid="sessions-table">
  <caption class="visually-hidden">Checkout sessions, newest first</caption>
  <thead><tr><th scope="col">Created</th><th scope="col">Session</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Received</th><th scope="col">Status</th><th scope="col">Customer</th></tr></thead>
  <tbody>
  ${sessions.length === 0 ? html`<tr><td colspan="6" class="muted">No checkout sessions match.</td></tr>` : ''}
  ${sessions.map((s) => html`<tr data-session="${s.id}">
    <td>${when(s.created)}</td>
    <td><a href="/dashboard/sessions/${s.id}" class="mono">${s.id}</a>${s.title ? html`<br><span class="muted">${s.title}</span>` : ''}</td>
    <td class="num">${s.amount === null ? 'Customer chooses' : money(s.amount, s.currency)}</td>
    <td class="num">${s.target_amount_paid === null ? '—' : sats(s.target_amount_paid)}</td>
    <td>${badge(s.status)}${s.exception_status ? html` ${badge(s.exception_status)}` : ''}</td>
    <td>${customerEmail(s)}</td>
  </tr>`)}
  </tbody>
</table></div>
${pager('/dashboard/sessions', filters, rows.map((r) => r.id), hasMore, q)}` }));
  });
  return router;
}
