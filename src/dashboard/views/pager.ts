import { z } from 'zod';
import { html, type SafeHtml } from '../../page/html';

/** `?limit=` of a list page: 1 to 100 rows, 25 unless asked (a page of 100 is still a fixed number of statements). */
export const pageLimit = z.coerce.number().int().min(1).max(100).default(25);

/**
 * Previous/next links of a keyset-paginated list (SPEC §2 cursors). Whether a previous page exists is
 * known when we came from one (`starting_after` set) or the page was reached backwards with more left.
 */
export function pager(
  path: string, filters: Record<string, string>, ids: string[], hasMore: boolean,
  cursor: { starting_after?: string; ending_before?: string },
): SafeHtml {
  const backwards = Boolean(cursor.ending_before && !cursor.starting_after);
  const hasOlder = backwards ? ids.length > 0 : hasMore;
  const hasNewer = backwards ? hasMore : Boolean(cursor.starting_after || cursor.ending_before);
  const link = (extra: Record<string, string>) => {
    const params = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...extra });
    return `${path}?${params.toString()}`;
  };
  return html`<nav class="pager" aria-label="Pages">
  ${hasNewer && ids.length > 0 ? html`<a class="button" href="${link({ ending_before: ids[0] })}" rel="prev">Newer</a>` : ''}
  ${hasOlder && ids.length > 0 ? html`<a class="button" href="${link({ starting_after: ids[ids.length - 1] })}" rel="next" data-testid="next-page">Older</a>` : ''}
</nav>`;
}
