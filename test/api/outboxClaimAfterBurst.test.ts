import { claimUndispatchedEventIds, markEventsDispatched } from '../../src/db/events';
import { createDb, type Db } from '../../src/db/knex';
import { dispatchUndispatched } from '../../src/webhooks/sweeper';

/**
 * After a burst (an outage's backlog, 10,000 pending deliveries), the outbox relay's claim must stay
 * cheap: walking `events_undispatched` in order, it passes the entries of the events it just
 * dispatched, and a plain index scan marks them dead so that the next claims skip them. A bitmap scan,
 * which the planner picks when it expects few undispatched rows (no statistics yet, or statistics from
 * before the burst), never marks them: each claim then read every dispatched row's heap page until the
 * next vacuum (2,000 buffers a claim in the bench's round 12). Checked on the index itself (pageinspect).
 */
const BURST = 3_000;
let db: Db;
beforeAll(async () => {
  db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 2 });
  await db.raw('create extension if not exists pageinspect');
});
afterAll(async () => { await db.destroy(); });

async function burst(tag: string, dispatched: boolean): Promise<void> {
  await db.raw(`insert into events (id, dedupe_key, account_id, livemode, event_type, object_id, data, created, dispatched_at)
    select ? || n, ? || n, 'acct_burst', false, 'payment.created', 'cs_burst' || n,
      jsonb_build_object('object', jsonb_build_object('id', 'cs_burst' || n, 'note', repeat('x', 300))), 0, ?
    from generate_series(1, ?) n`, [`evt_${tag}_`, `${tag}:`, dispatched ? 1 : null, BURST]);
}

/** The relay's step over the burst, marking each claimed batch dispatched (as the dispatcher does). */
const relay = () => dispatchUndispatched(db, async (ids, tx) => markEventsDispatched(tx!, ids, Date.now()), 0);

/** The index's leaf entries (high keys aside): those marked dead, and the others. */
async function indexEntries(): Promise<{ dead: number; live: number }> {
  const { rows } = await db.raw(`
    select count(*) filter (where i.dead) as dead, count(*) filter (where not i.dead) as live
    from generate_series(1, (pg_relation_size('events_undispatched') / 8192)::int - 1) b,
      lateral bt_page_stats('events_undispatched', b) s,
      lateral bt_page_items('events_undispatched', b) i
    where s.type = 'l' and i.htid is not null`);
  return { dead: Number(rows[0].dead), live: Number(rows[0].live) };
}

async function claimAfterBurst(tag: string): Promise<{ dead: number; live: number }> {
  await burst(tag, false);
  expect(await relay()).toBe(BURST);
  // The next claim finds nothing, and passes the burst's entries on the way.
  expect(await db.transaction((tx) => claimUndispatchedEventIds(tx, Date.now(), 100))).toEqual([]);
  return indexEntries();
}

test('with no statistics on events (a new installation, or a table autovacuum has not analysed yet), a claim marks the dispatched burst\'s index entries dead', async () => {
  const { rows } = await db.raw("select count(*) as n from pg_stats where schemaname = current_schema() and tablename = 'events'");
  expect(Number(rows[0].n)).toBe(0);
  const entries = await claimAfterBurst('nostats');
  expect(entries.dead).toBeGreaterThanOrEqual(BURST * 0.9);
  expect(entries.live).toBeLessThan(BURST / 10);
});

test('with statistics from before the burst (almost every event dispatched), a claim marks the dispatched burst\'s index entries dead', async () => {
  await burst('history', true);
  await db.raw('analyze events');
  const before = await indexEntries();
  const entries = await claimAfterBurst('stale');
  expect(entries.dead - before.dead).toBeGreaterThanOrEqual(BURST * 0.9);
  expect(entries.live).toBeLessThan(BURST / 10);
});
