import QRCode from 'qrcode';
import { html, trusted, type SafeHtml } from '../../page/html';

const TABS = [
  { label: 'Balance transactions', path: '/dashboard/money' },
  { label: 'Payouts', path: '/dashboard/payouts' },
  { label: 'Withdrawal links', path: '/dashboard/withdrawal-links' },
  { label: 'Refunds', path: '/dashboard/refunds' },
];

/** The Money section's tabs: the ledger, then money out (payouts, withdrawal links, refunds). */
export function moneyTabs(current: string): SafeHtml {
  return html`<nav class="tabs" aria-label="Money"><ul>${TABS.map((t) => html`<li><a href="${t.path}"${t.path === current ? html` aria-current="page"` : ''}>${t.label}</a></li>`)}</ul></nav>`;
}

/** A URL to hand to the customer, with its copy button and QR code (server-rendered SVG). */
export async function shareBox(id: string, label: string, url: string, qrTarget = url): Promise<SafeHtml> {
  const qr = await QRCode.toString(qrTarget, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return html`<label for="${id}">${label}</label>
  <div class="copy-field"><input id="${id}" readonly value="${url}" data-testid="${id}"><button type="button" class="button" data-copy="${id}">Copy</button></div>
  <div class="qr">${trusted(qr.replace('<svg ', `<svg role="img" aria-label="QR code: ${label}" `))}</div>`;
}
