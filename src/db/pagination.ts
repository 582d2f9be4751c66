import type { Knex } from 'knex';
import type { DbOrTx } from './knex';

/** Cursor options of SPEC §2 lists. */
export interface PageOptions {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

/**
 * A list cursor (`starting_after` / `ending_before`) that names no object of the list's kind for this
 * caller (none such, another account's or mode's): a 404 `resource_missing` naming the cursor, as Stripe
 * answers, rather than an empty page that reads as "the end".
 */
export class UnknownCursorError extends Error {
  constructor(readonly id: string, readonly param: 'starting_after' | 'ending_before') {
    super(`unknown list cursor ${param}`);
  }
}

/** The cursor parameter `opts` uses. */
export function cursorParam(opts: PageOptions): 'starting_after' | 'ending_before' {
  return opts.startingAfter !== undefined ? 'starting_after' : 'ending_before';
}

/**
 * Newest-first keyset pagination on `sortKeys` (default (created, id)). `starting_after` pages towards older objects,
 * `ending_before` towards newer ones; an unknown cursor is an `UnknownCursorError`. `has_more` says whether
 * more objects lie further in the direction of travel.
 *
 * The cursor is looked up in `cursorScope` (the caller's objects of this kind, without the list's
 * filters; default `where`): a cursor is a position, so an object that left a filtered list (a session
 * paid while its caller pages through `status=active`) still marks where the next page starts, as in
 * Stripe's lists.
 */
export async function pageQuery<Row>(
  db: DbOrTx,
  table: string,
  /** The table's columns, as its repository lists them (src/db/columns.ts). */
  columns: readonly string[],
  where: Record<string, unknown> | ((q: Knex.QueryBuilder) => void),
  opts: PageOptions,
  sortKeys: string[] = ['created', 'id'],
  cursorScope: Record<string, unknown> | ((q: Knex.QueryBuilder) => void) = where,
): Promise<{ rows: Row[]; hasMore: boolean }> {
  const cursorId = opts.startingAfter ?? opts.endingBefore;
  const q = db(table).select(columns).where(where);
  if (cursorId) {
    const cursor = await db(table).select(sortKeys).where(cursorScope).andWhere({ id: cursorId }).first();
    if (!cursor) throw new UnknownCursorError(cursorId, cursorParam(opts));
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
