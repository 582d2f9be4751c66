import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApiError, InvalidRequestError, toApiError } from '../../api/errors';
import { createAccountSchema } from '../../api/accounts/schema';
import { parseOr400 } from '../../api/validate';
import { T } from '../../db/tables';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { createAccount } from '../../services/accounts';
import { withCallDeadline } from '../../temporal/deadline';
import { retryUpdate } from '../../temporal/definitions';
import { requirePermission, signedIn } from '../auth/session';
import { when } from '../views/format';
import { csrfField, dashboardPage, postButton } from '../views/layout';
import { pageLimit, pager } from '../views/pager';
import { createUser, newUserSchema } from '../users';

/** Sessions whose workflow raised its attention flag (search attribute `CheckoutAttention`), at most `limit`. */
async function flaggedWorkflows(ctx: ServiceContext, limit: number): Promise<{ ids: string[]; error: string | null }> {
  const ids: string[] = [];
  try {
    await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, async () => {
      for await (const wf of ctx.temporal.workflow.list({ query: 'CheckoutAttention = true AND ExecutionStatus = "Running"' })) {
        ids.push(wf.workflowId);
        if (ids.length >= limit) break;
      }
    });
    return { ids, error: null };
  } catch (err) {
    return { ids, error: `Temporal could not be asked: ${(err as Error).message}` };
  }
}

/** Query of the platform page: the accounts list's page size and SPEC §2 cursors (account IDs). */
const accountsQuery = z.object({
  limit: pageLimit,
  starting_after: z.string().regex(/^acct_\w{1,64}$/).optional(),
  ending_before: z.string().regex(/^acct_\w{1,64}$/).optional(),
}).strict();

/**
 * One page of merchant accounts, newest first, keyset-paginated on (created, id) from the cursor
 * account's position: one statement whatever the page size. An unknown cursor gives an empty page.
 */
async function accountsPage(ctx: ServiceContext, q: z.infer<typeof accountsQuery>) {
  const backwards = Boolean(q.ending_before && !q.starting_after);
  const anchor = q.starting_after ?? q.ending_before;
  const query = ctx.db(T.accounts).where({ kind: 'merchant' }).select('id', 'name', 'created');
  if (anchor) {
    query.whereRaw(`(created, id) ${backwards ? '>' : '<'} ((select a.created from ?? a where a.id = ?), ?)`, [T.accounts, anchor, anchor]);
  }
  const order = backwards ? 'asc' : 'desc';
  const rows = await query.orderBy([{ column: 'created', order }, { column: 'id', order }]).limit(q.limit + 1) as { id: string; name: string; created: number }[];
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return { rows: backwards ? page.reverse() : page, hasMore };
}

/**
 * `/dashboard/admin`: the platform admin's pages: merchant accounts (list, create through the admin
 * API's schema and service, the first test key shown once), and sessions needing attention across
 * accounts (failed transfers from the database, flagged workflows from Temporal's visibility) with a
 * retry button (the workflow's `retry` update, the same one operators run from the CLI) and a link to
 * the workflow in the Temporal UI.
 */
export function adminRoutes(ctx: ServiceContext, temporalUiUrl: string | null): Router {
  const router = Router();
  const workflowUrl = (id: string) => (temporalUiUrl
    ? `${temporalUiUrl}/namespaces/${encodeURIComponent(ctx.config.temporal.namespace)}/workflows/${encodeURIComponent(id)}` : null);

  const page = async (req: Request, extra: { created?: { id: string; secret_key: string }; error?: ApiError; flash?: string } = {}) => {
    const s = signedIn(req);
    const q = parseOr400(accountsQuery, req.method === 'GET' ? req.query : {});
    const [accounts, failed, flagged] = await Promise.all([
      accountsPage(ctx, q),
      ctx.db(T.transfers).where({ status: 'failed' }).select('checkout_session_id', 'source_account_id', 'failure_reason', 'livemode', 'modified')
        .orderBy('modified', 'desc').limit(100),
      flaggedWorkflows(ctx, 100),
    ]);
    const reasons = new Map<string, { account: string; reason: string; livemode: boolean | null }>();
    for (const t of failed) reasons.set(t.checkout_session_id, { account: t.source_account_id, reason: `transfer failed: ${t.failure_reason ?? 'unknown'}`, livemode: t.livemode });
    // The flagged sessions' accounts, in one statement whatever their number (none: still the one statement).
    const unlisted = flagged.ids.filter((id) => !reasons.has(id));
    const owners = new Map<string, { account_id: string; livemode: boolean }>((await ctx.db(T.sessions).whereIn('id', unlisted)
      .select('id', 'account_id', 'livemode') as { id: string; account_id: string; livemode: boolean }[]).map((r) => [r.id, r]));
    for (const id of unlisted) reasons.set(id, { account: owners.get(id)?.account_id ?? '', reason: 'flagged by its workflow (CheckoutAttention)', livemode: owners.get(id)?.livemode ?? null });
    return dashboardPage(s, { title: 'Platform', current: '/dashboard/admin', flash: extra.flash, body: html`
<h1>Platform</h1>
${extra.error ? html`<p class="alert" role="alert">${extra.error.param ? html`<strong>${extra.error.param}</strong>: ` : ''}${extra.error.message}</p>` : ''}
<h2>Sessions needing attention</h2>
${flagged.error ? html`<p class="alert">${flagged.error}</p>` : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="Sessions needing attention"><table data-testid="attention-table">
  <thead><tr><th scope="col">Session</th><th scope="col">Account</th><th scope="col">Reason</th><th scope="col">Actions</th></tr></thead>
  <tbody>${reasons.size === 0 ? html`<tr><td colspan="4" class="muted">Nothing needs attention.</td></tr>` : ''}
  ${[...reasons].map(([id, r]) => html`<tr data-attention="${id}"><td class="mono">${id}</td><td class="mono">${r.account}</td><td>${r.reason}</td>
    <td>${postButton(s, `/dashboard/admin/sessions/${id}/retry`, 'Retry')} ${workflowUrl(id) ? html`<a href="${workflowUrl(id)!}" rel="noopener">Temporal UI</a>` : ''}</td></tr>`)}</tbody>
</table></div>
<h2>Accounts</h2>
${extra.created ? html`<div class="secret" role="status"><p><strong>Account <code>${extra.created.id}</code> created. Its test key, shown once:</strong></p>
  <div class="copy-field"><input id="new-account-key" readonly value="${extra.created.secret_key}" aria-label="Test key of the new account"><button type="button" class="button" data-copy="new-account-key">Copy</button></div>
  <p class="hint">Add its users with <code>POST /accounts/${extra.created.id}/users</code> or <code>npm run user -- create</code>.</p></div>` : ''}
<form method="post" action="/dashboard/admin/accounts" class="panel toolbar">${csrfField(s)}<input type="hidden" name="_seed" value="${randomBytes(16).toString('hex')}">
  <div class="field"><label for="account-name">New account name</label><input id="account-name" name="name" required></div>
  <div class="field"><label for="owner-email">Owner's email (invited)</label><input id="owner-email" name="owner_email" type="email"></div>
  <button type="submit" class="button primary">Create account</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Accounts"><table data-testid="accounts-table">
  <thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Created</th></tr></thead>
  <tbody>${accounts.rows.map((a) => html`<tr data-account="${a.id}"><td class="mono">${a.id}</td><td>${a.name}</td><td>${when(a.created)}</td></tr>`)}</tbody>
</table></div>
${pager('/dashboard/admin', { limit: String(q.limit) }, accounts.rows.map((a) => a.id), accounts.hasMore, q)}` });
  };

  router.get('/admin', requirePermission('platform'), async (req, res) => {
    res.type('html').send(await page(req));
  });

  router.post('/admin/accounts', requirePermission('platform'), async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      const seed = z.string().regex(/^[0-9a-f]{32}$/).parse(f._seed);
      const input = parseOr400(createAccountSchema, { name: f.name });
      const account = await createAccount(ctx, input, `dashboard-admin:${seed}`);
      let flash: string | undefined;
      if (f.owner_email) {
        const owner = await createUser(ctx, account.id, parseOr400(newUserSchema, { email: f.owner_email, role: 'owner' }));
        flash = `Owner invitation for ${owner.email} (shown once): ${owner.invite_url}`;
      }
      res.type('html').send(await page(req, { created: account, flash }));
    } catch (err) {
      const known = toApiError(err);
      if (known?.status !== 400 && known?.status !== 409) throw err; // 409: the owner's email is taken
      res.status(400).type('html').send(await page(req, { error: known }));
    }
  });

  router.post('/admin/sessions/:id/retry', requirePermission('platform'), async (req, res) => {
    const id = String(req.params.id);
    if (!/^cs_\w+$/.test(id)) throw new InvalidRequestError('Not a checkout session ID.', 'id');
    try {
      const result = await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => ctx.temporal.workflow.getHandle(id).executeUpdate(retryUpdate));
      res.type('html').send(await page(req, { flash: `Retried ${id}: ${result.pending} job(s) still pending${result.attention ? ` (${result.attention})` : ''}.` }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new InvalidRequestError(err.cause?.message ?? err.message);
      if ((err as { name?: string }).name === 'WorkflowNotFoundError') throw new ApiError(404, `No running workflow for ${id}.`);
      throw err;
    }
  });
  return router;
}
