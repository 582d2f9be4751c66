import { Router } from 'express';
import { findAccount } from '../../db/accounts';
import { accountBalance } from '../../db/ledger';
import { revenueIn } from '../../domain/revenue';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { dailyRevenue, pendingSats, recentReceipts, sessionCounts, sessionsNeedingAttention } from '../db/overview';
import { badge, money, sats, when } from '../views/format';
import { dashboardPage, DASH_ASSETS } from '../views/layout';

/** `/dashboard`: balances, the 30-day revenue chart, session counts, recent payments, what needs attention. */
export function homeRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get('/', requirePermission('read'), async (req, res) => {
    const scope = scopeOfUser(req);
    const [account, available, pending, counts, revenueRows, recent, attention] = await Promise.all([
      findAccount(ctx.db, scope.accountId), accountBalance(ctx.db, scope.accountId, scope.livemode), pendingSats(ctx.db, scope), sessionCounts(ctx.db, scope),
      dailyRevenue(ctx.db, scope, 30, Date.now()), recentReceipts(ctx.db, scope, 10), sessionsNeedingAttention(ctx.db, scope, 10),
    ]);
    const currency = account!.display_currency;
    const revenue = revenueIn(currency, revenueRows.groups, revenueRows.days);
    const total30 = revenue.days.reduce((sum, d) => sum + BigInt(d.sats), 0n);
    res.type('html').send(dashboardPage(signedIn(req), { title: 'Home', current: '/dashboard', scripts: [DASH_ASSETS.chart], body: html`
<h1>Home</h1>
<div class="cards">
  <div class="card"><p class="label">Available balance</p><p class="value" data-testid="available">${sats(available)}</p></div>
  <div class="card"><p class="label">Pending</p><p class="value" data-testid="pending">${sats(pending)}</p></div>
  <div class="card"><p class="label">Sessions paid</p><p class="value" data-testid="paid-count">${counts.paid ?? 0}</p></div>
  <div class="card"><p class="label">Sessions active</p><p class="value" data-testid="active-count">${counts.active ?? 0}</p></div>
</div>
<section class="panel" aria-labelledby="revenue-h">
  <h2 id="revenue-h">Revenue, last 30 days: <span data-testid="revenue-30">${sats(total30)}</span>
    <span class="fiat">(<span data-testid="revenue-30-fiat">${money(revenue.total, currency)}</span>)</span></h2>
  <p class="hint" data-testid="revenue-rate-note">In ${currency} at each payment's own rate, locked when the payment was made (as in the CSV export), not today's rate.
    ${revenue.unconvertedSats !== '0' ? html`<span data-testid="revenue-unconverted">${sats(revenue.unconvertedSats)} were paid on sessions priced in another currency, which have no recorded ${currency} rate, and are not in the ${currency} figure.</span>` : ''}
    The display currency is set in <a href="/dashboard/settings">Settings</a>.</p>
  <div class="chart-box"><canvas id="revenue-chart" role="img" aria-label="Revenue per day over the last 30 days, in sats"></canvas></div>
  <details><summary>Revenue per day as a table</summary>
    <table id="revenue-data"><thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">In ${currency}</th></tr></thead>
    <tbody>${revenue.days.map((d) => html`<tr><td>${d.day}</td><td class="num" data-sats="${d.sats}">${sats(d.sats)}</td><td class="num">${money(d.value, currency)}</td></tr>`)}</tbody></table>
  </details>
</section>
<section aria-labelledby="attention-h">
  <h2 id="attention-h">Needs attention</h2>
  ${attention.length === 0 ? html`<p class="muted">Nothing needs your attention.</p>` : html`<ul>${attention.map((a) => html`<li><a href="/dashboard/sessions/${a.id}" class="mono">${a.id}</a> ${badge(a.exception_status)} ${when(a.created)}</li>`)}</ul>`}
</section>
<section aria-labelledby="recent-h">
  <h2 id="recent-h">Recent payments</h2>
  <div class="table-wrap" tabindex="0" role="region" aria-label="Recent payments"><table data-testid="recent-payments">
    <thead><tr><th scope="col">Received</th><th scope="col">Session</th><th scope="col">Method</th><th scope="col" class="num">Amount</th><th scope="col">Status</th></tr></thead>
    <tbody>
    ${recent.length === 0 ? html`<tr><td colspan="5" class="muted">No payments yet.</td></tr>` : ''}
    ${recent.map((r) => html`<tr><td>${when(r.created)}</td><td><a href="/dashboard/sessions/${r.checkout_session_id}" class="mono">${r.checkout_session_id}</a></td>
      <td>${r.method}</td><td class="num">${sats(r.amount_sats)}</td><td>${badge(r.status === 'credited' ? 'paid' : 'pending')}${r.flag ? html` ${badge(r.flag)}` : ''}</td></tr>`)}
    </tbody></table></div>
</section>` }));
  });
  return router;
}
