import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseOr400 } from '../../api/validate';
import { listEvents } from '../../db/events';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { createKey, listAccountKeys, revokeAccountKey } from '../../services/accounts';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, when } from '../views/format';
import { dashboardPage, postButton } from '../views/layout';
import { pager } from '../views/pager';

const eventsQuery = z.object({
  starting_after: z.string().min(1).max(100).optional(),
  ending_before: z.string().min(1).max(100).optional(),
}).strict();

/**
 * `/dashboard/developers`: the account's API keys of the current mode (create: the secret shown once;
 * list by prefix; revoke), its events, and the API reference. Keys go through the admin API's services.
 */
export function developerRoutes(ctx: ServiceContext): Router {
  const router = Router();

  const page = async (req: Request, created?: { secret_key: string; prefix: string }, flash?: string) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const q = parseOr400(eventsQuery, req.query);
    const [keys, events] = await Promise.all([
      listAccountKeys(ctx.db, scope.accountId),
      listEvents(ctx.db, scope, { limit: 20, startingAfter: q.starting_after, endingBefore: q.ending_before }),
    ]);
    const ofMode = keys.data.filter((k) => k.livemode === scope.livemode);
    const write = can(s.user.role, 'keys.write');
    return dashboardPage(s, { title: 'Developers', current: '/dashboard/developers', flash, body: html`
<h1>Developers</h1>
<p>The API reference: <a href="/docs">/docs</a> (OpenAPI at <a href="/openapi.json">/openapi.json</a>).</p>
<h2>API keys (${scope.livemode ? 'live' : 'test'})</h2>
${created ? html`<div class="secret" role="status"><p><strong>New secret key, shown once.</strong> Copy it now; it cannot be shown again.</p>
  <div class="copy-field"><input id="new-key" readonly value="${created.secret_key}" data-testid="new-key" aria-label="New secret key"><button type="button" class="button" data-copy="new-key">Copy</button></div></div>` : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="API keys"><table data-testid="keys-table">
  <thead><tr><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Status</th>${write ? html`<th scope="col">Action</th>` : ''}</tr></thead>
  <tbody>${ofMode.map((k) => html`<tr data-key="${k.id}"><td class="mono">${k.prefix}…</td><td>${when(k.created)}</td><td>${badge(k.revoked ? 'revoked' : 'active')}</td>
    ${write ? html`<td>${k.revoked ? '' : postButton(s, `/dashboard/developers/keys/${k.id}/revoke`, 'Revoke', { danger: true, confirm: 'Revoke this key? Every request with it fails from now on.', testId: `revoke-${k.id}` })}</td>` : ''}</tr>`)}</tbody>
</table></div>
${write ? html`<p>${postButton(s, '/dashboard/developers/keys', `Create a ${scope.livemode ? 'live' : 'test'} key`, { testId: 'create-key' })}</p>` : ''}
<h2>Events</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Events"><table data-testid="events-table">
  <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Event</th><th scope="col">Object</th></tr></thead>
  <tbody>${events.rows.length === 0 ? html`<tr><td colspan="4" class="muted">No events yet.</td></tr>` : ''}
  ${events.rows.map((e) => html`<tr><td>${when(e.created)}</td><td><code>${e.event_type}</code></td><td class="mono">${e.id}</td>
    <td>${e.object_id.startsWith('cs_') ? html`<a class="mono" href="/dashboard/sessions/${e.object_id}">${e.object_id}</a>` : html`<span class="mono">${e.object_id}</span>`}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/developers', {}, events.rows.map((e) => e.id), events.hasMore, q)}` });
  };

  router.get('/developers', requirePermission('read'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/developers/keys', requirePermission('keys.write'), async (req, res) => {
    const scope = scopeOfUser(req);
    const key = await createKey(ctx.db, scope.accountId, scope.livemode);
    res.type('html').send(await page(req, key));
  });

  router.post('/developers/keys/:keyId/revoke', requirePermission('keys.write'), async (req, res) => {
    await revokeAccountKey(ctx.db, scopeOfUser(req).accountId, String(req.params.keyId));
    res.type('html').send(await page(req, undefined, 'Key revoked.'));
  });
  return router;
}
