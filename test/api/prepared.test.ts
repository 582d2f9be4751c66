import { createDb, type Db } from '../../src/db/knex';
import { queryPrepared, queryPreparedArrays, type PreparedStatement } from '../../src/db/prepared';

/**
 * The hot statements run as named prepared statements through knex's public API (src/db/prepared.ts):
 * a raw query whose `options` knex's pg dialect hands to `pg`. What the repositories rely on, against the
 * real PostgreSQL: each is parsed once per connection and reused with any values, it runs on a
 * transaction's own connection, a finished transaction refuses it, knex's `query` listeners count it,
 * and rows come back as arrays when asked.
 */
let db: Db;
/** A second pool: what other connections see. */
let other: Db;
const TABLE = 'prepared_probe';

beforeAll(async () => {
  // One connection: the pool's statements and `pg_prepared_statements` are that one backend's.
  db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 1 });
  other = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 1 });
  await db.raw(`create table ${TABLE} (id text primary key, tags text[] not null default '{}')`);
  await db(TABLE).insert([{ id: 'a', tags: ['x'] }, { id: 'b', tags: ['y', 'z'] }]);
});
afterAll(async () => {
  await other?.destroy();
  await db?.destroy();
});

const BY_ID_OR_TAGS: PreparedStatement = { name: 'probe_by_id_or_tags_v1', text: `select id from ${TABLE} where id = ? or tags && ? order by id` };
const BY_ID: PreparedStatement = { name: 'probe_by_id_v1', text: `select id from ${TABLE} where id = ?` };

/** This connection's prepared statement of that name: its text and how many times it ran. */
async function preparedOn(conn: Db | Parameters<Parameters<Db['transaction']>[0]>[0], name: string) {
  const { rows } = await conn.raw('select statement, prepare_time, generic_plans + custom_plans as runs from pg_prepared_statements where name = ?', [name]);
  return rows as { statement: string; prepare_time: Date; runs: string }[];
}

test('a statement is prepared on the first call on a connection and reused by the next ones, whatever the values', async () => {
  expect(await preparedOn(db, BY_ID_OR_TAGS.name)).toEqual([]);
  expect(await queryPrepared(db, BY_ID_OR_TAGS, ['a', ['nothing']])).toEqual([{ id: 'a' }]);
  const [first] = await preparedOn(db, BY_ID_OR_TAGS.name);
  // knex numbers the `?` in order; an array is one parameter, so its length never changes the text.
  expect(first).toEqual({ statement: `select id from ${TABLE} where id = $1 or tags && $2 order by id`, prepare_time: expect.any(Date), runs: '1' });

  expect(await queryPrepared(db, BY_ID_OR_TAGS, [null, ['y', 'q', 'r']])).toEqual([{ id: 'b' }]);
  expect(await queryPrepared(db, BY_ID_OR_TAGS, ['b', []])).toEqual([{ id: 'b' }]);
  // One statement, parsed once (a second Parse of the name would have failed), executed three times.
  expect(await preparedOn(db, BY_ID_OR_TAGS.name)).toEqual([{ ...first, runs: '3' }]);
});

test('inside a transaction it runs on the transaction\'s connection: it sees the uncommitted row, nobody else does', async () => {
  await db.transaction(async (tx) => {
    await tx(TABLE).insert({ id: 'uncommitted' });
    expect(await queryPrepared(tx, BY_ID, ['uncommitted'])).toEqual([{ id: 'uncommitted' }]);
    expect(await queryPrepared(other, BY_ID, ['uncommitted'])).toEqual([]);
    expect((await preparedOn(tx, BY_ID.name)).map((s) => s.runs)).toEqual(['1']);
    await tx.rollback();
  }).catch(() => undefined);
  expect(await queryPrepared(db, BY_ID, ['uncommitted'])).toEqual([]);
});

test('a finished transaction refuses it: it runs nowhere else', async () => {
  const INSERT: PreparedStatement = { name: 'probe_insert_v1', text: `insert into ${TABLE} (id) values (?)` };
  const committed = await db.transaction();
  await committed.commit();
  await expect(queryPrepared(committed, INSERT, ['late-commit'])).rejects.toThrow(/already complete/);
  const rolledBack = await db.transaction();
  await rolledBack.rollback();
  await expect(queryPrepared(rolledBack, INSERT, ['late-rollback'])).rejects.toThrow(/already complete/);
  expect(await db(TABLE).whereIn('id', ['late-commit', 'late-rollback'])).toEqual([]);
  // A live transaction still runs it.
  await db.transaction(async (tx) => { await queryPrepared(tx, INSERT, ['in-time']); });
  expect(await db(TABLE).where({ id: 'in-time' }).first('id')).toEqual({ id: 'in-time' });
});

test('knex\'s query listeners see each run once, with its text and values, on the pool and in a transaction', async () => {
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const listen = (q: { sql: string; bindings: unknown[] }) => seen.push({ sql: q.sql, bindings: q.bindings });
  db.on('query', listen);
  try {
    await queryPrepared(db, BY_ID, ['a']);
    await db.transaction(async (tx) => { await queryPrepared(tx, BY_ID, ['b']); });
  } finally {
    db.removeListener('query', listen);
  }
  const runs = seen.filter((q) => q.sql.startsWith(`select id from ${TABLE}`));
  expect(runs).toEqual([
    { sql: `select id from ${TABLE} where id = $1`, bindings: ['a'] },
    { sql: `select id from ${TABLE} where id = $1`, bindings: ['b'] },
  ]);
});

test('rows come back as arrays when asked (columns whose names repeat stay apart), and an undefined value is null', async () => {
  const PAIR: PreparedStatement = { name: 'probe_pair_v1', text: 'select ?::text as v, ?::text as v' };
  const result = await queryPreparedArrays(db, PAIR, ['left', undefined]);
  expect(result.rows).toEqual([['left', null]]);
  expect(result.fields.map((f) => f.name)).toEqual(['v', 'v']);
  expect(await queryPrepared(db, { name: 'probe_objects_v1', text: 'select ?::text as v' }, ['one'])).toEqual([{ v: 'one' }]);
});
