import type { BrandingRow } from '../db/branding';
import { textOn } from '../domain/branding';

/** The branding a hosted page shows: its accent stylesheet, its logo, and the logo's alt text. */
export interface PageBrand {
  cssPath: string | null;
  logoSrc: string | null;
  alt: string;
}

/** Path of an accent colour's stylesheet (the colour is the name: no lookup, cacheable for good). */
export function accentCssPath(accent: string): string {
  return `/pay-assets/brand/${accent.slice(1)}.css`;
}

/** Path of an uploaded logo (named by its SHA-256, so a new logo is a new URL). */
export function logoPath(hash: string): string {
  return `/pay-assets/logo/${hash}`;
}

/** The page's branding from the account's row (none set: the page's own look). */
export function pageBrand(row: BrandingRow | undefined, merchantName: string): PageBrand {
  return {
    cssPath: row?.accent_color ? accentCssPath(row.accent_color) : null,
    logoSrc: row?.logo_url ?? (row?.logo_hash ? logoPath(row.logo_hash) : null),
    alt: merchantName,
  };
}

/**
 * The stylesheet of an accent colour: buttons and the card's top edge in the colour, button text white
 * or near-black, whichever contrasts more with it. Served as a file (`style-src 'self'`: no inline styles).
 */
export function accentCss(accent: string): string {
  return `:root { --accent: ${accent}; --accent-text: ${textOn(accent)}; }
.card { border-top: 6px solid var(--accent); }
.button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
`;
}
