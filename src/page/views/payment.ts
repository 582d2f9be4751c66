import { formatSats, satsToBtc } from '../format';
import { html, trusted, type SafeHtml } from '../html';
import type { PageModel } from '../model';
import { amountSummary, cancelLink, merchantHeader, methodList } from './header';

/** The QR, its URI and the payment's parts, prepared by the route (the QR is rendered server-side). */
export interface PaymentDisplay {
  uri: string;
  qrSvg: string;
}

/**
 * The payment step: the unified QR (BIP21 with the Lightning invoice), copyable invoice, address
 * and BTC amount, the countdown to the payment's expiry, a live status line, what is still due after
 * a partial payment, and in test mode the simulator. While the workflow is between payments
 * (a renewal or the rest after a partial payment) it says so instead of showing a stale QR.
 */
export function paymentView(m: PageModel, display: PaymentDisplay | null): SafeHtml {
  const p = m.payment;
  const received = m.session.target_amount_paid !== '0';
  const due = m.session.target_amount_due;
  return html`${merchantHeader(m)}
${amountSummary(m)}
${methodList(m)}
${received ? html`<div class="notice partial" role="status" data-testid="partial">
  We received ${formatSats(m.session.target_amount_paid)}.${due !== null && due !== '0' ? html` <strong data-testid="amount-due">${formatSats(due)}</strong> still due.` : ''}
</div>` : ''}
${p && display && p.status === 'unpaid' ? ready(m, display) : html`<section class="pay preparing" data-testid="preparing">
  <div class="spinner" aria-hidden="true"></div>
  <p role="status">Preparing your payment request…</p>
</section>`}
${cancelLink(m)}`;
}

function ready(m: PageModel, display: PaymentDisplay): SafeHtml {
  const p = m.payment!;
  const btc = satsToBtc(p.target_amount);
  return html`<section class="pay" data-testid="payment" data-payment-id="${p.id}">
  <h2>Pay <span data-testid="pay-sats">${formatSats(p.target_amount)}</span></h2>
  <a class="qr" href="${display.uri}" data-testid="qr" title="Open in your wallet">${trusted(display.qrSvg)}</a>
  <p class="countdown" data-testid="countdown">Expires in <span data-countdown>${remaining(Number(p.expires_at) - Date.now())}</span></p>
  <p class="live-status" data-live-status role="status" aria-live="polite">Waiting for your payment…</p>
  <p><a class="button primary" href="${display.uri}">Open in wallet</a></p>
  ${p.payment_request ? copyRow('ln-invoice', 'Lightning invoice', p.payment_request) : ''}
  ${p.onchain_address ? copyRow('onchain-address', 'Bitcoin address', p.onchain_address) : ''}
  ${p.onchain_address ? copyRow('btc-amount', 'Amount (BTC)', btc) : ''}
</section>
${m.session.livemode ? '' : simulator(m)}`;
}

function copyRow(id: string, label: string, value: string): SafeHtml {
  return html`<div class="copy-row"><label for="${id}">${label}</label>
  <div class="copy-field"><input id="${id}" value="${value}" readonly spellcheck="false"><button type="button" class="button copy" data-copy="${id}">Copy</button></div></div>`;
}

/** Test mode only: pays the current payment through the same path a real payment takes. */
function simulator(m: PageModel): SafeHtml {
  const p = m.payment!;
  return html`<form class="simulate" method="post" action="/pay/${m.session.id}/simulate" data-testid="simulate-form">
  <p class="simulate-title">Test mode simulator</p>
  <div class="simulate-row">
    <label>Sats <input name="amount" value="${p.target_amount}" inputmode="numeric" data-testid="simulate-amount"></label>
    <label>Via <select name="method">
      ${p.onchain_address ? html`<option value="onchain">On-chain</option>` : ''}
      ${p.payment_request ? html`<option value="lightning">Lightning</option>` : ''}
    </select></label>
    <button type="submit" class="button" data-testid="simulate">Simulate payment</button>
  </div>
</form>`;
}

/** "9:58", "1:02:03" or "364 days": what the countdown shows before the script takes over. */
export function remaining(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.floor(ms / 1000);
  if (s >= 86_400) return `${Math.floor(s / 86_400)} days`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(mm)}:${pad(s % 60)}` : `${mm}:${pad(s % 60)}`;
}
