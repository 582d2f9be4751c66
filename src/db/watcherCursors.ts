import type { DbOrTx } from './knex';

const TABLE = 'watcher_cursors';

/** A source's stored cursor, or null before its first event. */
export async function readCursor(db: DbOrTx, name: string): Promise<string | null> {
  const row = await db(TABLE).select('value').where({ name }).first();
  return row?.value ?? null;
}

/** Stores a numeric cursor, never moving it backwards (events may be processed out of order). */
export async function advanceCursor(db: DbOrTx, name: string, value: bigint): Promise<void> {
  await db.raw(
    `insert into ${TABLE} (name, value, modified) values (?, ?, ?)
     on conflict (name) do update set value = excluded.value, modified = excluded.modified
     where ${TABLE}.value::numeric < excluded.value::numeric`,
    [name, value.toString(), Date.now()],
  );
}
