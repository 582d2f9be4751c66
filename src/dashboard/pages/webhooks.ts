import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError, toApiError } from '../../api/errors';
import { createWebhookSchema, updateWebhookSchema } from '../../api/webhooks/schema';
import { parseOr400 } from '../../api/validate';
import { listEvents } from '../../db/events';
import { listDeliveries, listEndpoints, type WebhookEndpointRow } from '../../db/webhooks';
import { endpointBackoff } from '../../db/webhookCircuits';
import { WEBHOOK_CIRCUIT_THRESHOLD } from '../../webhooks/deliveryTypes';
import { html, type SafeHtml } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import {
  createWebhookEndpoint, deleteWebhookEndpoint, getWebhookEndpoint, redeliverEvent, rotateWebhookSecret, updateWebhookEndpoint,
} from '../../services/webhooks';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, when } from '../views/format';
import { pageLimit } from '../views/pager';
import { csrfField, dashboardPage, postButton } from '../views/layout';

/** `a, b` or one per line, as the API's `enabled_events` array. */
const eventsList = (text: unknown) => String(text ?? '').split(/[\s,]+/).map((e) => e.trim()).filter(Boolean);

/** An endpoint whose circuit is open: deliveries wait for it, one event probes it (docs/webhooks.md, "A failing endpoint"). */
function backoffBox(b: Awaited<ReturnType<typeof endpointBackoff>>): SafeHtml | string {
  if (!b.circuit || b.circuit.failures < WEBHOOK_CIRCUIT_THRESHOLD) return '';
  const next = b.circuit.open_until !== null && Number(b.circuit.open_until) > Date.now() ? html` (not before ${when(b.circuit.open_until)}, as it asked)` : '';
  return html`<div class="panel" role="status" data-testid="endpoint-backoff"><p><strong>Failing: deliveries are paused.</strong>
  ${b.circuit.failures} attempts in a row failed. One event is retried${next}; ${b.parked} other deliveries wait and are sent, in order,
  as soon as the endpoint answers 2xx (a manual resend that succeeds releases them too).</p></div>`;
}

/** A secret is shown in the answer to the action that made it, never again (as the API does). */
function secretBox(secret: string): SafeHtml {
  return html`<div class="secret" role="status"><p><strong>Signing secret, shown once.</strong> Copy it now; it cannot be shown again.</p>
  <div class="copy-field"><input id="secret" readonly value="${secret}" data-testid="secret" aria-label="Signing secret"><button type="button" class="button" data-copy="secret">Copy</button></div></div>`;
}

function errorBox(err?: ApiError): SafeHtml | string {
  return err ? html`<p class="alert" role="alert" data-testid="form-error">${err.param ? html`<strong>${err.param}</strong>: ` : ''}${err.message}</p>` : '';
}

/** Answers a 400 (or a 409: a redelivery to a disabled endpoint) from the services as the page with the message; anything else goes to the error page. */
function only400(err: unknown): ApiError {
  const known = toApiError(err);
  if (known?.status === 400 || known?.status === 409) return known;
  throw err;
}

/**
 * `/dashboard/webhooks`: endpoints (create, edit, disable, delete, rotate the secret), each one's
 * delivery log, redelivery and a test send; all through the API's schemas and services.
 */
export function webhookPageRoutes(ctx: ServiceContext): Router {
  const router = Router();

  const listPage = async (req: Request, extra: { secretFor?: WebhookEndpointRow; error?: ApiError; form?: Record<string, string> } = {}) => {
    const s = signedIn(req);
    const { rows } = await listEndpoints(ctx.db, scopeOfUser(req), { limit: 100 });
    const f = extra.form ?? {};
    return dashboardPage(s, { title: 'Webhooks', current: '/dashboard/webhooks', body: html`
<h1>Webhooks</h1>
${extra.secretFor ? html`<p>Endpoint <a href="/dashboard/webhooks/${extra.secretFor.id}" class="mono">${extra.secretFor.id}</a> created.</p>${secretBox(extra.secretFor.secret)}` : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="Webhook endpoints"><table data-testid="endpoints-table">
  <thead><tr><th scope="col">Endpoint</th><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th></tr></thead>
  <tbody>${rows.length === 0 ? html`<tr><td colspan="4" class="muted">No endpoints yet.</td></tr>` : ''}
  ${rows.map((e) => html`<tr><td><a class="mono" href="/dashboard/webhooks/${e.id}">${e.id}</a></td><td class="mono">${e.url}</td><td>${e.enabled_events.join(', ')}</td><td>${badge(e.status)}</td></tr>`)}</tbody>
</table></div>
${can(s.user.role, 'webhooks.write') ? html`<h2>Add an endpoint</h2>${errorBox(extra.error)}
<form method="post" action="/dashboard/webhooks" class="panel">${csrfField(s)}<input type="hidden" name="_seed" value="${randomBytes(16).toString('hex')}">
  <div class="form-grid">
    <div class="field"><label for="url">URL</label><input id="url" name="url" type="url" required value="${f.url ?? ''}" placeholder="https://example.com/webhooks"></div>
    <div class="field"><label for="enabled_events">Events</label><input id="enabled_events" name="enabled_events" value="${f.enabled_events ?? '*'}" aria-describedby="events-hint">
      <p class="hint" id="events-hint"><code>*</code>, a resource such as <code>checkout_session.*</code>, or event types, comma-separated.</p></div>
    <div class="field"><label for="description">Description</label><input id="description" name="description" value="${f.description ?? ''}"></div>
  </div>
  <button type="submit" class="button primary">Add endpoint</button>
</form>` : ''}` });
  };

  const detailPage = async (req: Request, id: string, extra: { secret?: string; error?: ApiError; flash?: string; limit?: number } = {}) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const e = await getWebhookEndpoint(ctx, scope, id);
    const { rows } = await listDeliveries(ctx.db, e.id, { limit: extra.limit ?? 50 });
    const backoff = await endpointBackoff(ctx.db, e.id);
    const write = can(s.user.role, 'webhooks.write');
    return dashboardPage(s, { title: e.id, current: '/dashboard/webhooks', flash: extra.flash, body: html`
<h1>Webhook endpoint <code>${e.id}</code></h1>
<p>${badge(e.status)} <span class="mono">${e.url}</span></p>
${extra.secret ? secretBox(extra.secret) : ''}
${errorBox(extra.error)}
${backoffBox(backoff)}
${write ? html`<form method="post" action="/dashboard/webhooks/${e.id}" class="panel">${csrfField(s)}
  <div class="form-grid">
    <div class="field"><label for="url">URL</label><input id="url" name="url" type="url" required value="${e.url}"></div>
    <div class="field"><label for="enabled_events">Events</label><input id="enabled_events" name="enabled_events" value="${e.enabled_events.join(', ')}"></div>
    <div class="field"><label for="description">Description</label><input id="description" name="description" value="${e.description ?? ''}"></div>
    <div class="field"><label><input type="checkbox" name="disabled" value="true"${e.status === 'disabled' ? html` checked` : ''}> Disabled (no deliveries)</label></div>
  </div>
  <button type="submit" class="button primary">Save</button>
</form>
<p>${postButton(s, `/dashboard/webhooks/${e.id}/test`, 'Send a test event', { testId: 'send-test' })}
  ${postButton(s, `/dashboard/webhooks/${e.id}/rotate-secret`, 'Rotate secret', { confirm: 'Rotate the signing secret? Deliveries are signed with the new one at once.' })}
  ${postButton(s, `/dashboard/webhooks/${e.id}/delete`, 'Delete', { danger: true, confirm: 'Delete this endpoint?' })}</p>` : ''}
<h2>Deliveries</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries"><table data-testid="deliveries">
  <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Result</th><th scope="col">Response</th>${write ? html`<th scope="col">Action</th>` : ''}</tr></thead>
  <tbody>${rows.length === 0 ? html`<tr><td colspan="5" class="muted">No deliveries yet.</td></tr>` : ''}
  ${rows.map((d) => html`<tr data-delivery="${d.id}"><td>${when(d.created)}</td><td><code>${d.event_type}</code><br><span class="mono muted">${d.event_id}</span></td>
    <td>${badge(d.ok ? 'succeeded' : 'failed')} ${d.http_status ?? ''} ${d.error_kind ?? ''}<br><span class="muted">attempt ${d.attempt}${d.manual ? ', manual' : ''}, ${d.duration_ms} ms</span></td>
    <td><details><summary>Response</summary><pre class="mono">${d.error ?? ''}${d.response_snippet}</pre></details></td>
    ${write ? html`<td>${postButton(s, `/dashboard/webhooks/${e.id}/redeliver?event=${d.event_id}`, 'Redeliver')}</td>` : ''}</tr>`)}</tbody>
</table></div>` });
  };

  router.get('/webhooks', requirePermission('read'), async (req, res) => {
    res.type('html').send(await listPage(req));
  });

  router.post('/webhooks', requirePermission('webhooks.write'), async (req, res) => {
    const form = req.body as Record<string, string>;
    try {
      const seed = z.string().regex(/^[0-9a-f]{32}$/).parse(form._seed);
      const input = parseOr400(createWebhookSchema, {
        url: form.url, enabled_events: eventsList(form.enabled_events), ...(form.description ? { description: form.description } : {}),
      });
      const scope = scopeOfUser(req);
      const endpoint = await createWebhookEndpoint(ctx, scope, input, `dashboard:${scope.accountId}:${scope.livemode}:${seed}`);
      res.type('html').send(await listPage(req, { secretFor: endpoint }));
    } catch (err) {
      res.status(400).type('html').send(await listPage(req, { error: only400(err), form }));
    }
  });

  router.get('/webhooks/:id', requirePermission('read'), async (req, res) => {
    const { limit } = parseOr400(z.object({ limit: pageLimit.default(50) }).strict(), req.query);
    res.type('html').send(await detailPage(req, String(req.params.id), { limit }));
  });

  router.post('/webhooks/:id', requirePermission('webhooks.write'), async (req, res) => {
    const id = String(req.params.id);
    const form = req.body as Record<string, string>;
    try {
      const input = parseOr400(updateWebhookSchema, {
        url: form.url, enabled_events: eventsList(form.enabled_events), description: form.description || null, disabled: form.disabled === 'true',
      });
      await updateWebhookEndpoint(ctx, scopeOfUser(req), id, input);
      res.type('html').send(await detailPage(req, id, { flash: 'Saved.' }));
    } catch (err) {
      res.status(400).type('html').send(await detailPage(req, id, { error: only400(err) }));
    }
  });

  router.post('/webhooks/:id/rotate-secret', requirePermission('webhooks.write'), async (req, res) => {
    const id = String(req.params.id);
    const endpoint = await rotateWebhookSecret(ctx, scopeOfUser(req), id);
    res.type('html').send(await detailPage(req, id, { secret: endpoint.secret }));
  });

  router.post('/webhooks/:id/delete', requirePermission('webhooks.write'), async (req, res) => {
    await deleteWebhookEndpoint(ctx, scopeOfUser(req), String(req.params.id));
    res.redirect(303, '/dashboard/webhooks');
  });

  router.post('/webhooks/:id/redeliver', requirePermission('webhooks.write'), async (req, res) => {
    const id = String(req.params.id);
    const event = z.string().regex(/^evt_\w+$/).safeParse(req.query.event);
    try {
      if (!event.success) throw new ApiError(400, 'Choose an event to redeliver.', 'event');
      await redeliverEvent(ctx, scopeOfUser(req), id, event.data, randomBytes(16).toString('hex'));
      res.type('html').send(await detailPage(req, id, { flash: 'Redelivery scheduled; reload to see the attempt.' }));
    } catch (err) {
      res.status(400).type('html').send(await detailPage(req, id, { error: only400(err) }));
    }
  });

  // A test send is a manual redelivery of the account's latest event in this mode: a real, signed event
  // through the same durable delivery path (and log) as every other, so nothing test-only can drift.
  router.post('/webhooks/:id/test', requirePermission('webhooks.write'), async (req, res) => {
    const id = String(req.params.id);
    const scope = scopeOfUser(req);
    try {
      await getWebhookEndpoint(ctx, scope, id);
      const { rows } = await listEvents(ctx.db, scope, { limit: 1 });
      if (rows.length === 0) throw new ApiError(400, 'There is no event to send yet: create a checkout session or a link first.');
      await redeliverEvent(ctx, scope, id, rows[0].id, randomBytes(16).toString('hex'));
      res.type('html').send(await detailPage(req, id, { flash: `Sent ${rows[0].event_type} (${rows[0].id}); reload to see the attempt.` }));
    } catch (err) {
      res.status(400).type('html').send(await detailPage(req, id, { error: only400(err) }));
    }
  });
  return router;
}
