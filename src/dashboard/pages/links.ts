import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ApiError, toApiError } from '../../api/errors';
import { createLinkSchema } from '../../api/links/routes';
import { parseOr400 } from '../../api/validate';
import { listLinks, type LinkKind, type LinkRow } from '../../db/links';
import { SESSION_ROW_COLUMNS, type SessionRow } from '../../db/sessions';
import { T } from '../../db/tables';
import { html, trusted } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { deactivateLink } from '../../services/linkLifecycle';
import { createCheckoutLink, createPaymentLink, getLink } from '../../services/links';
import { linkView } from '../../views/link';
import { can } from '../auth/roles';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { badge, money, when } from '../views/format';
import { csrfField, dashboardPage, postButton } from '../views/layout';
import { linkBodyFromForm, linkForm, type FormValues } from '../views/linkForm';
import { pager } from '../views/pager';

const listSchema = z.object({
  kind: z.enum(['payment', 'checkout']).default('payment'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  starting_after: z.string().min(1).max(100).optional(),
  ending_before: z.string().min(1).max(100).optional(),
}).strict();

const kindOf = (id: string): LinkKind | null => (id.startsWith('clink_') ? 'checkout' : id.startsWith('plink_') ? 'payment' : null);

/**
 * `/dashboard/links`: checkout and payment links. Creating one goes through the API's own schema and
 * service (createLinkSchema, createCheckoutLink / createPaymentLink); the form carries a seed made when
 * it was shown, so submitting it twice makes one link, as an Idempotency-Key would.
 */
export function linkRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const schema = createLinkSchema(Math.min(300, ctx.config.minTtlSeconds));

  router.get('/links', requirePermission('read'), async (req, res) => {
    const s = signedIn(req);
    const scope = scopeOfUser(req);
    const q = parseOr400(listSchema, req.query);
    const { rows, hasMore } = await listLinks(ctx.db, scope, q.kind, { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before });
    // The checkout links' sessions in one statement (their status is the session's).
    const sessionIds = rows.map((r) => r.checkout_session_id).filter((id): id is string => Boolean(id));
    const sessions = new Map<string, SessionRow>(sessionIds.length === 0 ? [] : (await ctx.db(T.sessions).select(SESSION_ROW_COLUMNS).whereIn('id', sessionIds)
      .andWhere({ account_id: scope.accountId })).map((r: SessionRow) => [r.id, r]));
    const links = rows.map((r: LinkRow) => linkView(r, ctx.config.publicUrl, r.checkout_session_id ? sessions.get(r.checkout_session_id) : undefined));
    res.type('html').send(dashboardPage(s, { title: 'Links', current: '/dashboard/links', body: html`
<h1>Links</h1>
<p>${can(s.user.role, 'links.write') ? html`<a class="button primary" href="/dashboard/links/new">New link</a> ` : ''}
  <a class="button" href="/dashboard/links?kind=payment"${q.kind === 'payment' ? html` aria-current="page"` : ''}>Payment links</a>
  <a class="button" href="/dashboard/links?kind=checkout"${q.kind === 'checkout' ? html` aria-current="page"` : ''}>Checkout links</a></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Links"><table data-testid="links-table">
  <thead><tr><th scope="col">Created</th><th scope="col">Link</th><th scope="col">Title</th><th scope="col" class="num">Amount</th><th scope="col">Status</th></tr></thead>
  <tbody>${links.length === 0 ? html`<tr><td colspan="5" class="muted">No ${q.kind} links yet.</td></tr>` : ''}
  ${links.map((l) => html`<tr><td>${when(l.created)}</td><td><a href="/dashboard/links/${l.id}" class="mono">${l.id}</a></td><td>${l.title ?? ''}</td>
    <td class="num">${l.type === 'fixed' ? money(l.amount, l.currency) : l.type}</td><td>${badge(l.status)}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/links', { kind: q.kind }, rows.map((r) => r.id), hasMore, q)}` }));
  });

  const newPage = (req: Request, values: FormValues, error?: { message: string; param?: string }) => {
    const s = signedIn(req);
    return dashboardPage(s, { title: 'New link', current: '/dashboard/links', body: html`<h1>New link</h1>${linkForm(values, csrfField(s), randomBytes(16).toString('hex'), error)}` });
  };

  router.get('/links/new', requirePermission('links.write'), (req, res) => {
    res.type('html').send(newPage(req, {}));
  });

  router.post('/links', requirePermission('links.write'), async (req, res) => {
    const scope = scopeOfUser(req);
    const form = req.body as FormValues;
    const seed = z.string().regex(/^[0-9a-f]{32}$/).safeParse(form._seed);
    try {
      if (!seed.success) throw new ApiError(400, 'The form is incomplete; reload it and try again.');
      const input = parseOr400(schema, linkBodyFromForm(form));
      const make = form.kind === 'checkout' ? createCheckoutLink : createPaymentLink;
      const link = await make(ctx, scope, input, `dashboard:${scope.accountId}:${scope.livemode}:${seed.data}`);
      res.redirect(303, `/dashboard/links/${link.id}`);
    } catch (err) {
      const known = toApiError(err);
      if (known?.status !== 400) throw err;
      res.status(400).type('html').send(newPage(req, form, { message: known.message, param: known.param }));
    }
  });

  router.get('/links/:id', requirePermission('read'), async (req, res) => {
    const s = signedIn(req);
    const id = String(req.params.id);
    const kind = kindOf(id);
    if (!kind) throw new ApiError(404, `No such link: '${id}'`);
    const link = await getLink(ctx, kind, id, scopeOfUser(req));
    const qr = await QRCode.toString(link.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.type('html').send(dashboardPage(s, { title: link.id, current: '/dashboard/links', body: html`
<h1>${kind === 'payment' ? 'Payment link' : 'Checkout link'} <code>${link.id}</code></h1>
<p>${badge(link.status)} ${link.title ? html`<strong>${link.title}</strong>` : ''} ${link.type === 'fixed' ? money(link.amount, link.currency) : link.type}</p>
<div class="panel">
  <label for="link-url">URL to share</label>
  <div class="copy-field"><input id="link-url" readonly value="${link.url}" data-testid="link-url"><button type="button" class="button" data-copy="link-url">Copy</button></div>
  <div class="qr">${trusted(qr.replace('<svg ', '<svg role="img" aria-label="QR code of the link" '))}</div>
  ${link.status === 'active' && can(s.user.role, 'links.write') ? postButton(s, `/dashboard/links/${link.id}/deactivate`, 'Deactivate', { danger: true, confirm: 'Deactivate this link? Its open checkouts are deactivated too.', testId: 'deactivate-link' }) : ''}
</div>
${'checkout_session' in link && link.checkout_session ? html`<p>Its checkout session: <a href="/dashboard/sessions/${link.checkout_session}" class="mono">${link.checkout_session}</a></p>` : html`<p><a href="/dashboard/sessions?q=${link.id}">Sessions opened from it</a></p>`}
<h2>Details</h2>
<pre class="panel mono">${JSON.stringify(link, null, 2)}</pre>` }));
  });

  router.post('/links/:id/deactivate', requirePermission('links.write'), async (req, res) => {
    const id = String(req.params.id);
    const kind = kindOf(id);
    if (!kind) throw new ApiError(404, `No such link: '${id}'`);
    await deactivateLink(ctx, kind, id, scopeOfUser(req));
    res.redirect(303, `/dashboard/links/${id}`);
  });
  return router;
}
