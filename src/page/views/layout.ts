import type { PageBrand } from '../brand';
import { html, type SafeHtml } from '../html';

/** Paths of the page's own assets (served by the app: no CDN, no framework). */
export const ASSET_PATHS = { css: '/pay-assets/page.css', js: '/pay-assets/page.js' } as const;

/**
 * The HTML document around every page state. `live` carries the data the script polls with; pages
 * without it (errors, the form) never poll, so typed input is never lost to a reload.
 */
export function layout(opts: {
  title: string;
  body: SafeHtml;
  testMode?: boolean;
  live?: { statusUrl: string; stateKey: string; expiresAt: number | null };
  /** The merchant's accent colour and logo, when they set them. */
  brand?: PageBrand;
}): string {
  const brand = opts.brand;
  const live = opts.live;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${opts.title}</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
${brand?.cssPath ? html`<link rel="stylesheet" href="${brand.cssPath}">` : ''}
<script src="${ASSET_PATHS.js}" defer></script>
${live ? html`<noscript><meta http-equiv="refresh" content="15"></noscript>` : ''}
</head>
<body>
${opts.testMode ? html`<div class="test-banner" role="note">Test mode: no real bitcoin moves on this page.</div>` : ''}
<main class="card" id="checkout"${live ? html` data-status-url="${live.statusUrl}" data-state-key="${live.stateKey}" data-expires-at="${live.expiresAt ?? ''}" data-now="${Date.now()}"` : ''}>
${brand?.logoSrc ? html`<p class="brand-logo"><img src="${brand.logoSrc}" alt="${brand.alt}" referrerpolicy="no-referrer" data-testid="brand-logo"></p>` : ''}
${opts.body}
</main>
<p class="powered">Bitcoin checkout · Lightning &amp; on-chain</p>
</body>
</html>
`.value;
}
