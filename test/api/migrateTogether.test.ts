import { createDb, type Db } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { databaseUrl } from '../support/testDatabases';

/**
 * Processes started together (replicas, compose's api, worker and watcher) all run the migrations at
 * start. knex takes its lock on every run and refuses when another holds it; they must wait their turn.
 */
let db: Db;
beforeAll(() => { db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 2 }); });
afterAll(async () => {
  await db('knex_migrations_lock').update({ is_locked: 0 });
  await db.destroy();
});

const settledState = (p: Promise<unknown>) => {
  const state = { settled: false };
  p.then(() => { state.settled = true; }, () => { state.settled = true; });
  return state;
};

test('a run that finds the migration lock held waits for it, then finds nothing pending', async () => {
  await db('knex_migrations_lock').update({ is_locked: 1 });
  const run = migrateLatest(db, 60_000);
  const state = settledState(run);
  // Long enough for several refusals: a run that gave up on the first one would have settled by now.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(state.settled).toBe(false);
  await db('knex_migrations_lock').update({ is_locked: 0 });
  await expect(run).resolves.toEqual([]);
});

test('a lock nobody releases (a crashed run) still fails, with knex\'s message, once the wait is over', async () => {
  await db('knex_migrations_lock').update({ is_locked: 1 });
  await expect(migrateLatest(db, 600)).rejects.toThrow('Migration table is already locked');
  await db('knex_migrations_lock').update({ is_locked: 0 });
});

test('runs started at the same moment all succeed', async () => {
  await expect(Promise.all([migrateLatest(db), migrateLatest(db), migrateLatest(db)])).resolves.toEqual([[], [], []]);
});

/** A database of its own with nothing in it, dropped afterwards: a first start on a fresh server. */
async function withEmptyDatabase(use: (url: string) => Promise<void>): Promise<void> {
  const name = `migrate_fresh_${process.pid}_${Date.now()}`;
  await db.raw('create database ??', [name]);
  try {
    await use(databaseUrl(process.env.CHECKOUT_TEST_DATABASE_URL!, name));
  } finally {
    await db.raw('drop database if exists ?? with (force)', [name]);
  }
}

test('on an empty database, processes starting together make knex\'s tables once and all come up migrated', async () => {
  await withEmptyDatabase(async (url) => {
    // As each process does at start: a pool of one connection of its own.
    const pools = Array.from({ length: 4 }, () => createDb(url, { min: 0, max: 1 }, { acquireMs: 60_000, statementMs: 0 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrateLatest(p)));
      // One of them applied every migration; the others found nothing left to do.
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(pools.length - 1);
      expect(await pools[0]('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
    } finally {
      await Promise.all(pools.map((p) => p.destroy()));
    }
  });
}, 120_000);

test('a database left with two knex lock rows (which makes knex refuse every run) is repaired and migrates', async () => {
  await withEmptyDatabase(async (url) => {
    const fresh = createDb(url, { min: 0, max: 1 });
    try {
      await fresh.schema.createTable('knex_migrations_lock', (t) => { t.increments('index').primary(); t.integer('is_locked'); });
      await fresh('knex_migrations_lock').insert([{ is_locked: 0 }, { is_locked: 0 }]);
      expect((await migrateLatest(fresh, 2_000)).length).toBeGreaterThan(0);
      expect(await fresh('knex_migrations_lock').select('index', 'is_locked')).toEqual([{ index: 1, is_locked: 0 }]);
    } finally {
      await fresh.destroy();
    }
  });
}, 120_000);
