import type { Knex } from 'knex';

/**
 * The columns of `table` other than `except`, quoted, in table order: what a bulk copy of a template
 * row by SQL (`insert … select`) carries over unchanged, so a column a migration adds is copied too.
 */
export async function columnsExcept(db: Knex, table: string, except: string[]): Promise<string[]> {
  const { rows } = await db.raw(
    `select column_name from information_schema.columns where table_schema = current_schema() and table_name = ?
     and not (column_name = any(?::text[])) order by ordinal_position`, [table, except],
  );
  return (rows as { column_name: string }[]).map((r) => `"${r.column_name}"`);
}
