import { createDb } from '../../src/db/knex';
import { recordEvent } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { createWebhookDispatcher } from '../../src/webhooks/dispatch';
import { dispatchUndispatched } from '../../src/webhooks/sweeper';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

let sys: TestSystem;
let receiver: WebhookReceiver;
beforeAll(async () => {
  sys = await startTestSystem();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await sys?.stop();
});

test('an event committed but never dispatched (a crash in between) is delivered by the sweeper, once', async () => {
  const m = await createMerchant(sys.baseUrl);
  const endpoint = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['payment_link.created'] });
  receiver.secret = endpoint.body.secret;
  // As if the API had committed a link event and died before handing it to the dispatcher.
  const eventId = await recordEvent(sys.db, {
    dedupeKey: `orphan-${Date.now()}`, accountId: m.id, livemode: false, type: 'payment_link.created', objectId: 'plink_orphan',
    data: { object: { id: 'plink_orphan' } }, created: Date.now() + 1,
  });
  const dispatch = createWebhookDispatcher({ db: sys.db, temporal: sys.temporal, taskQueue: sys.taskQueue, timeoutMs: 5000, log: sys.ctx.log });
  expect(await dispatchUndispatched(sys.db, dispatch, 0, Date.now() + 10)).toBeGreaterThanOrEqual(1);
  expect(await dispatchUndispatched(sys.db, dispatch, 0, Date.now() + 10)).toBe(0);
  await waitFor(async () => receiver.received.filter((r) => r.event.id === eventId).length, (n) => n === 1);
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
      const dispatch = createWebhookDispatcher({ db, temporal: sys.temporal, taskQueue: sys.taskQueue, timeoutMs: 5000, log: sys.ctx.log });
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
    expect((await sys.db(T.events).where({ id: withEndpoint }).first()).dispatched_at).toBeNull();
    await call(sys.baseUrl, m.key, 'POST', `/webhooks/${endpoint.id}`, { disabled: true });
    const whileDisabled = await record('disabled');
    expect((await sys.db(T.events).where({ id: whileDisabled }).first()).dispatched_at).not.toBeNull();
    // The test-mode endpoint of the other mode does not count either.
    const live = await recordEvent(sys.db, { dedupeKey: `live-${Date.now()}`, accountId: m.id, livemode: true,
      type: 'payment_link.created', objectId: 'plink_y', data: { object: { id: 'plink_y' } }, created: Date.now() });
    expect((await sys.db(T.events).where({ id: live }).first()).dispatched_at).not.toBeNull();
  });
});
