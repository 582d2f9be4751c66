import { findEvent, recordEvent, type EventRow } from '../../src/db/events';
import { createDb, type Db } from '../../src/db/knex';
import { sharedListener } from '../../src/db/notifications';
import { PLATFORM_ACCOUNT_ID } from '../../src/db/accounts';
import { insertDelivery, insertEndpoint, type WebhookEndpointRow } from '../../src/db/webhooks';
import { createLogger } from '../../src/logger';
import { DELIVERY_ATTEMPTED_CHANNEL } from '../../src/webhooks/attemptNotices';
import { awaitPredecessor } from '../../src/webhooks/ordering';

/**
 * A delivery waits for its predecessor's first attempt (src/webhooks/ordering.ts), woken by that
 * attempt's NOTIFY (migration 144) over the process's one LISTEN connection. The fallback poll is set to
 * an hour here, so a wait that ends did so because it was woken, not because it polled. No system runs
 * in this file: the only LISTEN connection on its database is the one under test.
 */
const log = createLogger('silent');
const HOUR = 3_600_000;
const scope = { accountId: PLATFORM_ACCOUNT_ID, livemode: false };
let db: Db;
let endpoint: WebhookEndpointRow;
/** How many times the log of attempts was read for each event, counted when the answer arrived. */
const looks = new Map<string, number>();
const lookWaiters: Array<{ eventId: string; n: number; resolve: () => void }> = [];
let listeningCount = 0;
let onListening: (() => void) | null = null;
let unsubscribe: () => Promise<void>;

beforeAll(async () => {
  db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!);
  db.on('query-response', (_rows: unknown, q: { sql: string; bindings?: unknown[] }) => {
    if (!q.sql.startsWith('select') || !q.sql.includes('webhook_deliveries')) return;
    const eventId = (q.bindings ?? []).find((b) => typeof b === 'string' && b.startsWith('evt_')) as string | undefined;
    if (!eventId) return;
    looks.set(eventId, (looks.get(eventId) ?? 0) + 1);
    for (const w of lookWaiters.filter((l) => l.eventId === eventId && looks.get(eventId)! >= l.n)) w.resolve();
  });
  // The process's listener, as the outbox relay holds it: the first subscriber sets its reconnect delay.
  const listening = new Promise<void>((resolve) => { onListening = resolve; });
  unsubscribe = sharedListener(db, log, 200).subscribe(DELIVERY_ATTEMPTED_CHANNEL, {
    onNotify: () => undefined,
    onListening: () => { listeningCount++; onListening?.(); },
  });
  await listening;
  const now = Date.now();
  endpoint = await insertEndpoint(db, {
    id: 'we_ordering', account_id: PLATFORM_ACCOUNT_ID, livemode: false, url: 'https://receiver.invalid/hook', description: null,
    enabled_events: ['*'], status: 'enabled', secret: 'whsec_ordering', previous_secret: null, previous_secret_expires: null,
    deleted: false, created: String(now - 60_000), modified: String(now - 60_000),
  });
});
afterAll(async () => {
  await unsubscribe?.();
  await db?.destroy();
});

/** Resolves once the log was read `n` times for `eventId` (answers received). */
function looked(eventId: string, n: number): Promise<void> {
  return new Promise((resolve) => {
    if ((looks.get(eventId) ?? 0) >= n) resolve();
    else lookWaiters.push({ eventId, n, resolve });
  });
}

/** Two events of one checkout session, in order: the second's delivery waits for the first's. */
async function stream(tag: string): Promise<{ first: EventRow; second: EventRow }> {
  const record = (type: string, n: number) => recordEvent(db, {
    dedupeKey: `ordering-${tag}-${n}`, accountId: PLATFORM_ACCOUNT_ID, livemode: false, type, objectId: `cs_${tag}`,
    data: { object: { id: `cs_${tag}` } }, created: Date.now(),
  });
  const first = await record('checkout_session.created', 1);
  const second = await record('checkout_session.paid', 2);
  return { first: (await findEvent(db, first, scope))!, second: (await findEvent(db, second, scope))! };
}

/** Logs a (failed) first attempt of `event` to the endpoint, as the delivery activity does. */
async function attempt(event: EventRow): Promise<void> {
  await insertDelivery(db, {
    id: `whd_${event.id}`, endpoint_id: endpoint.id, event_id: event.id, event_type: event.event_type, attempt: 1, manual: false,
    ok: false, http_status: 503, error_kind: 'http_status', error: 'HTTP 503', duration_ms: 3, response_snippet: '', created: String(Date.now()),
  });
}

async function listeningBackends(): Promise<number> {
  const { rows } = await db.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'LISTEN %'");
  return rows[0].n;
}

test('a waiting delivery is woken by its predecessor\'s attempt, once', async () => {
  const { first, second } = await stream('wake');
  const waiting = awaitPredecessor(db, endpoint, second, HOUR, { log, fallbackPollMs: HOUR });
  await looked(first.id, 1); // its first look found no attempt
  await attempt(first);
  expect(await waiting).toEqual({ previous: first.id, inOrder: true });
  // One look before, one after the notification: nothing else woke it.
  expect(looks.get(first.id)).toBe(2);
});

test('many waiting deliveries share the one LISTEN connection, and each wakes for its own predecessor only', async () => {
  const streams = await Promise.all(Array.from({ length: 20 }, (_, i) => stream(`many-${i}`)));
  const waits = streams.map(({ second }) => awaitPredecessor(db, endpoint, second, HOUR, { log, fallbackPollMs: HOUR }));
  await Promise.all(streams.map(({ first }) => looked(first.id, 1)));
  expect(await listeningBackends()).toBe(1);
  for (const { first } of streams) await attempt(first);
  expect(await Promise.all(waits)).toEqual(streams.map(({ first }) => ({ previous: first.id, inOrder: true })));
  // Twenty notifications, and each woke only the delivery waiting for that attempt.
  expect(streams.map(({ first }) => looks.get(first.id))).toEqual(Array(20).fill(2));
  expect(await listeningBackends()).toBe(1);
});

test('the wait is bounded: a predecessor never attempted holds its successor back for maxWaitMs, then lets it go', async () => {
  const { first, second } = await stream('bound');
  expect(await awaitPredecessor(db, endpoint, second, 200, { log, fallbackPollMs: HOUR })).toEqual({ previous: first.id, inOrder: false });
});

test('a cancelled attempt (its worker shutting down) stops waiting at once, however long the bound', async () => {
  const { first, second } = await stream('cancelled');
  const cancel = new AbortController();
  const waiting = awaitPredecessor(db, endpoint, second, HOUR, { log, fallbackPollMs: HOUR, signal: cancel.signal });
  await looked(first.id, 1);
  const reason = new Error('worker shutting down');
  cancel.abort(reason);
  await expect(waiting).rejects.toBe(reason);
});

test('a notification lost with the LISTEN connection costs latency only: once listening again, every waiter looks again', async () => {
  const { first, second } = await stream('lost');
  const waiting = awaitPredecessor(db, endpoint, second, HOUR, { log, fallbackPollMs: HOUR });
  await looked(first.id, 1);
  const before = listeningCount;
  const relistened = new Promise<void>((resolve) => { onListening = resolve; });
  const { rows } = await db.raw("select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and query like 'LISTEN %'");
  expect(rows).toEqual([{ ended: true }]);
  // Logged while nobody listens: its NOTIFY reaches no one.
  await attempt(first);
  await relistened;
  expect(listeningCount).toBe(before + 1);
  expect(await waiting).toEqual({ previous: first.id, inOrder: true });
  expect(await listeningBackends()).toBe(1);
});
