import { stringify } from 'csv-stringify';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseOr400 } from '../../api/validate';
import { accountBalance } from '../../db/ledger';
import { floorToCurrency } from '../../domain/money';
import { baseValueOfSats } from '../../domain/tolerance';
import { html } from '../../page/html';
import type { ServiceContext } from '../../services/context';
import { requirePermission, scopeOfUser, signedIn } from '../auth/session';
import { moneyOutRefs, moneyPage, moneyTotal, type MoneyFilters, type MoneyRow } from '../db/money';
import { sats, when } from '../views/format';
import { dashboardPage } from '../views/layout';
import { moneyTabs } from '../views/moneyTabs';

const DAY_MS = 86_400_000;
/** Fees: the platform's and affiliates' cut of a payment, and the network fees of money out. */
const FEE_TYPES = new Set(['platform_fee', 'affiliate_fee', 'payout_fee', 'refund_fee']);
const TYPES = ['payment', 'platform_fee', 'affiliate_fee', 'transfer', 'transfer_reversal', 'payout', 'payout_fee', 'refund', 'refund_fee', 'custody_correction'];

const filterSchema = z.object({
  type: z.string().regex(/^[a-z_]{0,40}$/).optional(),
  from: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/).optional(),
  to: z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/).optional(),
  before: z.string().regex(/^\d{1,19}$/).optional(),
}).strict();

/** Filters from the query: dates are whole UTC days, `to` inclusive. */
function filtersOf(req: Request): MoneyFilters & { raw: Record<string, string>; before?: string } {
  const q = parseOr400(filterSchema, req.query);
  const from = q.from ? Date.parse(`${q.from}T00:00:00Z`) : undefined;
  const to = q.to ? Date.parse(`${q.to}T00:00:00Z`) + DAY_MS : undefined;
  return { type: q.type || undefined, from, to, before: q.before, raw: { type: q.type ?? '', from: q.from ?? '', to: q.to ?? '' } };
}

/** The fiat value of an entry at its payment's locked rate (money that came from a receipt), floored to the currency. */
function fiatValue(r: MoneyRow): string {
  if (!r.exchange_rate || !r.payment_currency) return '';
  const negative = r.amount.startsWith('-');
  const value = floorToCurrency(baseValueOfSats(negative ? r.amount.slice(1) : r.amount, r.exchange_rate), r.payment_currency);
  return negative && value !== '0' ? `-${value}` : value;
}

/** The page's reference column: the money-out object (linked), else the transfer, receipt or transaction. */
function moneyRef(r: MoneyRow) {
  const out = moneyOutRefs(r);
  if (out.refund) return html`<a href="/dashboard/refunds/${out.refund}">${out.refund}</a>`;
  if (out.withdrawal_link) return html`<a href="/dashboard/withdrawal-links/${out.withdrawal_link}">${out.withdrawal_link}</a>`;
  return out.payout || r.transfer_id || r.receipt_id || r.id;
}

/** Columns of the CSV export: one row per ledger entry of the account; `net_sats` adds up to the balance. */
const CSV_COLUMNS = ['created_utc', 'balance_transaction', 'type', 'gross_sats', 'fee_sats', 'net_sats', 'currency', 'fiat_value',
  'exchange_rate_sats_per_unit', 'checkout_session', 'payment', 'receipt', 'transfer', 'payout', 'withdrawal_link', 'refund', 'description'];

/**
 * Free text cannot start a spreadsheet formula (OWASP CSV injection): such a cell gets a leading `'`.
 * Only text columns pass through this; the amounts keep their minus sign so they stay numbers (the
 * library's `escape_formulas` would quote every negative amount too).
 */
function text(value: string | null): string {
  return value && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value ?? '';
}

function csvRecord(r: MoneyRow): string[] {
  const fee = FEE_TYPES.has(r.type);
  const out = moneyOutRefs(r);
  return [new Date(Number(r.created)).toISOString(), r.id, r.type, fee ? '0' : r.amount, fee ? r.amount : '0', r.amount,
    r.payment_currency ?? '', fiatValue(r), r.exchange_rate ?? '', r.checkout_session_id ?? '', r.payment_id ?? '', r.receipt_id ?? '',
    r.transfer_id ?? '', out.payout, out.withdrawal_link, out.refund, text(r.description)];
}

/**
 * `/dashboard/money`: the balance and the balance transactions (ledger entries of the account), with
 * type and date filters and a CSV export. The balance is the same `accountBalance` `/balances` answers.
 */
export function moneyRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get('/money', requirePermission('read'), async (req, res) => {
    const scope = scopeOfUser(req);
    const f = filtersOf(req);
    const [balance, total, page] = await Promise.all([
      accountBalance(ctx.db, scope.accountId, scope.livemode), moneyTotal(ctx.db, scope, f), moneyPage(ctx.db, scope, f, 50, f.before),
    ]);
    const exportQuery = new URLSearchParams(Object.entries(f.raw).filter(([, v]) => v)).toString();
    const next = page.hasMore ? `/dashboard/money?${new URLSearchParams({ ...Object.fromEntries(Object.entries(f.raw).filter(([, v]) => v)), before: page.rows[page.rows.length - 1].entry_id })}` : null;
    res.type('html').send(dashboardPage(signedIn(req), { title: 'Money', current: '/dashboard/money', body: html`
<h1>Money</h1>
${moneyTabs('/dashboard/money')}
<div class="cards">
  <div class="card"><p class="label">Available balance</p><p class="value" data-testid="balance">${sats(balance)}</p></div>
  <div class="card"><p class="label">Sum of the filtered transactions</p><p class="value" data-testid="filtered-total">${sats(total)}</p></div>
</div>
<form method="get" action="/dashboard/money" class="toolbar">
  <div class="field"><label for="type">Type</label><select id="type" name="type"><option value="">All</option>
    ${TYPES.map((t) => html`<option${t === f.raw.type ? html` selected` : ''}>${t}</option>`)}</select></div>
  <div class="field"><label for="from">From (UTC)</label><input id="from" name="from" type="date" value="${f.raw.from}"></div>
  <div class="field"><label for="to">To (UTC, inclusive)</label><input id="to" name="to" type="date" value="${f.raw.to}"></div>
  <button type="submit" class="button">Filter</button>
  <a class="button" href="/dashboard/money/export.csv${exportQuery ? `?${exportQuery}` : ''}" data-testid="export-csv" download>Export CSV</a>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Balance transactions"><table data-testid="money-table">
  <thead><tr><th scope="col">Date</th><th scope="col">Type</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Fiat at payment rate</th><th scope="col">Session</th><th scope="col">Reference</th></tr></thead>
  <tbody>${page.rows.length === 0 ? html`<tr><td colspan="6" class="muted">No balance transactions.</td></tr>` : ''}
  ${page.rows.map((r) => html`<tr><td>${when(r.created)}</td><td>${r.type}</td><td class="num">${sats(r.amount)}</td>
    <td class="num">${r.payment_currency ? `${fiatValue(r)} ${r.payment_currency}` : '—'}</td>
    <td>${r.checkout_session_id ? html`<a class="mono" href="/dashboard/sessions/${r.checkout_session_id}">${r.checkout_session_id}</a>` : ''}</td>
    <td class="mono">${moneyRef(r)}</td></tr>`)}</tbody>
</table></div>
${next ? html`<nav class="pager" aria-label="Pages"><a class="button" rel="next" href="${next}">Older</a></nav>` : ''}` }));
  });

  // Streams in pages of 2,000 entries (keyset on the entry ID), so an export of any size holds one page in memory.
  router.get('/money/export.csv', requirePermission('read'), async (req, res) => {
    const scope = scopeOfUser(req);
    const f = filtersOf(req);
    const csv = stringify({ header: true, columns: CSV_COLUMNS });
    res.status(200).set({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="balance-transactions-${scope.livemode ? 'live' : 'test'}-${new Date().toISOString().slice(0, 10)}.csv"`,
    });
    csv.pipe(res);
    let before: string | undefined;
    for (;;) {
      const page = await moneyPage(ctx.db, scope, f, 2_000, before);
      for (const r of page.rows) {
        if (!csv.write(csvRecord(r))) await new Promise((resolve) => csv.once('drain', resolve));
      }
      if (!page.hasMore) break;
      before = page.rows[page.rows.length - 1].entry_id;
    }
    csv.end();
  });
  return router;
}
