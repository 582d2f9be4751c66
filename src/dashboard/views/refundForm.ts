import { html, type SafeHtml } from '../../page/html';
import { errorBox, given, newFormSeed, numberOf } from './forms';

export type RefundValues = Record<string, string | undefined>;

const radio = (name: string, value: string, label: string, checked: boolean, hint?: string) => html`<div class="choice">
  <input type="radio" id="${name}-${value}" name="${name}" value="${value}"${checked ? html` checked` : ''}><label for="${name}-${value}">${label}</label>${hint ? html` <span class="hint">${hint}</span>` : ''}</div>`;

/**
 * The refund form of a session's page: how much (full, partial in the session's currency, or only
 * what an overpaid session received above its price), at which rate, and where it goes (a withdrawal
 * link for the customer, or their Lightning invoice for exactly the refund).
 */
export function refundForm(action: string, csrf: SafeHtml, currency: string, opts: { values?: RefundValues; error?: { message: string; param?: string }; hasTransfers: boolean }): SafeHtml {
  const v = opts.values ?? {};
  const type = v.type ?? 'full';
  const method = v.withdraw_method ?? 'withdrawal_link';
  return html`<details class="panel" id="refund"${opts.error ? html` open` : ''}><summary><strong>Refund</strong></summary>
${errorBox(opts.error)}
<form method="post" action="${action}" data-confirm="Refund this checkout session?">${csrf}${newFormSeed()}
  <fieldset><legend>How much</legend>
    ${radio('type', 'full', 'Full', type === 'full', 'what it received, less earlier refunds')}
    ${radio('type', 'partial', 'Partial', type === 'partial')}
    ${radio('type', 'excess', 'Excess', type === 'excess', 'only what was paid above the price')}
    <div class="field"><label for="refund-amount">Amount of a partial refund (${currency})</label><input id="refund-amount" name="amount" inputmode="decimal" value="${v.amount ?? ''}"></div>
    <div class="field"><label for="refund-rate">Rate</label><select id="refund-rate" name="rate">
      <option value="original"${v.rate !== 'current' ? html` selected` : ''}>The payment's rate</option><option value="current"${v.rate === 'current' ? html` selected` : ''}>Today's rate</option></select></div>
  </fieldset>
  <fieldset><legend>Paid to the customer as</legend>
    ${radio('withdraw_method', 'withdrawal_link', 'A withdrawal link to send them', method === 'withdrawal_link')}
    <div class="field"><label for="refund-ttl">Link valid for (days)</label><input id="refund-ttl" name="ttl_days" inputmode="numeric" value="${v.ttl_days ?? ''}"><p class="hint">Blank: 30 days.</p></div>
    ${radio('withdraw_method', 'lightning', 'Their Lightning invoice', method === 'lightning')}
    <div class="field"><label for="refund-invoice">Invoice for exactly the refund</label><textarea id="refund-invoice" name="withdraw_request" rows="3" class="mono">${v.withdraw_request ?? ''}</textarea></div>
  </fieldset>
  ${opts.hasTransfers ? html`<div class="choice"><input type="checkbox" id="reverse_transfers" name="reverse_transfers" value="on"${v.reverse_transfers ? html` checked` : ''}><label for="reverse_transfers">Take back the split transfers' share</label></div>` : ''}
  <div class="field"><label for="refund-reason">Reason (optional)</label><input id="refund-reason" name="reason" maxlength="255" value="${v.reason ?? ''}"></div>
  <button type="submit" class="button primary" data-testid="create-refund">Refund</button>
</form></details>`;
}

/** The form as `POST /refunds` takes it; fields left blank are absent, so the API's own rules speak. */
export function refundBodyOf(sessionId: string, f: RefundValues) {
  const days = numberOf(f.ttl_days);
  return {
    checkout_session: sessionId,
    ...(given(f.type) ? { type: given(f.type) } : {}),
    ...(numberOf(f.amount) === undefined ? {} : { amount: numberOf(f.amount) }),
    rate: given(f.rate) ?? 'original',
    withdraw_method: given(f.withdraw_method) ?? 'withdrawal_link',
    ...(given(f.withdraw_request) ? { withdraw_request: given(f.withdraw_request) } : {}),
    ...(days === undefined ? {} : { ttl: typeof days === 'number' ? Math.round(days * 86_400) : days }),
    reverse_transfers: f.reverse_transfers === 'on',
    ...(given(f.reason) ? { reason: given(f.reason) } : {}),
  };
}
