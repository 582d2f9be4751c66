/**
 * The hosted page's branding rules, pure: an accent colour is `#rrggbb`; text on it is white or near-black,
 * whichever contrasts more (WCAG 2.1 relative luminance), so a merchant's colour never makes a button
 * unreadable. A logo upload is a small PNG, JPEG, GIF or WebP recognised by its bytes (never SVG: it can
 * carry script), and a logo URL is https.
 */
export const ACCENT_PATTERN = /^#[0-9a-f]{6}$/;

/** The largest logo file accepted, bytes. */
export const MAX_LOGO_BYTES = 100 * 1024;

/** Near-black text of the page (`--ink`), and white. */
const DARK = '#111827';
const LIGHT = '#ffffff';

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour to put on `accent`: white or near-black, whichever contrasts more (4.1:1 at worst, for a mid-tone). */
export function textOn(accent: string): string {
  return contrastRatio(accent, LIGHT) >= contrastRatio(accent, DARK) ? LIGHT : DARK;
}

/** WCAG AA for normal-size text. */
export const MIN_TEXT_CONTRAST = 4.5;

/**
 * A button's fill and text for `accent`: the accent itself with white or near-black text when one of them
 * reaches 4.5:1; a mid-tone that neither reaches (luminance near 0.2, e.g. #777777) is darkened step by
 * step toward black until white text does, so a merchant's colour never makes a button unreadable.
 */
export function buttonColours(accent: string): { fill: string; text: string } {
  const text = textOn(accent);
  if (contrastRatio(accent, text) >= MIN_TEXT_CONTRAST) return { fill: accent, text };
  const rgb = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16));
  for (let keep = 0.95; ; keep -= 0.05) {
    const fill = `#${rgb.map((c) => Math.round(c * Math.max(keep, 0)).toString(16).padStart(2, '0')).join('')}`;
    if (contrastRatio(fill, LIGHT) >= MIN_TEXT_CONTRAST) return { fill, text: LIGHT };
  }
}

/** The image type of a logo file from its first bytes, or null for anything else (SVG included). */
export function logoImageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}
