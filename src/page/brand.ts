import type { BrandingRow } from '../db/branding';
import { buttonColours } from '../domain/branding';

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
 * The stylesheet of an accent colour: the card's top edge in the colour, buttons in it (or a darker shade
 * of a mid-tone no text reads on, `buttonColours`) with white or near-black text at 4.5:1 or more. No text
 * of the page takes the colour (the footer keeps its own). Served as a file (`style-src 'self'`: no inline styles).
 */
export function accentCss(accent: string): string {
  const button = buttonColours(accent);
  return `:root { --accent: ${accent}; --accent-fill: ${button.fill}; --accent-text: ${button.text}; }
.card { border-top: 6px solid var(--accent); }
.button.primary { background: var(--accent-fill); border-color: var(--accent-fill); color: var(--accent-text); }
`;
}
