import { Router, type Request } from 'express';
import { createRefundSchema } from '../../api/refunds/schema';
import { parseOr400 } from '../../api/validate';
import { html, type SafeHtml } from '../../page/html';
import { satsToBtc } from '../../page/format';
import { deactivateCheckoutSession, getCheckoutSession } from '../../services/checkoutSessions';
import type { ServiceContext } from '../../services/context';
import { createRefund } from '../../services/refunds';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { sessionTimeline } from '../db/timeline';
import { badge, money, sats, when } from '../views/format';
import { formSeed, only400 } from '../views/forms';
import { csrfField, dashboardPage, postButton } from '../views/layout';
import { refundBodyOf, refundForm, type RefundValues } from '../views/refundForm';

type Entry = { at: number; order: number; kind: string; body: SafeHtml };

/**
 * `/dashboard/sessions/{id}`: the session's timeline (created, payments, receipts, transfers, events
 * with their webhook deliveries, refunds), the customer's details and the actions its role allows. The
 * session is read through the API's own service, scoped to the user's account and mode (another's is a
 * 404). An owner refunds it from here through `createRefundSchema` and `createRefund`, as `POST /refunds`.
 */
export function sessionDetailRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const page = async (req: Request, refund: { values?: RefundValues; error?: { message: string; param?: string } } = {}) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const session = await getCheckoutSession(ctx, String(req.params.id), scope, true);
    const t = await sessionTimeline(ctx.db, session.id, scope);
    const deliveriesOf = (eventId: string) => t.deliveries.filter((d) => d.event_id === eventId);
    const entries: Entry[] = [
      { at: session.created, order: 0, kind: 'created', body: html`<strong>Created</strong> ${money(session.amount, session.currency)}` },
      ...t.payments.map((p): Entry => ({ at: Number(p.created), order: 1, kind: 'payment', body: html`<strong>Payment ${p.seq}</strong> <code>${p.id}</code> ${badge(p.status)}
        <dl class="dl"><dt>Amount</dt><dd>${money(p.amount, p.currency)} = ${sats(p.target_amount)} (${satsToBtc(String(p.target_amount))} BTC)</dd>
        <dt>Rate</dt><dd>${p.exchange_rate} sats per ${p.currency}</dd>
        ${p.onchain_address ? html`<dt>Address</dt><dd><code>${p.onchain_address}</code></dd>` : ''}
        ${p.payment_hash ? html`<dt>Invoice hash</dt><dd><code>${p.payment_hash}</code></dd>` : ''}
        <dt>Expires</dt><dd>${when(p.expires_at)}</dd></dl>` })),
      ...t.receipts.map((r): Entry => ({ at: Number(r.created), order: 2, kind: 'receipt', body: html`<strong>Received</strong> ${sats(r.amount_sats)} by ${r.method} ${badge(r.status === 'credited' ? 'paid' : 'pending')}${r.flag ? html` ${badge(r.flag)}` : ''}
        <dl class="dl"><dt>Reference</dt><dd><code>${r.reference}</code></dd><dt>Source</dt><dd>${r.source}</dd>${r.credited_at ? html`<dt>Credited</dt><dd>${when(r.credited_at)}</dd>` : ''}</dl>` })),
      ...t.transfers.map((tr): Entry => ({ at: Number(tr.created), order: 3, kind: 'transfer', body: html`<strong>Transfer</strong> <code>${tr.id}</code> ${sats(tr.amount)} (${tr.percentage} %) to <code>${tr.destination_account_id}</code> ${badge(tr.status)}${tr.failure_reason ? html` <span class="error">${tr.failure_reason}</span>` : ''}` })),
      ...t.refunds.map((r): Entry => ({ at: Number(r.created), order: 4, kind: 'refund', body: html`<strong>Refund</strong> <a class="mono" href="/dashboard/refunds/${r.id}">${r.id}</a> ${r.type} ${money(r.amount, r.currency)} = ${sats(r.target_amount)} ${badge(r.status)}
        ${r.withdrawal_link_id ? html`as withdrawal link <a class="mono" href="/dashboard/withdrawal-links/${r.withdrawal_link_id}">${r.withdrawal_link_id}</a>` : 'to a Lightning invoice'}${r.fee !== null ? html`, routing fee ${sats(r.fee)}` : ''}${r.failure_reason ? html` <span class="error">${r.failure_reason}</span>` : ''}` })),
      ...t.events.map((e): Entry => ({ at: Number(e.created), order: 5, kind: 'event', body: html`<strong>Event</strong> <code>${e.event_type}</code> <span class="muted mono">${e.id}</span>
        ${deliveriesOf(e.id).length ? html`<ul>${deliveriesOf(e.id).map((d) => html`<li>Webhook to <a href="/dashboard/webhooks/${d.endpoint_id}">${d.endpoint_id}</a>: ${badge(d.ok ? 'succeeded' : 'failed')} ${d.http_status ?? ''} ${d.error ?? ''} (attempt ${d.attempt}, ${when(d.created)})</li>`)}</ul>` : ''}` })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
    const customer = (session as { customer_details?: Record<string, unknown> | null }).customer_details;
    const fields = (customer?.custom_fields ?? []) as { label: string; value: string }[];
    const refundable = can(s.user.role, 'money.write') && BigInt(session.target_amount_paid ?? 0) > 0n;
    return dashboardPage(s, { title: session.id, current: '/dashboard/sessions', body: html`
<h1>Checkout session <code>${session.id}</code></h1>
<p>${badge(session.status)}${session.exception_status ? html` ${badge(session.exception_status)}` : ''} ${session.title ? html`<strong>${session.title}</strong>` : ''}</p>
<div class="cards">
  <div class="card"><p class="label">Amount</p><p class="value">${session.amount === null ? 'Customer chooses' : money(session.amount, session.currency)}</p></div>
  <div class="card"><p class="label">Received</p><p class="value" data-testid="received">${session.target_amount_paid === null ? '—' : sats(session.target_amount_paid)}</p></div>
  ${session.target_amount_refunded ? html`<div class="card"><p class="label">Refunded</p><p class="value" data-testid="refunded">${sats(session.target_amount_refunded)}</p></div>` : ''}
</div>
<div class="panel">
  <label for="page-url">Payment page</label>
  <div class="copy-field"><input id="page-url" readonly value="${session.url}"><button type="button" class="button" data-copy="page-url">Copy</button></div>
  ${session.status === 'active' && can(s.user.role, 'sessions.write') ? html`<p>${postButton(s, `/dashboard/sessions/${session.id}/deactivate`, 'Deactivate', { danger: true, confirm: 'Deactivate this checkout session? The customer can no longer pay it.', testId: 'deactivate' })}</p>` : ''}
</div>
${refundable ? refundForm(`/dashboard/sessions/${session.id}/refund`, csrfField(s), session.currency, { ...refund, hasTransfers: t.transfers.length > 0 }) : ''}
<h2>Timeline</h2>
<ol class="timeline" data-testid="timeline">${entries.map((e) => html`<li data-kind="${e.kind}"><span class="when">${when(e.at)}</span><br>${e.body}</li>`)}</ol>
<h2>Customer</h2>
${customer ? html`<dl class="dl panel" data-testid="customer">
  ${Object.entries(customer).filter(([k, v]) => k !== 'custom_fields' && v !== null && typeof v !== 'object').map(([k, v]) => html`<dt>${k.replace(/_/g, ' ')}</dt><dd>${String(v)}</dd>`)}
  ${fields.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}
</dl>` : html`<p class="muted">No customer details collected.</p>`}
${session.metadata ? html`<h2>Metadata</h2><dl class="dl panel">${Object.entries(session.metadata as Record<string, unknown>).map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>` : ''}` });
  };

  router.get('/sessions/:id', requirePermission('read'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/sessions/:id/refund', requirePermission('money.write'), async (req, res) => {
    const scope = scopeOfUser(req);
    const form = req.body as RefundValues;
    try {
      const input = parseOr400(createRefundSchema, refundBodyOf(String(req.params.id), form));
      const refund = await createRefund(ctx, scope, input, formSeed(scope, form));
      res.redirect(303, `/dashboard/refunds/${refund.id}`);
    } catch (err) {
      const e = only400(err);
      res.status(400).type('html').send(await page(req, { values: form, error: { message: e.message, param: e.param } }));
    }
  });

  router.post('/sessions/:id/deactivate', requirePermission('sessions.write'), async (req, res) => {
    await deactivateCheckoutSession(ctx, String(req.params.id), scopeOfUser(req));
    res.redirect(303, `/dashboard/sessions/${req.params.id}`);
  });
  return router;
}
