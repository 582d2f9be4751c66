import { toTargetSats } from '../../rates';
import { formatAmount, formatSats, satsToBtc } from '../format';
import { html, type SafeHtml } from '../html';
import type { PageModel } from '../model';

const METHOD_NAMES = { lightning: 'Lightning', onchain: 'On-chain bitcoin' } as const;

/** The merchant's branding: who is paid, title, image and description (all escaped). */
export function merchantHeader(m: PageModel): SafeHtml {
  const f = m.fields;
  return html`<header class="merchant">
  <p class="merchant-name">${m.merchantName}</p>
  ${f.title_image ? html`<img class="title-image" src="${f.title_image}" alt="" referrerpolicy="no-referrer">` : ''}
  <h1 data-testid="title">${f.title || 'Checkout'}</h1>
  ${f.title_description ? html`<p class="title-description">${f.title_description}</p>` : ''}
  ${f.description ? html`<p class="description">${f.description}</p>` : ''}
</header>`;
}

/**
 * The price: the base-currency amount and its worth in sats and BTC at the current payment's locked
 * rate; a line of choices while an `options`/`preset` amount is still to be picked.
 */
export function amountSummary(m: PageModel): SafeHtml {
  const currency = m.session.currency;
  if (m.amount === null) return html`<section class="amount-box"><p class="amount-label">Choose how much to pay</p></section>`;
  const sats = m.payment ? toTargetSats(m.amount, m.payment.exchange_rate).toString() : currency === 'SATS' ? m.amount : null;
  const sub = currency === 'SATS' ? (sats ? `${satsToBtc(sats)} BTC` : '')
    : sats ? `${formatSats(sats)} · ${satsToBtc(sats)} BTC` : '';
  return html`<section class="amount-box">
  <p class="amount-label">Total</p>
  <p class="amount" data-testid="amount">${formatAmount(m.amount, currency)}</p>
  ${sub ? html`<p class="amount-sub" data-testid="amount-sats">${sub}</p>` : ''}
</section>`;
}

/** The payment methods this session takes. */
export function methodList(m: PageModel): SafeHtml {
  return html`<ul class="methods" aria-label="Payment methods">${m.fields.payment_methods.map((k) => html`<li class="method method-${k}">${METHOD_NAMES[k]}</li>`)}</ul>`;
}

/** The way back to the merchant without paying (shown while the session is open). */
export function cancelLink(m: PageModel): SafeHtml {
  const url = m.fields.cancel_url;
  return url ? html`<p class="cancel"><a href="${url}" data-testid="cancel">Cancel and return to ${m.merchantName}</a></p>` : html``;
}
