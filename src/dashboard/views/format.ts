import { html, type SafeHtml } from '../../page/html';
import { formatAmount, groupDigits } from '../../page/format';

/** A timestamp (epoch ms) as `2026-12-04 15:43 UTC`: one zone for everyone reading the same page. */
export function when(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined || ms === '') return '—';
  return `${new Date(Number(ms)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Whole sats with grouping: `21,000 sats`; negative amounts keep their sign. */
export function sats(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return text.startsWith('-') ? `−${groupDigits(text.slice(1))} sats` : `${groupDigits(text)} sats`;
}

/** An amount in its currency, or `—`. */
export function money(value: string | number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return '—';
  return formatAmount(String(value), currency);
}

/** A status pill. */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`;
}
