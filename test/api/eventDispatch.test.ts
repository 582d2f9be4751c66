import { createDb } from '../../src/db/knex';
import { recordEvent, recordEventsForDispatch } from '../../src/db/events';
import { idFromSeed } from '../../src/domain/ids';
import { T } from '../../src/db/tables';
import { createWebhookDispatcher } from '../../src/webhooks/dispatch';
import { dispatchUndispatched } from '../../src/webhooks/sweeper';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';

// No monitoring window: a paid session's workflow closes once all its work (and dispatch) is done.
const sys = useTestSystem({ env: { MONITORING_HOURS: '0' } });
let receiver: WebhookReceiver;
/** Every statement the API's pool ran, in order. */
const statements: Array<{ sql: string; bindings: unknown[] }> = [];
beforeAll(async () => {
  sys.db.on('query', (q: { sql: string; bindings?: unknown[] }) => { statements.push({ sql: q.sql, bindings: q.bindings ?? [] }); });
  receiver = await startReceiver();
});
afterAll(async () => { await receiver?.close(); });

test('an event committed and never handed on is delivered by the outbox relay, once', async () => {
  const m = await createMerchant(sys.baseUrl);
  const endpoint = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['payment_link.created'] });
  receiver.secret = endpoint.body.secret;
  // As if an activity had committed a link event: nothing hands it on but the system's outbox relay.
  const eventId = await recordEvent(sys.db, {
    dedupeKey: `orphan-${Date.now()}`, accountId: m.id, livemode: false, type: 'payment_link.created', objectId: 'plink_orphan',
    data: { object: { id: 'plink_orphan' } }, created: Date.now(),
  });
  await waitFor(async () => receiver.received.filter((r) => r.event.id === eventId).length, (n) => n === 1);
  // Dispatching again (a second relay, a retry) finds nothing left to hand on.
  const dispatch = createWebhookDispatcher({ db: sys.db, temporal: sys.temporal, taskQueue: sys.config.webhooks.taskQueue, timeoutMs: 5000, log: sys.ctx.log });
  expect(await dispatchUndispatched(sys.db, dispatch, 0, Date.now() + 10)).toBe(0);
  await dispatch([eventId]);
  const deliveries = receiver.received.filter((r) => r.event.id === eventId);
  expect(deliveries).toHaveLength(1);
  expect(deliveries[0].verified).toBe(true);
  expect(await sys.db(T.events).where({ id: eventId }).first()).toMatchObject({ dispatched_at: expect.any(String) });
});

describe('an account without webhook endpoints', () => {
  test('its events are stored as dispatched, so dispatching them costs one query and starts nothing', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const events = await sys.db(T.events).select('id', 'created', 'dispatched_at').where({ account_id: m.id });
    expect(events.map((e) => e.dispatched_at)).toEqual(events.map((e) => e.created));
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(cs.status).toBe('active');

    const db = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!);
    try {
      let statements = 0;
      db.on('query', () => { statements++; });
      const dispatch = createWebhookDispatcher({ db, temporal: sys.temporal, taskQueue: sys.config.webhooks.taskQueue, timeoutMs: 5000, log: sys.ctx.log });
      await dispatch(events.map((e) => e.id));
      expect(statements).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  test('an account with an enabled endpoint gets its events left for the dispatcher; a disabled one does not count', async () => {
    const m = await createMerchant(sys.baseUrl);
    const endpoint = (await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['*'] })).body;
    const record = (key: string) => recordEvent(sys.db, { dedupeKey: `${key}-${Date.now()}`, accountId: m.id, livemode: false,
      type: 'payment_link.created', objectId: 'plink_x', data: { object: { id: 'plink_x' } }, created: Date.now() });
    const withEndpoint = await record('enabled');
    // Left for the dispatcher: stored undispatched, so the outbox relay (woken by the insert's NOTIFY, it may
    // already have claimed it by the time we could look) hands it on and the endpoint receives it.
    await waitFor(async () => receiver.received.filter((r) => r.event.id === withEndpoint).length, (n) => n === 1);
    await call(sys.baseUrl, m.key, 'POST', `/webhooks/${endpoint.id}`, { disabled: true });
    const whileDisabled = await record('disabled');
    expect((await sys.db(T.events).where({ id: whileDisabled }).first()).dispatched_at).not.toBeNull();
    // The test-mode endpoint of the other mode does not count either.
    const live = await recordEvent(sys.db, { dedupeKey: `live-${Date.now()}`, accountId: m.id, livemode: true,
      type: 'payment_link.created', objectId: 'plink_y', data: { object: { id: 'plink_y' } }, created: Date.now() });
    expect((await sys.db(T.events).where({ id: live }).first()).dispatched_at).not.toBeNull();
  });
});

test('the events of one transition are recorded in one statement, in order, and a retry hands the stored ones on again', async () => {
  const quiet = await createMerchant(sys.baseUrl);
  const heard = await createMerchant(sys.baseUrl);
  await call(sys.baseUrl, heard.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['*'] });
  const tag = `batch-${Date.now()}`;
  const event = (m: { id: string }, n: number) => ({ dedupeKey: `${tag}-${m.id}-${n}`, accountId: m.id, livemode: false,
    type: 'payment_link.created', objectId: `plink_${n}`, data: { object: { id: `plink_${n}` } }, created: Date.now() });
  const before = statements.length;
  const first = await recordEventsForDispatch(sys.db, [event(heard, 1), event(heard, 2)]);
  expect(statements.length - before).toBe(1);
  const ids = [idFromSeed('evt', `${tag}-${heard.id}-1`), idFromSeed('evt', `${tag}-${heard.id}-2`)];
  expect(first).toEqual(ids);
  const stored = await sys.db(T.events).whereIn('id', ids).orderBy('seq');
  expect(stored.map((e) => e.id)).toEqual(ids);
  // A retry adds the third: the two stored ones are handed on again (the dispatcher skips what it delivered).
  expect(await recordEventsForDispatch(sys.db, [event(heard, 1), event(heard, 2), event(heard, 3)]))
    .toEqual([...ids, idFromSeed('evt', `${tag}-${heard.id}-3`)]);
  expect(await sys.db(T.events).where('dedupe_key', 'like', `${tag}-${heard.id}-%`)).toHaveLength(3);
  // Without an endpoint nothing is handed on: they are stored as dispatched.
  expect(await recordEventsForDispatch(sys.db, [event(quiet, 1), event(quiet, 2)])).toEqual([null, null]);
  expect(await recordEventsForDispatch(sys.db, [])).toEqual([]);
});

describe('creating and paying a session leaves events for the relay only where an endpoint can receive them', () => {
  const eventsOf = (accountIds: string[]) => sys.db(T.events).select('id', 'event_type', 'created', 'dispatched_at').whereIn('account_id', accountIds);

  async function payInFull(merchant: { id: string; key: string }, transferTo: string): Promise<string> {
    await connectTransfers(sys.baseUrl, merchant.id, transferTo);
    const cs = (await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', {
      currency: 'SATS', amount: 5000, transfers: [{ destination_account: transferTo, percentage: 20 }] })).body;
    expect((await call(sys.baseUrl, merchant.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 5000 })).status).toBe(200);
    // The workflow closes only after every activity, and so every dispatch it made, has finished.
    const status = await waitFor(async () => (await sys.temporal.workflow.getHandle(cs.id).describe()).status.name, (st) => st !== 'RUNNING', 30_000);
    expect(status).toBe('COMPLETED');
    expect((await call(sys.baseUrl, merchant.key, 'GET', `/checkout-sessions/${cs.id}`)).body.status).toBe('paid');
    return cs.id;
  }

  test('an account without endpoints (and its transfer destination): the dispatcher is never handed one of their events', async () => {
    const [m, dest] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await payInFull(m, dest.id);
    const events = await eventsOf([m.id, dest.id]);
    const types = new Set(events.map((e) => e.event_type));
    for (const type of ['checkout_session.created', 'checkout_session.paid', 'payment.paid', 'transfer.created']) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
    // Stored as dispatched: the relay, which selects undispatched events only, never sees them.
    expect(events.filter((e) => e.dispatched_at !== e.created)).toEqual([]);
  });

  test('an account with an enabled endpoint: every event of the session is handed on by the relay and delivered', async () => {
    const own = await startReceiver();
    try {
      const [m, dest] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
      const endpoint = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: own.url, enabled_events: ['*'] });
      expect(endpoint.status).toBe(200);
      own.secret = endpoint.body.secret;
      await payInFull(m, dest.id);
      const events = await eventsOf([m.id]);
      expect(events.length).toBeGreaterThanOrEqual(3);
      const ids = events.map((e) => e.id);
      await waitFor(async () => new Set(own.received.map((r) => r.event.id)), (got) => ids.every((id) => got.has(id)));
      expect(ids.filter((id) => !own.received.some((r) => r.event.id === id && r.verified))).toEqual([]);
      expect((await eventsOf([m.id])).filter((e) => e.dispatched_at === null)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
