import { paymentUri, qrSvg } from './bip21';
import type { FormField } from './formFields';
import type { SafeHtml } from './html';
import { needsForm, stateKey, type PageModel } from './model';
import { pendingFields } from './submit';
import { formView } from './views/form';
import { layout } from './views/layout';
import { deactivatedView, linkLandingView, notice, paidView } from './views/notices';
import { paymentView, type PaymentDisplay } from './views/payment';

/** A rendered page and the HTTP status it goes out with. */
export interface RenderedPage {
  status: number;
  html: string;
}

function page(m: PageModel, status: number, body: SafeHtml, live = false): RenderedPage {
  const title = `${m.fields.title || 'Checkout'} · ${m.merchantName}`;
  return {
    status,
    html: layout({
      title, body, testMode: !m.session.livemode, brand: m.brand,
      live: live ? { statusUrl: `/pay/${m.session.id}/status`, stateKey: stateKey(m), expiresAt: m.payment ? Number(m.payment.expires_at) : null } : undefined,
    }),
  };
}

/** `/pay/{cs}` in whatever state the session is: deactivated (410), paid, the form, or the payment. */
export async function renderSessionPage(m: PageModel): Promise<RenderedPage> {
  if (m.session.status === 'deactivated') return page(m, 410, deactivatedView(m));
  if (m.session.status === 'paid') return page(m, 200, paidView(m));
  if (needsForm(m)) return page(m, 200, formView(m, pendingFields(m)));
  return page(m, 200, paymentView(m, await paymentDisplay(m)), true);
}

/** The form again after a refused post (400), each bad field with its message and the values kept. */
export function renderRefusedForm(m: PageModel, fields: FormField[], errors: Record<string, string>, values: Record<string, unknown>): RenderedPage {
  return page(m, 400, formView(m, fields, errors, values));
}

async function paymentDisplay(m: PageModel): Promise<PaymentDisplay | null> {
  const p = m.payment;
  if (!p || p.status !== 'unpaid') return null;
  const uri = paymentUri({ address: p.onchain_address, invoice: p.payment_request, sats: p.target_amount });
  return { uri, qrSvg: await qrSvg(uri) };
}

/** A page that is not about one session: unknown link (404), deactivated link (410), or our fault (500). */
export function renderNotice(status: number, message?: string): RenderedPage {
  const body = status === 404
    ? notice('not-found', 'Checkout not found', 'This payment link does not exist. Please check the link you were given.')
    : status === 410
      ? notice('gone', 'This link is no longer active', message ?? 'The merchant has deactivated it, so no payment is needed.')
      : status < 500
        ? notice('error', 'This request could not be handled', message ?? 'Please go back and try again.')
        : notice('error', 'Something went wrong', 'Please try again in a moment. No payment was taken.');
  return { status, html: layout({ title: 'Checkout', body }) };
}

/** A payment link before the customer goes on (see `linkLandingView`). */
export function renderLinkLanding(linkId: string, title: string | null): RenderedPage {
  return { status: 200, html: layout({ title: title ?? 'Checkout', body: linkLandingView(linkId, title) }) };
}
