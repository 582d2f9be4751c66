import type { Knex } from 'knex';
import type { DbOrTx } from './knex';

/** Cursor options of SPEC §2 lists. */
export interface PageOptions {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

/**
 * Newest-first keyset pagination on `sortKeys` (default (created, id)). `starting_after` pages towards older objects,
 * `ending_before` towards newer ones; an unknown cursor yields an empty page. `has_more` says whether
 * more objects lie further in the direction of travel.
 */
export async function pageQuery<Row>(
  db: DbOrTx,
  table: string,
  where: Record<string, unknown> | ((q: Knex.QueryBuilder) => void),
  opts: PageOptions,
  sortKeys: string[] = ['created', 'id'],
): Promise<{ rows: Row[]; hasMore: boolean }> {
  const cursorId = opts.startingAfter ?? opts.endingBefore;
  const q = db(table).select('*').where(where);
  if (cursorId) {
    const cursor = await db(table).select(sortKeys).where(where).andWhere({ id: cursorId }).first();
    if (!cursor) return { rows: [], hasMore: false };
    const op = opts.startingAfter ? '<' : '>';
    const tuple = sortKeys.map(() => '??').join(', ');
    q.andWhereRaw(`(${tuple}) ${op} (${sortKeys.map(() => '?').join(', ')})`, [...sortKeys, ...sortKeys.map((k) => cursor[k])]);
  }
  const ascending = Boolean(opts.endingBefore && !opts.startingAfter);
  q.orderBy(sortKeys.map((column) => ({ column, order: ascending ? 'asc' : 'desc' })));
  const rows = (await q.limit(opts.limit + 1)) as Row[];
  const hasMore = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  return { rows: ascending ? page.reverse() : page, hasMore };
}
