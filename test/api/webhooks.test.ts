import { Webhook } from 'standardwebhooks';
import { T } from '../../src/db/tables';
import { deliveryWorkflowId } from '../../src/webhooks/deliveryTypes';
import { createWebhookDispatcher, startWebhookDelivery } from '../../src/webhooks/dispatch';
import { createLogger } from '../../src/logger';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startReceiver, verifyWith, type WebhookReceiver } from '../support/webhookReceiver';

const receivers: WebhookReceiver[] = [];
const sys = useTestSystem({ beforeStop: async () => { for (const r of receivers) await r.close(); } });

const api = (key: string | null, method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
  call(sys.baseUrl, key, method, route, body, headers);

async function receiver(opts: Parameters<typeof startReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startReceiver(opts);
  receivers.push(r);
  return r;
}

/** Registers `r` as an endpoint of `key` and hands it the secret to verify with. */
async function register(key: string, r: WebhookReceiver, body: Record<string, unknown> = {}) {
  const res = await api(key, 'POST', '/webhooks', { url: r.url, enabled_events: ['*'], ...body });
  expect(res.status).toBe(200);
  r.secret = res.body.secret;
  return res.body;
}

async function createSession(key: string, amount = 10_000) {
  const res = await api(key, 'POST', '/checkout-sessions', { currency: 'SATS', amount });
  expect(res.status).toBe(200);
  return res.body;
}

const PAID_SESSION_EVENTS = [
  'checkout_session.created', 'payment.created', 'payment.paid', 'checkout_session.payment_paid', 'checkout_session.paid',
];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = <T>(read: () => T, done: (v: T) => boolean, ms = 15_000) => waitFor(async () => read(), done, ms);

describe('delivery', () => {
  test('paying a session delivers its events signed, in order, each after the state it describes is committed', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver({
      // Inside the handler, read what the webhook describes: it must already be visible through the API.
      onEvent: async (event) => {
        const object = event.data.object;
        const route = object.object === 'payment' ? `/payments/${object.id}` : `/checkout-sessions/${object.id}`;
        return (await api(m.key, 'GET', route)).body.status;
      },
    });
    await register(m.key, r);
    const session = await createSession(m.key);
    await api(m.key, 'POST', `/test-helpers/payments/${session.payment_id}/receive`, { amount: 10_000 });
    await until(() => r.types(), (t) => t.includes('checkout_session.paid'));

    expect(r.types()).toEqual(PAID_SESSION_EVENTS);
    for (const got of r.received) {
      expect(got.verifyError).toBeNull();
      expect(got.webhookId).toBe(got.event.id);
      // The body is the event exactly as GET /events/{id} shows it.
      expect(JSON.parse(got.body)).toEqual((await api(m.key, 'GET', `/events/${got.event.id}`)).body);
    }
    const byType = Object.fromEntries(r.received.map((x) => [x.event.event_type, x]));
    expect(byType['checkout_session.paid'].seen).toBe('paid');
    expect(byType['checkout_session.paid'].event.data.object).toMatchObject({ id: session.id, status: 'paid', amount_paid: 10_000 });
    expect(byType['payment.paid'].seen).toBe('paid');
    expect(byType['checkout_session.created'].event).toMatchObject({ object: 'event', api_version: '2022-10-15', livemode: false });
  });

  test('a receiver answering 500 gets the event on a later attempt, and the deliveries log lists every attempt', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver({ status: (n) => (n <= 2 ? 500 : 200) });
    const endpoint = await register(m.key, r, { enabled_events: ['checkout_session.created'] });
    const session = await createSession(m.key);
    await until(() => r.types(), (t) => t.length > 0, 45_000);

    expect(r.received.map((x) => x.answered)).toEqual([500, 500, 200]);
    expect(new Set(r.received.map((x) => x.event.id)).size).toBe(1);
    expect(r.received.every((x) => x.verified)).toBe(true);
    expect(r.received[2].event.data.object.id).toBe(session.id);
    const log = await waitFor(() => api(m.key, 'GET', `/webhooks/${endpoint.id}/deliveries`), (res) => res.body.data.length === 3);
    expect(log.body.data.map((d: any) => [d.attempt, d.succeeded, d.status_code])).toEqual([[3, true, 200], [2, false, 500], [1, false, 500]]);
    expect(log.body.data[1]).toMatchObject({ object: 'webhook_delivery', webhook: endpoint.id, event_type: 'checkout_session.created', manual: false, error: 'HTTP 500', response_body: '' });
    const filtered = await api(m.key, 'GET', `/webhooks/${endpoint.id}/deliveries?event=${r.received[0].event.id}&limit=1`);
    expect(filtered.body).toMatchObject({ has_more: true, data: [{ attempt: 3 }] });

    // The attempts are Temporal's retries of one activity: library backoff, over a 5-day window.
    const history = await sys.temporal.workflow.getHandle(deliveryWorkflowId(r.received[0].event.id, endpoint.id)).fetchHistory();
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    expect(String(scheduled.scheduleToCloseTimeout!.seconds)).toBe(String(5 * 86_400));
    expect(String(scheduled.retryPolicy!.initialInterval!.seconds)).toBe('5');
    expect(scheduled.retryPolicy!.backoffCoefficient).toBe(3);
  }, 60_000);

  test('an endpoint that keeps failing holds back neither other endpoints nor its own later events', async () => {
    const m = await createMerchant(sys.baseUrl);
    const broken = await receiver({ status: () => 500 });
    const healthy = await receiver();
    const brokenEndpoint = await register(m.key, broken);
    await register(m.key, healthy);
    const session = await createSession(m.key);
    await api(m.key, 'POST', `/test-helpers/payments/${session.payment_id}/receive`, { amount: 10_000 });
    await until(() => healthy.types(), (t) => t.length === PAID_SESSION_EVENTS.length);
    await until(() => broken.received, (x) => new Set(x.map((y) => y.event.id)).size === PAID_SESSION_EVENTS.length);

    expect(healthy.types()).toEqual(PAID_SESSION_EVENTS);
    expect(broken.received.every((x) => x.answered === 500 && x.verified)).toBe(true);
    await api(m.key, 'DELETE', `/webhooks/${brokenEndpoint.id}`); // its retries end at their next attempt
  });

  test('dispatching the same events again (an activity retried after a crash) sends nothing twice', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver();
    const endpoint = await register(m.key, r);
    const session = await createSession(m.key);
    await api(m.key, 'POST', `/test-helpers/payments/${session.payment_id}/receive`, { amount: 10_000 });
    await until(() => r.types(), (t) => t.length === PAID_SESSION_EVENTS.length);
    const eventIds = r.received.map((x) => x.event.id);

    const dispatch = createWebhookDispatcher({ db: sys.db, temporal: sys.temporal, taskQueue: sys.config.webhooks.taskQueue, timeoutMs: 5_000, log: createLogger('silent') });
    await dispatch(eventIds);
    // Even a delivery run Temporal no longer remembers (another workflow ID) finds the logged success and skips.
    const workflowId = `${deliveryWorkflowId(eventIds[0], endpoint.id)}:forgotten`;
    await startWebhookDelivery(sys.temporal, sys.config.webhooks.taskQueue, { eventId: eventIds[0], endpointId: endpoint.id, manual: false, timeoutMs: 5_000 }, workflowId);
    await expect(sys.temporal.workflow.getHandle(workflowId).result()).resolves.toEqual({ outcome: 'skipped', reason: 'already_delivered' });
    await pause(300);

    expect(r.received.map((x) => x.event.id)).toEqual(eventIds);
  });

  test("a 2xx with a binary body counts as delivered once; a private receiver's body is never logged", async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver({ body: 'ok\u0000\u0001done' });
    const endpoint = await register(m.key, r, { enabled_events: ['checkout_session.created'] });
    await createSession(m.key);
    const log = await waitFor(() => api(m.key, 'GET', `/webhooks/${endpoint.id}/deliveries`), (res) => res.body.data.length === 1);
    expect(log.body.data[0]).toMatchObject({ succeeded: true, status_code: 200, response_body: '' }); // a private receiver's answer is never kept
    await pause(300);
    expect(r.received).toHaveLength(1);
  });

  test('disabled endpoints and unsubscribed event types get nothing', async () => {
    const m = await createMerchant(sys.baseUrl);
    const disabled = await receiver();
    const paymentsOnly = await receiver();
    const control = await receiver();
    const off = await register(m.key, disabled);
    await api(m.key, 'POST', `/webhooks/${off.id}`, { disabled: true });
    await register(m.key, paymentsOnly, { enabled_events: ['payment.*'] });
    await register(m.key, control, { enabled_events: ['checkout_session.created', 'payment.created'] });
    await createSession(m.key);
    await until(() => control.types(), (t) => t.length === 2);
    await until(() => paymentsOnly.types(), (t) => t.length === 1);
    await pause(500); // room for anything that should not come

    expect(control.types()).toEqual(['checkout_session.created', 'payment.created']);
    expect(paymentsOnly.types()).toEqual(['payment.created']);
    expect(disabled.received).toEqual([]);
    expect((await api(m.key, 'GET', `/webhooks/${off.id}/deliveries`)).body.data).toEqual([]);
  });

  test('deleting an endpoint stops the retries of its pending deliveries', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver({ status: () => 503 });
    const endpoint = await register(m.key, r, { enabled_events: ['checkout_session.created'] });
    await createSession(m.key);
    await until(() => r.received, (x) => x.length === 1);
    await api(m.key, 'DELETE', `/webhooks/${endpoint.id}`);

    const workflowId = deliveryWorkflowId(r.received[0].event.id, endpoint.id);
    await expect(sys.temporal.workflow.getHandle(workflowId).result()).resolves.toEqual({ outcome: 'skipped', reason: 'endpoint_deleted' });
    expect(r.received).toHaveLength(1);
  }, 30_000);

  test('a manual redeliver sends a delivered event again, logged as manual', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver();
    const endpoint = await register(m.key, r, { enabled_events: ['checkout_session.created'] });
    await createSession(m.key);
    await until(() => r.received, (x) => x.length === 1);
    const eventId = r.received[0].event.id;

    const res = await api(m.key, 'POST', `/webhooks/${endpoint.id}/redeliver`, { event: eventId }, { 'Idempotency-Key': 'again-1' });
    expect(res.body).toMatchObject({ object: 'webhook_redelivery', webhook: endpoint.id, event: eventId, status: 'scheduled' });
    await api(m.key, 'POST', `/webhooks/${endpoint.id}/redeliver`, { event: eventId }, { 'Idempotency-Key': 'again-1' });
    await until(() => r.received, (x) => x.length === 2);
    await pause(300); // the replayed request must not send a third copy

    expect(r.received).toHaveLength(2);
    expect(r.received[1]).toMatchObject({ webhookId: eventId, verified: true, body: r.received[0].body });
    const log = await waitFor(() => api(m.key, 'GET', `/webhooks/${endpoint.id}/deliveries`), (x) => x.body.data.length === 2);
    expect(log.body.data.map((d: any) => d.manual)).toEqual([true, false]);
    expect((await api(m.key, 'POST', '/webhooks/we_nope/redeliver', { event: eventId })).status).toBe(404);
  });

  test('after a secret rotation deliveries verify with the old and the new secret for the overlap, then with the new one only', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver();
    const endpoint = await register(m.key, r, { enabled_events: ['checkout_session.created'] });
    const oldSecret = r.secret;
    const rotated = await api(m.key, 'POST', `/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(oldSecret);
    expect((await api(m.key, 'GET', `/webhooks/${endpoint.id}`)).body.secret).toBeUndefined();
    const row = await sys.db(T.webhookEndpoints).where({ id: endpoint.id }).first();
    // 24 h from the rotation (the row's `modified` is the rotation's clock).
    expect(Number(row.previous_secret_expires) - Number(row.modified)).toBe(24 * 60 * 60 * 1000);
    r.secret = rotated.body.secret;

    // Within the overlap: a receiver still on the old secret and one already on the new both verify.
    const first = await createSession(m.key);
    const during = (await until(() => r.received, (x) => x.some((w) => w.event.data.object.id === first.id)))
      .find((w) => w.event.data.object.id === first.id)!;
    expect(during.verified).toBe(true);
    expect(verifyWith(oldSecret, during.body, during.headers)).toBeNull();
    expect(verifyWith(rotated.body.secret, during.body, during.headers)).toBeNull();

    // Past the overlap (its end moved into the past): the old secret no longer verifies.
    await sys.db(T.webhookEndpoints).where({ id: endpoint.id }).update({ previous_secret_expires: Date.now() - 1 });
    const second = await createSession(m.key);
    const after = (await until(() => r.received, (x) => x.some((w) => w.event.data.object.id === second.id)))
      .find((w) => w.event.data.object.id === second.id)!;
    expect(after.verified).toBe(true);
    expect(verifyWith(oldSecret, after.body, after.headers)).toMatch(/signature/i);
    expect(verifyWith(rotated.body.secret, after.body, after.headers)).toBeNull();
  });

  test('a delivery verifies with the npm standardwebhooks package given the secret exactly as the API returned it', async () => {
    const m = await createMerchant(sys.baseUrl);
    const r = await receiver();
    const created = await api(m.key, 'POST', '/webhooks', { url: r.url, enabled_events: ['checkout_session.created'] });
    const cs = await createSession(m.key);
    const got = (await until(() => r.received, (x) => x.some((w) => w.event.data.object.id === cs.id)))
      .find((w) => w.event.data.object.id === cs.id)!;
    expect(new Webhook(created.body.secret).verify(got.body, got.headers)).toMatchObject({ id: got.webhookId, event_type: 'checkout_session.created' });
  });
});
