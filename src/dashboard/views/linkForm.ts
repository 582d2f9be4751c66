import { InvalidRequestError } from '../../api/errors';
import { decimalText } from '../../domain/input/common';
import { html, type SafeHtml } from '../../page/html';
import { CURRENCY_DECIMALS, exactJsonNumber } from '../../domain/money';

/** Form field values as submitted (urlencoded strings). */
export type FormValues = Record<string, string | string[] | undefined>;

const str = (v: FormValues[string]): string => (Array.isArray(v) ? v[0] ?? '' : v ?? '').trim();
const ROWS = [0, 1, 2];
/** Decimals an amount may be typed with in any currency; the API's schema then applies the currency's own. */
const AMOUNT_PLACES = Math.max(...Object.values(CURRENCY_DECIMALS));

/**
 * A number field as typed, as the JSON number the API's schema takes. The text is parsed exactly
 * (`decimalText`: digits with an optional fraction; no sign, exponent, hex or separators, which
 * `Number()` would take) and passed on only if the JSON number is that same decimal, so nothing is
 * rounded through a float (`1.0000000000000000001`, an integer past 2^53). Otherwise a 400 naming the
 * field (its name in the API's body), in the API's words.
 */
function exactNumber(text: string, param: string, places: number): number {
  const parsed = decimalText(places).safeParse(text);
  if (!parsed.success) {
    throw new InvalidRequestError(`Invalid ${param}: ${places === 0 ? 'must be a whole number' : `must be a number with at most ${places} decimal places`}`, param);
  }
  const n = exactJsonNumber(parsed.data);
  if (n === null) throw new InvalidRequestError(`Invalid ${param}: has more digits than can be kept exactly`, param);
  return n;
}

/**
 * The link form as the API's JSON body: blank fields left out, numbers as JSON numbers, checkboxes as
 * booleans, custom fields and transfers from their rows, metadata from `key=value` lines. Only the
 * numbers' form is checked here (`exactNumber`: a 400 naming the field); every rule goes through the
 * API's own schema (`createLinkSchema`), whose message names the field.
 */
export function linkBodyFromForm(f: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = { currency: str(f.currency), type: str(f.type) || 'fixed' };
  if (str(f.amount)) body.amount = exactNumber(str(f.amount), 'amount', AMOUNT_PLACES);
  if (body.type === 'options') {
    body.options = str(f.options).split(',').map((o) => o.trim()).filter(Boolean).map((o, i) => exactNumber(o, `options[${i}]`, AMOUNT_PLACES));
  }
  if (body.type === 'preset') {
    body.preset = { min_amount: exactNumber(str(f.preset_min), 'preset.min_amount', AMOUNT_PLACES), max_amount: exactNumber(str(f.preset_max), 'preset.max_amount', AMOUNT_PLACES) };
  }
  for (const k of ['title', 'title_description', 'title_image', 'description', 'statement_descriptor', 'success_url', 'success_message', 'cancel_url']) {
    if (str(f[k])) body[k] = str(f[k]);
  }
  if (str(f.ttl)) body.ttl = exactNumber(str(f.ttl), 'ttl', 0);
  if (str(f.amount_paid_tolerance)) body.amount_paid_tolerance = exactNumber(str(f.amount_paid_tolerance), 'amount_paid_tolerance', 2);
  const methods = ([] as string[]).concat(f.payment_methods ?? []);
  if (methods.length) body.payment_methods = methods;
  body.customer_collections_status = Object.fromEntries(['phone', 'email', 'billing_address', 'shipping_address']
    .map((k) => [`is_${k}_enabled`, str(f[`collect_${k}`]) === 'on']));
  const fields = ROWS.filter((i) => str(f[`cf${i}_label`])).map((i) => ({
    type: str(f[`cf${i}_type`]) || 'text', label: str(f[`cf${i}_label`]), is_optional: str(f[`cf${i}_optional`]) === 'on',
    ...(str(f[`cf${i}_options`]) ? { options: str(f[`cf${i}_options`]).split(',').map((o) => o.trim()).filter(Boolean) } : {}),
  }));
  if (fields.length) body.custom_fields = fields;
  const transfers = ROWS.filter((i) => str(f[`tr${i}_account`])).map((i, j) => ({
    destination_account: str(f[`tr${i}_account`]), percentage: exactNumber(str(f[`tr${i}_percentage`]), `transfers[${j}].percentage`, 2),
  }));
  if (transfers.length) body.transfers = transfers;
  const metadata = Object.fromEntries(str(f.metadata).split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const eq = l.indexOf('=');
    return eq === -1 ? [l, ''] : [l.slice(0, eq).trim(), l.slice(eq + 1).trim()];
  }));
  if (Object.keys(metadata).length) body.metadata = metadata;
  return body;
}

function input(f: FormValues, name: string, label: string, opts: { type?: string; hint?: string; required?: boolean; attrs?: SafeHtml } = {}): SafeHtml {
  return html`<div class="field"><label for="${name}">${label}</label>
    <input id="${name}" name="${name}" type="${opts.type ?? 'text'}" value="${str(f[name])}"${opts.required ? html` required` : ''}${opts.attrs ?? ''}${opts.hint ? html` aria-describedby="${name}-hint"` : ''}>
    ${opts.hint ? html`<p class="hint" id="${name}-hint">${opts.hint}</p>` : ''}</div>`;
}

function checkbox(f: FormValues, name: string, label: string, value = 'on', checkedByDefault = false): SafeHtml {
  const given = ([] as string[]).concat(f[name] ?? []);
  const checked = Object.keys(f).length === 0 ? checkedByDefault : given.includes(value);
  return html`<label><input type="checkbox" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label><br>`;
}

/** The create-link form; `f` refills it after a refusal, `error` names the refused field. */
export function linkForm(f: FormValues, csrf: SafeHtml, seed: string, error?: { message: string; param?: string }): SafeHtml {
  const kind = str(f.kind) || 'payment';
  const type = str(f.type) || 'fixed';
  const currency = str(f.currency) || 'SATS';
  return html`
${error ? html`<p class="alert" role="alert" data-testid="form-error">${error.param ? html`<strong>${error.param}</strong>: ` : ''}${error.message}</p>` : ''}
<form method="post" action="/dashboard/links" class="panel" data-testid="link-form">${csrf}
<input type="hidden" name="_seed" value="${seed}">
<fieldset><legend>Kind of link</legend>
  <label><input type="radio" name="kind" value="payment"${kind === 'payment' ? html` checked` : ''}> Payment link: a new checkout for every visitor</label><br>
  <label><input type="radio" name="kind" value="checkout"${kind === 'checkout' ? html` checked` : ''}> Checkout link: one checkout, paid once</label>
</fieldset>
<fieldset><legend>Amount</legend><div class="form-grid">
  <div class="field"><label for="currency">Currency</label><select id="currency" name="currency">
    ${Object.keys(CURRENCY_DECIMALS).map((c) => html`<option${c === currency ? html` selected` : ''}>${c}</option>`)}</select></div>
  <div class="field"><label for="type">Amount type</label><select id="type" name="type">
    ${[['fixed', 'Fixed amount'], ['options', 'Customer picks from options'], ['preset', 'Customer enters within a range']].map(([v, l]) => html`<option value="${v}"${v === type ? html` selected` : ''}>${l}</option>`)}</select></div>
  ${input(f, 'amount', 'Amount', { hint: 'For a fixed amount.', attrs: html` inputmode="decimal"` })}
  ${input(f, 'options', 'Options', { hint: 'Up to three amounts, comma-separated.' })}
  ${input(f, 'preset_min', 'Minimum amount', { attrs: html` inputmode="decimal"` })}
  ${input(f, 'preset_max', 'Maximum amount', { attrs: html` inputmode="decimal"` })}
</div></fieldset>
<fieldset><legend>What the customer sees</legend><div class="form-grid">
  ${input(f, 'title', 'Title')}
  ${input(f, 'title_description', 'Title description')}
  ${input(f, 'title_image', 'Image URL', { type: 'url' })}
  ${input(f, 'description', 'Description')}
  ${input(f, 'statement_descriptor', 'Statement descriptor')}
  ${input(f, 'success_message', 'Success message')}
  ${input(f, 'success_url', 'Success URL', { type: 'url', hint: 'Either a success URL or a success message.' })}
  ${input(f, 'cancel_url', 'Cancel URL', { type: 'url' })}
</div></fieldset>
<fieldset><legend>Payment</legend><div class="form-grid">
  <div class="field"><span class="label">Methods</span>
    ${checkbox(f, 'payment_methods', 'Lightning', 'lightning', true)}${checkbox(f, 'payment_methods', 'On-chain', 'onchain', true)}</div>
  ${input(f, 'ttl', 'Time to pay (seconds)', { attrs: html` inputmode="numeric"` })}
  ${input(f, 'amount_paid_tolerance', 'Tolerance (%)', { hint: 'Underpayment accepted as paid, 0–5. Blank: the account default.', attrs: html` inputmode="decimal"` })}
</div></fieldset>
<fieldset><legend>Collect from the customer</legend>
  ${checkbox(f, 'collect_email', 'Email')}${checkbox(f, 'collect_phone', 'Phone')}${checkbox(f, 'collect_billing_address', 'Billing address')}${checkbox(f, 'collect_shipping_address', 'Shipping address')}
</fieldset>
<fieldset><legend>Custom fields</legend>
  ${ROWS.map((i) => html`<div class="form-grid">
    <div class="field"><label for="cf${i}_type">Field ${i + 1} type</label><select id="cf${i}_type" name="cf${i}_type">
      ${['text', 'number', 'dropdown'].map((t) => html`<option${str(f[`cf${i}_type`]) === t ? html` selected` : ''}>${t}</option>`)}</select></div>
    ${input(f, `cf${i}_label`, `Field ${i + 1} label`)}
    ${input(f, `cf${i}_options`, `Field ${i + 1} dropdown options`, { hint: 'Comma-separated.' })}
    <div class="field">${checkbox(f, `cf${i}_optional`, `Field ${i + 1} is optional`)}</div></div>`)}
</fieldset>
<fieldset><legend>Transfers to other accounts</legend>
  ${ROWS.map((i) => html`<div class="form-grid">${input(f, `tr${i}_account`, `Transfer ${i + 1} account`, { hint: i === 0 ? 'acct_… of the destination.' : undefined })}${input(f, `tr${i}_percentage`, `Transfer ${i + 1} percentage`, { attrs: html` inputmode="decimal"` })}</div>`)}
</fieldset>
<div class="field"><label for="metadata">Metadata</label><textarea id="metadata" name="metadata" rows="3" aria-describedby="metadata-hint">${str(f.metadata)}</textarea>
  <p class="hint" id="metadata-hint">One <code>key=value</code> per line; searchable in Checkout sessions.</p></div>
<button type="submit" class="button primary">Create link</button>
</form>`;
}
