import { recordEvent } from '../../src/db/events';
import { createLogger } from '../../src/logger';
import { pruneExpired, startRetentionLoop } from '../../src/webhooks/retention';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();

const api = (key: string | null, method: string, route: string) => call(sys.baseUrl, key, method, route);

async function createSession(key: string) {
  const res = await call(sys.baseUrl, key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000 });
  expect(res.status).toBe(200);
  return res.body;
}

describe('events', () => {
  test('GET /events filters by event_type', async () => {
    const m = await createMerchant(sys.baseUrl);
    const session = await createSession(m.key);
    await waitFor(() => api(m.key, 'GET', '/events'), (res) => res.body.data.length >= 2);
    const created = await api(m.key, 'GET', '/events?event_type=checkout_session.created');
    expect(created.body.data).toHaveLength(1);
    expect(created.body.data[0]).toMatchObject({ object: 'event', event_type: 'checkout_session.created', data: { object: { id: session.id } } });
    const payments = await api(m.key, 'GET', '/events?event_type=payment.created');
    expect(payments.body.data.map((e: any) => e.data.object.id)).toEqual([session.payment_id]);
    expect((await api(m.key, 'GET', '/events?event_type=checkout_session.paid')).body.data).toEqual([]);
  });

  test('events older than the retention window are pruned, newer ones stay', async () => {
    const m = await createMerchant(sys.baseUrl);
    const record = (key: string, ageDays: number) => recordEvent(sys.db, {
      dedupeKey: `retention-test:${m.id}:${key}`, accountId: m.id, livemode: false, type: 'checkout_session.created',
      objectId: `cs_${key}`, data: { object: { id: `cs_${key}` } }, created: Date.now() - ageDays * 86_400_000,
    });
    const old = await record('old', 31);
    const recent = await record('recent', 29);
    expect((await api(m.key, 'GET', `/events/${old}`)).status).toBe(200);

    const pruned = await pruneExpired(sys.db, sys.config.eventRetentionDays);
    expect(pruned.events).toBeGreaterThanOrEqual(1);
    expect((await api(m.key, 'GET', `/events/${old}`)).status).toBe(404);
    expect((await api(m.key, 'GET', `/events/${recent}`)).status).toBe(200);

    // The loop the worker runs prunes on start, too.
    const older = await record('older', 45);
    const stop = startRetentionLoop({ db: sys.db, log: createLogger('silent'), retentionDays: sys.config.eventRetentionDays });
    await waitFor(() => api(m.key, 'GET', `/events/${older}`), (res) => res.status === 404);
    await stop();
    expect((await api(m.key, 'GET', `/events/${older}`)).status).toBe(404);
  });
});
