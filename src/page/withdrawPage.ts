import QRCode from 'qrcode';
import type { WithdrawalLinkRow } from '../db/withdrawalLinks';
import type { PageBrand } from './brand';
import { formatSats } from './format';
import { html, trusted } from './html';
import type { RenderedPage } from './render';
import { layout } from './views/layout';
import { notice } from './views/notices';

/** The QR of an LNURL: upper case in a `lightning:` URI (QR alphanumeric mode, what wallets scan). */
async function lnurlQr(lnurl: string): Promise<{ uri: string; svg: string }> {
  const uri = `lightning:${lnurl.toUpperCase()}`;
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#111827', light: '#ffffff' } });
  return { uri, svg: svg.replace('<svg ', '<svg role="img" aria-label="Withdrawal QR code" class="qr-code" ') };
}

/**
 * `/w/{wlink}`: the withdrawal link's QR (LNURL-withdraw) while it can be claimed; once paid, expired or
 * deactivated, a page that says so (410 for the last two). Server-rendered like the payment page, no
 * script needed: the customer's wallet does the rest.
 */
export async function renderWithdrawPage(row: WithdrawalLinkRow, lnurl: string, brand?: PageBrand): Promise<RenderedPage> {
  const title = 'Withdraw bitcoin';
  const sats = formatSats(row.target_amount);
  const testMode = !row.livemode;
  if (row.status === 'paid') {
    return { status: 200, html: layout({ title, testMode, brand, body: notice('gone', 'Withdrawn', `${sats} were sent to your wallet.`) }) };
  }
  if (row.status === 'expired' || row.status === 'deactivated') {
    return { status: 410, html: layout({ title, testMode, brand, body: notice('gone', 'This withdrawal link is no longer active', `It has ${row.status === 'expired' ? 'expired' : 'been deactivated'}; nothing can be withdrawn with it.`) }) };
  }
  const qr = await lnurlQr(lnurl);
  const body = html`<section class="pay" data-testid="withdrawal" data-withdrawal-link-id="${row.id}">
  <h1>Withdraw <span data-testid="withdraw-sats">${sats}</span></h1>
  ${row.description ? html`<p>${row.description}</p>` : ''}
  <a class="qr" href="${qr.uri}" data-testid="qr" title="Open in your wallet">${trusted(qr.svg)}</a>
  <p>Scan with a Lightning wallet that supports LNURL-withdraw, or open it in your wallet.</p>
  ${row.expires_at ? html`<p class="countdown" data-testid="expires-at">Valid until ${new Date(Number(row.expires_at)).toUTCString()}</p>` : ''}
  ${row.status === 'processing' ? html`<p class="live-status" role="status" data-testid="processing">A withdrawal is being paid to your wallet…</p>` : ''}
  <p><a class="button primary" href="${qr.uri}">Open in wallet</a></p>
  <div class="copy-row"><label for="lnurl">LNURL</label>
  <div class="copy-field"><input id="lnurl" value="${lnurl}" readonly spellcheck="false"><button type="button" class="button copy" data-copy="lnurl">Copy</button></div></div>
</section>`;
  return { status: 200, html: layout({ title, testMode, brand, body }) };
}
