import { html, type SafeHtml } from '../html';
import type { PageModel } from '../model';
import { amountSummary, merchantHeader } from './header';

/** A page that only says one thing (unknown link, deactivated, error). */
export function notice(kind: 'not-found' | 'gone' | 'error', heading: string, text: string): SafeHtml {
  return html`<section class="notice-page notice-${kind}" data-testid="notice">
  <h1>${heading}</h1>
  <p>${text}</p>
</section>`;
}

/** The paid state: the merchant's success message, or a plain thank-you, and the way on. */
export function paidView(m: PageModel): SafeHtml {
  const f = m.fields;
  return html`${merchantHeader(m)}
${amountSummary(m)}
<section class="done" data-testid="paid">
  <div class="check" aria-hidden="true">✓</div>
  <h2>Payment received</h2>
  <p class="success-message" data-testid="success-message">${f.success_message || 'Thank you! Your payment has been received.'}</p>
  ${f.success_url ? html`<p><a class="button primary" href="${f.success_url}">Continue to ${m.merchantName}</a></p>` : ''}
</section>`;
}

/** A session the merchant deactivated: nothing to pay here any more. */
export function deactivatedView(m: PageModel): SafeHtml {
  return html`${merchantHeader(m)}
${notice('gone', 'This checkout is no longer available', 'The merchant has closed it, so no payment is needed. If you already paid, please contact the merchant.')}`;
}

/**
 * A payment link's first page: nothing is made until the customer goes on (a POST), so a crawler or a
 * preview fetching the link costs the merchant no address and no invoice.
 */
export function linkLandingView(linkId: string, title: string | null): SafeHtml {
  return html`<section class="notice-page notice-link" data-testid="link-landing">
  <h1>${title ?? 'Pay with Bitcoin'}</h1>
  <p>Continue to see the amount and pay with Lightning or on-chain.</p>
  <form method="post" action="/p/${linkId}">
    <button type="submit" class="button" data-testid="continue">Continue to payment</button>
  </form>
</section>`;
}
