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
