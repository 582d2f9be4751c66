import { FORM_ERROR } from '../details';
import type { FormField } from '../formFields';
import { html, type SafeHtml } from '../html';
import type { PageModel } from '../model';
import { formatAmount } from '../format';
import { amountSummary, cancelLink, merchantHeader, methodList } from './header';

const LEGENDS: Record<FormField['group'], string> = {
  amount: 'Amount', contact: 'Contact', billing: 'Billing address', shipping: 'Shipping address', custom: 'Additional information',
};

/**
 * The step before the QR: the amount (options/preset) and the enabled customer details and custom
 * fields. A plain form post (works without JavaScript); the server validates and answers with this
 * form again, each bad field carrying its own message, or redirects to the payment.
 */
export function formView(
  m: PageModel, fields: FormField[], errors: Record<string, string> = {}, values: Record<string, unknown> = {},
): SafeHtml {
  const groups = (Object.keys(LEGENDS) as FormField['group'][])
    .map((g) => ({ g, list: fields.filter((f) => f.group === g) }))
    .filter((x) => x.list.length > 0);
  const fieldErrors = Object.keys(errors).filter((k) => k !== FORM_ERROR).length;
  return html`${merchantHeader(m)}
${amountSummary(m)}
${methodList(m)}
<form class="details" method="post" action="/pay/${m.session.id}" novalidate data-testid="details-form">
  ${errors[FORM_ERROR] ? html`<div class="alert" role="alert" data-testid="form-error">${errors[FORM_ERROR]}</div>` : ''}
  ${fieldErrors > 0 ? html`<div class="alert" role="alert">Please correct the ${fieldErrors === 1 ? 'field' : `${fieldErrors} fields`} marked below.</div>` : ''}
  ${groups.map(({ g, list }) => html`<fieldset class="group-${g}"><legend>${LEGENDS[g]}</legend>
    ${list.map((f) => field(f, m.session.currency, errors[f.name], values[f.name]))}
  </fieldset>`)}
  <button type="submit" class="button primary">Continue to payment</button>
</form>
${cancelLink(m)}`;
}

function field(f: FormField, currency: string, error: string | undefined, raw: unknown): SafeHtml {
  const id = `f-${f.name}`;
  const value = typeof raw === 'string' ? raw : '';
  const described = error ? `err-${f.name}` : f.kind === 'amount_range' ? `hint-${f.name}` : undefined;
  const aria = html`${error ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}${f.required ? html` required` : ''}`;
  const label = html`${f.label}${f.required ? '' : html` <span class="optional">(optional)</span>`}`;
  const message = error ? html`<p class="error" id="err-${f.name}" data-error-for="${f.name}">${error}</p>` : '';
  if (f.kind === 'amount_choice') {
    return html`<div class="field${error ? ' invalid' : ''}" role="radiogroup" aria-label="Amount">
      ${f.choices!.map((c, i) => html`<label class="choice"><input type="radio" name="${f.name}" value="${c}" id="${id}-${i}"${value === c ? html` checked` : ''}${aria}> ${formatAmount(c, currency)}</label>`)}
      ${message}</div>`;
  }
  let control: SafeHtml;
  if (f.kind === 'select') {
    control = html`<select id="${id}" name="${f.name}"${aria}><option value="">Choose…</option>${f.choices!.map((c) => html`<option value="${c}"${value === c ? html` selected` : ''}>${c}</option>`)}</select>`;
  } else {
    const type = f.kind === 'email' ? 'email' : f.kind === 'tel' ? 'tel' : 'text';
    const numeric = f.kind === 'number' || f.kind === 'amount_range';
    control = html`<input id="${id}" name="${f.name}" type="${type}" value="${value}" maxlength="${f.maxLength}"${numeric ? html` inputmode="decimal"` : ''}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${aria}>`;
  }
  const hint = f.kind === 'amount_range'
    ? html`<p class="hint" id="hint-${f.name}">Between ${formatAmount(f.range!.min, currency)} and ${formatAmount(f.range!.max, currency)}</p>` : '';
  return html`<div class="field${error ? ' invalid' : ''}"><label for="${id}">${label}</label>${control}${hint}${message}</div>`;
}
