import { createDb, type Db } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';

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
