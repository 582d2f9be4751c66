import { ADMIN_KEY, call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();

const api = (key: string | null, method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
  call(sys.baseUrl, key, method, route, body, headers);

describe('webhook endpoints', () => {
  test('create shows the whsec_ secret once; list, retrieve, update and delete work; other accounts see 404', async () => {
    const m = await createMerchant(sys.baseUrl);
    const other = await createMerchant(sys.baseUrl);
    const created = await api(m.key, 'POST', '/webhooks', {
      url: 'https://merchant.example/hooks', enabled_events: ['checkout_session.paid', 'payment.*'], description: 'orders',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'webhook_endpoint', url: 'https://merchant.example/hooks', enabled_events: ['checkout_session.paid', 'payment.*'],
      description: 'orders', status: 'enabled', livemode: false,
    });
    expect(created.body.id).toMatch(/^we_/);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const id = created.body.id;

    const got = await api(m.key, 'GET', `/webhooks/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect((await api(other.key, 'GET', `/webhooks/${id}`)).status).toBe(404);

    const second = await api(m.key, 'POST', '/webhooks', { url: 'https://merchant.example/other', enabled_events: ['*'] });
    const page1 = await api(m.key, 'GET', '/webhooks?limit=1');
    expect(page1.body).toMatchObject({ object: 'list', has_more: true });
    expect(page1.body.data.map((e: any) => e.id)).toEqual([second.body.id]);
    const page2 = await api(m.key, 'GET', `/webhooks?limit=1&starting_after=${second.body.id}`);
    expect(page2.body.data.map((e: any) => e.id)).toEqual([id]);
    expect(page2.body.data[0].secret).toBeUndefined();
    expect((await api(other.key, 'GET', '/webhooks')).body.data).toEqual([]);

    const updated = await api(m.key, 'POST', `/webhooks/${id}`, {
      url: 'https://merchant.example/v2', enabled_events: ['*'], description: '', disabled: true,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ url: 'https://merchant.example/v2', enabled_events: ['*'], description: null, status: 'disabled' });
    expect((await api(m.key, 'POST', `/webhooks/${id}`, { disabled: false })).body.status).toBe('enabled');

    expect((await api(other.key, 'DELETE', `/webhooks/${id}`)).status).toBe(404);
    const deleted = await api(m.key, 'DELETE', `/webhooks/${id}`);
    expect(deleted.body).toEqual({ id, object: 'webhook_endpoint', deleted: true });
    expect((await api(m.key, 'GET', `/webhooks/${id}`)).status).toBe(404);
    expect((await api(m.key, 'GET', '/webhooks')).body.data.map((e: any) => e.id)).toEqual([second.body.id]);
  });

  test('every bad field is a 400 naming it; live mode refuses loopback and private URLs', async () => {
    const m = await createMerchant(sys.baseUrl);
    const bad = async (route: string, body: unknown, param: string) => {
      const res = await api(m.key, 'POST', route, body);
      expect({ status: res.status, param: res.body.errors?.[0]?.param }).toEqual({ status: 400, param });
    };
    await bad('/webhooks', { enabled_events: ['*'] }, 'url');
    await bad('/webhooks', { url: 'ftp://merchant.example/x', enabled_events: ['*'] }, 'url');
    await bad('/webhooks', { url: 'https://merchant.example/x' }, 'enabled_events');
    await bad('/webhooks', { url: 'https://merchant.example/x', enabled_events: [] }, 'enabled_events');
    await bad('/webhooks', { url: 'https://merchant.example/x', enabled_events: ['payment.paid', 'checkout_session.exploded'] }, 'enabled_events[1]');
    await bad('/webhooks', { url: 'https://merchant.example/x', enabled_events: ['invoice.*'] }, 'enabled_events[0]');
    await bad('/webhooks', { url: 'https://merchant.example/x', enabled_events: ['*'], secret: 'mine' }, 'secret');
    await bad('/webhooks', { url: 'https://merchant.example/x', enabled_events: ['*'], description: 7 }, 'description');
    const id = (await api(m.key, 'POST', '/webhooks', { url: 'https://merchant.example/x', enabled_events: ['*'] })).body.id;
    await bad(`/webhooks/${id}`, { disabled: 'yes' }, 'disabled');
    await bad(`/webhooks/${id}`, { status: 'disabled' }, 'status');
    await bad(`/webhooks/${id}/redeliver`, {}, 'event');
    await bad(`/webhooks/${id}/redeliver`, { event: 'evt_doesNotExist' }, 'event');
    await bad(`/webhooks/${id}/rotate-secret`, { now: true }, 'now');
    expect((await api(m.key, 'GET', `/webhooks/${id}/deliveries?limit=0`)).body.errors[0].param).toBe('limit');

    // Private destinations are refused in both modes: test/api/securityWebhooks.test.ts (this system allows them).
    const live = (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
    const liveOk = await api(live, 'POST', '/webhooks', { url: 'https://merchant.example/live', enabled_events: ['*'] });
    expect(liveOk.body).toMatchObject({ livemode: true, status: 'enabled' });
    expect((await api(m.key, 'GET', `/webhooks/${liveOk.body.id}`)).status).toBe(404); // test key, live object
  });

  test('an Idempotency-Key retry replays the same endpoint (secret withheld) and creates nothing twice', async () => {
    const m = await createMerchant(sys.baseUrl);
    const body = { url: 'https://merchant.example/idem', enabled_events: ['*'] };
    const first = await api(m.key, 'POST', '/webhooks', body, { 'Idempotency-Key': 'we-1' });
    const again = await api(m.key, 'POST', '/webhooks', body, { 'Idempotency-Key': 'we-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Secrets are shown once: the replay names the same endpoint but does not carry the secret again.
    expect(again.body).toEqual({ ...first.body, secret: expect.not.stringMatching(/^w?h?sec_/) });
    expect((await api(m.key, 'GET', '/webhooks')).body.data).toHaveLength(1);
  });
});
