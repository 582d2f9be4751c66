import QRCode from 'qrcode';
import { satsToBtc } from './format';

/** What a payment offers: an on-chain address, a Lightning invoice, or both, for `sats`. */
export interface PaymentRequest {
  address: string | null;
  invoice: string | null;
  sats: string;
}

/**
 * The URI a wallet scans: BIP21 `bitcoin:ADDR?amount=<BTC>&lightning=<BOLT11>` (unified QR) when
 * the payment has an address; `lightning:<BOLT11>` when it is Lightning only.
 */
export function paymentUri(p: PaymentRequest): string {
  if (p.address) {
    const params = [`amount=${satsToBtc(p.sats)}`];
    if (p.invoice) params.push(`lightning=${p.invoice}`);
    return `bitcoin:${p.address}?${params.join('&')}`;
  }
  if (p.invoice) return `lightning:${p.invoice}`;
  throw new RangeError('a payment needs an address or an invoice');
}

/** The QR code of `text` as an SVG element, rendered on the server (no script, no CDN). */
export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#111827', light: '#ffffff' } });
  // The library emits a bare <svg>; give it an accessible name and let CSS size it.
  return svg.replace('<svg ', '<svg role="img" aria-label="Payment QR code" class="qr-code" ');
}
