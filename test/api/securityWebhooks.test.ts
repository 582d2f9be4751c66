import os from 'node:os';
import { T } from '../../src/db/tables';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * Webhooks are not an SSRF. By default no mode may target loopback, private or link-local
 * addresses (a stored endpoint that does is refused at delivery without a connection); when the operator
 * allows private networks, their answers are still never echoed; an account has a capped number of
 * endpoints.
 */
// One system at a time: every system's outbox relay hands on the shared test database's undelivered
// events, each by its own address rules, so a strict and an open system side by side would deliver
// each other's events. Each describe block has its own system; the open one starts after the strict one stopped.
let receiver: WebhookReceiver;

beforeAll(async () => { receiver = await startReceiver({ body: 'root:x:0:0:root:/root:/bin/bash' }); });
afterAll(async () => { await receiver?.close(); });

const PRIVATE_URLS = [
  'http://127.0.0.1:2375/containers/json', 'http://localhost:8080/x', 'http://api.localhost/x', 'http://[::1]/x',
  'http://169.254.169.254/latest/meta-data/iam', 'https://10.1.2.3/x', 'https://192.168.0.10/x', 'http://172.20.0.5:7233/',
  'http://[fd00::5]/x', 'http://[::ffff:10.0.0.1]/x', 'http://0.0.0.0:5432/', 'http://2130706433/',
  // IANA special-purpose IPv4 ranges, IPv4-compatible IPv6, and the host's own interface addresses.
  'http://192.0.2.2:9911/internal-admin', 'http://198.51.100.7/', 'http://203.0.113.5/', 'http://192.88.99.1/',
  'http://100.64.0.1/', 'http://198.18.0.1/', 'http://240.0.0.1/', 'http://[::2]/', 'http://[::8.8.8.8]/',
  ...Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal)
    .map((i) => (i!.family === 'IPv6' ? `http://[${i!.address.split('%')[0]}]:9911/` : `http://${i!.address}:9911/`)),
];

describe('where private networks are not allowed (the default)', () => {
  const strict = useTestSystem({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_MAX_ENDPOINTS: '3' } });

  test('by default, neither a test key nor a live key may point an endpoint at a private address', async () => {
    const m = await createMerchant(strict.baseUrl);
    const live = (await call(strict.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
    for (const key of [m.key, live]) {
      for (const url of PRIVATE_URLS) {
        const res = await call(strict.baseUrl, key, 'POST', '/webhooks', { url, enabled_events: ['*'] });
        expect({ url, status: res.status, param: res.body.errors?.[0]?.param }).toEqual({ url, status: 400, param: 'url' });
        // The refusal names the setting that lifts it, so a developer with a local receiver finds it.
        expect(res.body.errors[0].message).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true');
      }
      const ok = await call(strict.baseUrl, key, 'POST', '/webhooks', { url: 'https://merchant.example/hooks', enabled_events: ['*'] });
      expect(ok.status).toBe(200);
      const moved = await call(strict.baseUrl, key, 'POST', `/webhooks/${ok.body.id}`, { url: 'http://169.254.169.254/latest' });
      expect({ status: moved.status, param: moved.body.errors[0].param }).toEqual({ status: 400, param: 'url' });
      await call(strict.baseUrl, key, 'DELETE', `/webhooks/${ok.body.id}`);
    }
  });

  test('an endpoint stored with a private URL (allowed once, then not) is refused at delivery, without connecting', async () => {
    const m = await createMerchant(strict.baseUrl);
    const endpoint = await call(strict.baseUrl, m.key, 'POST', '/webhooks', { url: 'https://merchant.example/hooks', enabled_events: ['*'] });
    await strict.db(T.webhookEndpoints).where({ id: endpoint.body.id }).update({ url: receiver.url });
    const before = receiver.received.length;
    const cs = await call(strict.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
    expect(cs.status).toBe(200);
    const log = await waitFor(() => call(strict.baseUrl, m.key, 'GET', `/webhooks/${endpoint.body.id}/deliveries`), (r) => r.body.data.length > 0, 20_000);
    expect(log.body.data[0]).toMatchObject({ succeeded: false, status_code: null, error_kind: 'invalid_url', response_body: '' });
    expect(log.body.data[0].error).toMatch(/only public addresses are allowed/);
    expect(receiver.received.length).toBe(before);
  });

  test('an account has at most WEBHOOK_MAX_ENDPOINTS endpoints across both modes, even when created concurrently', async () => {
    const m = await createMerchant(strict.baseUrl);
    const live = (await call(strict.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
    const attempts = await Promise.all([m.key, live, m.key, live, m.key, live].map((key, i) =>
      call(strict.baseUrl, key, 'POST', '/webhooks', { url: `https://merchant.example/h${i}`, enabled_events: ['*'] })));
    const made = attempts.filter((r) => r.status === 200);
    expect(made).toHaveLength(3);
    for (const r of attempts.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body.errors[0].message).toMatch(/at most 3 webhook endpoints/);
    }
    expect(await strict.db(T.webhookEndpoints).where({ account_id: m.id, deleted: false }).count({ n: '*' })).toEqual([{ n: '3' }]);
    const first = made[0].body;
    await call(strict.baseUrl, first.livemode ? live : m.key, 'DELETE', `/webhooks/${first.id}`);
    const again = await call(strict.baseUrl, m.key, 'POST', '/webhooks', { url: 'https://merchant.example/again', enabled_events: ['*'] });
    expect(again.status).toBe(200);
  });
});

describe('where the operator allows private networks', () => {
  const open = useTestSystem({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });

  test('where the operator allows private networks, a private receiver gets the event but its answer is never echoed', async () => {
    const m = await createMerchant(open.baseUrl);
    const endpoint = await call(open.baseUrl, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['checkout_session.created'] });
    receiver.secret = endpoint.body.secret;
    await call(open.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
    const log = await waitFor(() => call(open.baseUrl, m.key, 'GET', `/webhooks/${endpoint.body.id}/deliveries`), (r) => r.body.data.length > 0, 20_000);
    expect(log.body.data[0]).toMatchObject({ succeeded: true, status_code: 200, response_body: '' });
    expect(JSON.stringify(log.body)).not.toContain('root:x:0:0');
    expect(receiver.received.some((r) => r.verified && r.event.event_type === 'checkout_session.created')).toBe(true);
  }, 120_000);
});
