import { ADMIN_KEY, call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * Keys are listed (prefix only) and revoked by the admin, and a revoked key is refused at once.
 * No API POST acts on a body that is not declared JSON, and no 401 invites a browser to cache a key.
 */
const sys = useTestSystem();

const admin = (method: string, route: string, body?: unknown) => call(sys.baseUrl, ADMIN_KEY, method, route, body);
const raw = (method: string, route: string, headers: Record<string, string>, body?: string) =>
  fetch(`${sys.baseUrl}${route}`, { method, headers, body, redirect: 'manual' });
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('key lifecycle', () => {
  test('the admin lists an account\'s keys by prefix only, never the secret or its hash', async () => {
    const m = await createMerchant(sys.baseUrl);
    const live = await admin('POST', `/accounts/${m.id}/keys`, { livemode: true });
    expect(live.body).toMatchObject({ object: 'api_key', account: m.id, livemode: true, revoked: false, prefix: live.body.secret_key.slice(0, 12) });
    const list = await admin('GET', `/accounts/${m.id}/keys`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { livemode: boolean }) => k.livemode)).toEqual([true, false]);
    const text = JSON.stringify(list.body);
    for (const secret of [m.key, live.body.secret_key]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(12));
    }
    expect(text).not.toMatch(/hash/);
    expect(list.body.data.map((k: { prefix: string }) => k.prefix)).toEqual([live.body.secret_key.slice(0, 12), m.key.slice(0, 12)]);
  });

  test.each(['DELETE', 'POST'])('a key revoked (%s) gets 401 on its very next request; its account\'s other keys keep working', async (how) => {
    const m = await createMerchant(sys.baseUrl);
    const second = await admin('POST', `/accounts/${m.id}/keys`, { livemode: false });
    expect((await call(sys.baseUrl, m.key, 'GET', '/checkout-sessions')).status).toBe(200);
    const [target] = (await admin('GET', `/accounts/${m.id}/keys`)).body.data.filter((k: { id: string }) => k.id !== second.body.id);
    const revoked = how === 'DELETE'
      ? await admin('DELETE', `/accounts/${m.id}/keys/${target.id}`)
      : await admin('POST', `/accounts/${m.id}/keys/${target.id}/revoke`, {});
    expect(revoked.body).toMatchObject({ id: target.id, revoked: true, revoked_at: expect.any(Number) });
    const refused = await call(sys.baseUrl, m.key, 'GET', '/checkout-sessions');
    expect(refused.status).toBe(401);
    expect((await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).status).toBe(401);
    expect((await call(sys.baseUrl, second.body.secret_key, 'GET', '/checkout-sessions')).status).toBe(200);
    const again = await admin('DELETE', `/accounts/${m.id}/keys/${target.id}`);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
  });

  test('a key can be revoked only through its own account; merchant keys cannot manage keys', async () => {
    const a = await createMerchant(sys.baseUrl);
    const b = await createMerchant(sys.baseUrl);
    const [aKey] = (await admin('GET', `/accounts/${a.id}/keys`)).body.data;
    const wrong = await admin('DELETE', `/accounts/${b.id}/keys/${aKey.id}`);
    expect(wrong.status).toBe(404);
    expect(JSON.stringify(wrong.body)).not.toContain(a.id);
    expect((await call(sys.baseUrl, a.key, 'GET', '/balances')).status).toBe(200);
    expect((await admin('GET', '/accounts/acct_doesNotExist/keys')).status).toBe(404);
    for (const [method, route] of [['GET', `/accounts/${a.id}/keys`], ['DELETE', `/accounts/${a.id}/keys/${aKey.id}`], ['POST', `/accounts/${a.id}/keys`]]) {
      expect((await call(sys.baseUrl, a.key, method, route, method === 'POST' ? { livemode: true } : undefined)).status).toBe(401);
    }
  });
});

describe('cross-site requests', () => {
  test('a POST not declared as JSON is a 415 and changes nothing, whatever it carries', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const route = `/checkout-sessions/${cs.id}/deactivate`;
    const forms: [Record<string, string>, string | undefined][] = [
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'],
      [{ 'content-type': 'text/plain' }, '{}'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x--\r\n'],
      // An empty cross-site form is still a form.
      [{ 'content-type': 'application/x-www-form-urlencoded' }, ''],
      [{ 'content-type': 'text/plain' }, undefined],
      // A body without a declared type.
      [{}, '{}'],
    ];
    for (const [headers, body] of forms) {
      const res = await raw('POST', route, { authorization: basic(m.key), ...headers }, body);
      expect({ headers, status: res.status }).toEqual({ headers, status: 415 });
      expect((await res.json()).errors[0]).toMatchObject({ type: 'invalid_request_error', param: 'Content-Type' });
    }
    const forged = await raw('POST', '/checkout-sessions', { authorization: basic(m.key), 'content-type': 'text/plain' }, JSON.stringify({ currency: 'SATS', amount: 5 }));
    expect(forged.status).toBe(415);
    expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`)).body.status).toBe('active');
    expect((await raw('POST', '/accounts', { authorization: basic(ADMIN_KEY), 'content-type': 'application/x-www-form-urlencoded' }, 'name=x')).status).toBe(415);
    // No body at all, with a JSON Content-Type or none (curl -X POST, generated clients), is accepted.
    expect((await raw('POST', route, { authorization: basic(m.key), 'content-type': 'application/json' })).status).toBe(200);
    const again = await raw('POST', route, { authorization: basic(m.key) });
    expect([again.status, (await again.json()).errors[0].message]).toEqual([409, expect.stringMatching(/already deactivated|is deactivated/)]);
  });

  test('a 401 carries no Basic challenge a browser would answer and remember', async () => {
    for (const auth of [undefined, basic('sk_test_wrong'), basic('admin_wrong_key_0123456789')]) {
      for (const route of ['/checkout-sessions', '/accounts/acct_x/keys']) {
        const res = await raw('GET', route, auth ? { authorization: auth } : {});
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBeNull();
      }
    }
  });

  test('the hosted page\'s own form posts (no key, form-encoded) keep working', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: [1000, 2000] })).body;
    const chosen = await raw('POST', `/pay/${cs.id}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'amount=2000');
    expect(chosen.status).toBe(303);
    const simulated = await raw('POST', `/pay/${cs.id}/simulate`, { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, 'method=onchain');
    expect(simulated.status).toBe(303);
  });
});
