import net from 'node:net';
import { ADMIN_KEY, call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/**
 * The edge's input rules against the real API: body-less POSTs, the string rule (NUL, control
 * characters, lone surrogates) on every kind of body, IDs checked against their own alphabet before
 * any query, cursors and filters, deep JSON. Each bad input is a 4xx naming what is wrong.
 */
const sys = useTestSystem();
const m = useMerchant(sys);
let cs: { id: string; payment_id: string };
const api = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => call(sys.baseUrl, m.key, method, route, body, headers);
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

beforeAll(async () => {
  cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
}, 120_000);

/** A request written on a raw socket: what curl -X POST sends (no Content-Length, no Content-Type). */
function rawRequest(lines: string[]): Promise<{ status: number; body: string }> {
  const url = new URL(sys.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let data = '';
    socket.on('data', (chunk) => { data += chunk.toString('utf8'); });
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', reject);
    socket.write(`${[...lines, `Host: ${url.host}`, 'Connection: close'].join('\r\n')}\r\n\r\n`);
  });
}

describe('body-less POSTs', () => {
  test('a POST with no body and no Content-Type (curl -X POST) deactivates; a JSON Content-Type without a body does too', async () => {
    const first = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const bare = await rawRequest([`POST /checkout-sessions/${first.id}/deactivate HTTP/1.1`, `Authorization: ${basic(m.key)}`]);
    expect(bare.status).toBe(200);
    expect(JSON.parse(bare.body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '')).status).toBe('deactivated');
    const second = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
    const declared = await rawRequest([`POST /checkout-sessions/${second.id}/deactivate HTTP/1.1`, `Authorization: ${basic(m.key)}`, 'Content-Type: application/json']);
    expect(declared.status).toBe(200);
    const webhook = (await api('POST', '/webhooks', { url: 'https://hooks.example/a', enabled_events: ['*'] })).body;
    const rotated = await rawRequest([`POST /webhooks/${webhook.id}/rotate-secret HTTP/1.1`, `Authorization: ${basic(m.key)}`, 'Content-Length: 0']);
    expect(rotated.status).toBe(200);
  });

  test('a body-less POST still runs its handler\'s checks: a create without a body names the missing field', async () => {
    const res = await rawRequest(['POST /checkout-sessions HTTP/1.1', `Authorization: ${basic(m.key)}`]);
    expect(res.status).toBe(400);
    expect(res.body).toContain('"param":"currency"');
  });
});

describe('the string rule on every kind of body', () => {
  const bad: [string, string][] = [['NUL', 'a\u0000b'], ['lone surrogate', 'a\ud800b'], ['escape character', 'a\u001bb']];

  test.each(bad)('%s: refused with a 400 naming the field on create, update, links, webhooks and accounts', async (_name, text) => {
    const cases: [string, string, string | null, unknown, string][] = [
      ['POST', '/checkout-sessions', m.key, { currency: 'SATS', amount: 1000, title: text }, 'title'],
      ['POST', '/checkout-sessions', m.key, { currency: 'SATS', amount: 1000, metadata: { order: text } }, 'metadata.order'],
      ['POST', `/checkout-sessions/${cs.id}`, m.key, { title: text }, 'title'],
      ['POST', `/checkout-sessions/${cs.id}`, m.key, { metadata: { k: text } }, 'metadata.k'],
      ['POST', `/checkout-sessions/${cs.id}`, m.key, { metadata: { [text]: 'v' } }, 'metadata'],
      ['POST', '/payment-links', m.key, { currency: 'SATS', amount: 100, title: text }, 'title'],
      ['POST', '/checkout-links', m.key, { currency: 'SATS', amount: 100, custom_fields: [{ type: 'text', label: text }] }, 'custom_fields[0].label'],
      ['POST', '/webhooks', m.key, { url: 'https://hooks.example/a', enabled_events: ['*'], description: text }, 'description'],
      ['POST', '/accounts', ADMIN_KEY, { name: text }, 'name'],
      ['POST', `/accounts/${m.id}`, ADMIN_KEY, { name: text }, 'name'],
    ];
    for (const [method, route, key, body, param] of cases) {
      const res = await call(sys.baseUrl, key, method, route, body, { 'Idempotency-Key': `k-${Math.random()}` });
      expect({ route, body, status: res.status, param: res.body.errors?.[0]?.param }).toEqual({ route, body, status: 400, param });
    }
    // Nothing was stored: the session kept its title.
    expect((await api('GET', `/checkout-sessions/${cs.id}`)).body.title ?? '').not.toContain(text);
  });

  test('a __proto__ metadata key is refused by name; constructor and prototype are kept as ordinary keys', async () => {
    const proto = await api('POST', `/checkout-sessions/${cs.id}`, '{"metadata":{"__proto__":"x"}}');
    expect(proto.status).toBe(400);
    expect(proto.body.errors[0]).toMatchObject({ param: 'metadata.__proto__' });
    const kept = await api('POST', `/checkout-sessions/${cs.id}`, { metadata: { constructor: 'y', prototype: 'z' } });
    expect(kept.status).toBe(200);
    expect(kept.body.metadata).toEqual({ constructor: 'y', prototype: 'z' });
  });

  test('a deeply nested body is a 400, with or without an Idempotency-Key', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    for (const headers of [{}, { 'Idempotency-Key': 'deep-1' }] as Record<string, string>[]) {
      const res = await api('POST', '/checkout-sessions', `{"metadata":${deep}}`, headers);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/nested too deeply/);
    }
  });
});

describe('IDs, cursors and filters', () => {
  test('a malformed path ID is a 404 "No such …" on API routes (after the key is checked), never a 5xx', async () => {
    for (const id of ['cs_%00', 'cs_%ED%A0%80', 'x'.repeat(3000), 'cs_short']) {
      for (const [method, route] of [['GET', `/checkout-sessions/${id}`], ['POST', `/checkout-sessions/${id}`], ['POST', `/checkout-sessions/${id}/deactivate`],
        ['GET', `/checkout-sessions/payment/${id}`], ['GET', `/payments/${id}`], ['GET', `/events/${id}`], ['GET', `/transfers/${id}`],
        ['GET', `/webhooks/${id}/deliveries`], ['GET', `/payment-links/${id}`], ['POST', `/test-helpers/payments/${id}/receive`]]) {
        const res = await api(method, route, method === 'POST' ? {} : undefined);
        expect({ route, status: res.status }).toEqual({ route, status: 404 });
        expect(res.body.errors[0].message).toMatch(/^(No such |Unrecognized request URL)/);
      }
      expect((await call(sys.baseUrl, ADMIN_KEY, 'GET', `/accounts/${id}/keys`)).status).toBe(404);
      expect((await call(sys.baseUrl, ADMIN_KEY, 'DELETE', `/accounts/${m.id}/keys/${id}`)).status).toBe(404);
      // The key still comes first (except for a segment that is not even percent-encoded UTF-8: that URL names nothing).
      if (id === 'cs_%ED%A0%80') continue;
      expect((await call(sys.baseUrl, null, 'GET', `/checkout-sessions/${id}`)).status).toBe(401);
      expect((await call(sys.baseUrl, 'sk_test_nope', 'GET', `/checkout-sessions/${id}`)).status).toBe(401);
    }
  });

  test('the public pages answer a malformed ID with an HTML 404 (and the status poll with a JSON one)', async () => {
    for (const path of ['/pay/cs_%00', '/pay/%ED%A0%80', '/c/clink_%00', '/p/plink_%00', `/p/${'x'.repeat(3000)}`]) {
      const res = await fetch(`${sys.baseUrl}${path}`, { redirect: 'manual' });
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: expect.stringMatching(/^text\/html/) });
    }
    expect((await call(sys.baseUrl, null, 'GET', '/pay/cs_%00/status')).status).toBe(404);
    const sim = await call(sys.baseUrl, null, 'POST', '/pay/cs_%00/simulate', {});
    expect(sim.status).toBe(404);
  });

  test('the customer form refuses a NUL or control character in a field with a message on the form', async () => {
    const session = (await api('POST', '/checkout-sessions', {
      currency: 'SATS', amount: 1000, custom_fields: [{ type: 'text', label: 'Note' }],
    })).body;
    const field = `cf_${session.custom_fields[0].id}`;
    const res = await fetch(`${sys.baseUrl}/pay/${session.id}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${field}=a%00b`, redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Note must not contain a NUL character.');
    const json = await fetch(`${sys.baseUrl}/pay/${session.id}/simulate`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"method":"a\\ud800"}',
    });
    expect(json.status).toBe(400);
  });

  test('a malformed cursor or ID filter is a 400 naming it; a well-formed unknown cursor is a 404 resource_missing naming it', async () => {
    for (const [route, param] of [
      ['/checkout-sessions?starting_after=cs_%00', 'starting_after'], ['/payments?ending_before=cs_x', 'ending_before'],
      ['/payments?checkout_session=%ED%A0%80', 'checkout_session'], ['/transfers?checkout_session=nope', 'checkout_session'],
      ['/events?starting_after=evt_%00', 'starting_after'], ['/events?event_type=a%00', 'event_type'],
      [`/payments?starting_after=${cs.payment_id.slice(0, -1)}`, 'starting_after'],
    ]) {
      const res = await api('GET', route);
      expect({ route, status: res.status, param: res.body.errors?.[0]?.param }).toEqual({ route, status: 400, param });
    }
    for (const [route, param] of [
      [`/checkout-sessions?starting_after=${cs.id.slice(0, -1)}${cs.id.endsWith('A') ? 'B' : 'A'}`, 'starting_after'],
      [`/webhooks?ending_before=we_${'A'.repeat(24)}`, 'ending_before'], [`/balance-transactions?starting_after=txn_${'A'.repeat(24)}`, 'starting_after'],
    ]) {
      const res = await api('GET', route);
      expect({ route, status: res.status, param: res.body.errors?.[0]?.param, code: res.body.errors?.[0]?.code })
        .toEqual({ route, status: 404, param, code: 'resource_missing' });
    }
    // A known cursor still pages.
    expect((await api('GET', `/checkout-sessions?starting_after=${cs.id}`)).status).toBe(200);
  });
});

describe('methods and unknown paths', () => {
  test('an undeclared method on a known path is a 405 with the right Allow; OPTIONS lists the same', async () => {
    for (const [method, route, allow] of [
      ['DELETE', `/checkout-sessions/${cs.id}`, 'GET, POST'], ['PUT', '/checkout-sessions', 'GET, POST'],
      ['PATCH', `/webhooks/we_${'A'.repeat(24)}`, 'GET, POST, DELETE'], ['GET', `/checkout-sessions/${cs.id}/deactivate`, 'POST'],
      ['DELETE', `/pay/${cs.id}`, 'GET, POST'], ['POST', '/health', 'GET'],
    ]) {
      const res = await api(method, route);
      expect({ method, route, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, route, status: 405, allow });
      expect(res.body.errors[0].message).toContain(allow);
      const options = await call(sys.baseUrl, null, 'OPTIONS', route);
      expect({ route, status: options.status, allow: options.headers.get('allow') }).toEqual({ route, status: 204, allow });
    }
    // HEAD is served wherever GET is, the session read (mounted ahead of the guard) included, with its key check.
    expect((await fetch(`${sys.baseUrl}/health`, { method: 'HEAD' })).status).toBe(200);
    expect((await call(sys.baseUrl, m.key, 'HEAD', `/checkout-sessions/${cs.id}`)).status).toBe(200);
    expect((await call(sys.baseUrl, null, 'HEAD', `/checkout-sessions/${cs.id}`)).status).toBe(401);
  });

  test('an unknown path is a 404 with or without a key; /favicon.ico is never a JSON 401; static docs assets still load', async () => {
    for (const key of [null, m.key]) {
      expect((await call(sys.baseUrl, key, 'GET', '/no-such-thing')).status).toBe(404);
      expect((await call(sys.baseUrl, key, 'POST', `/checkout-sessions/${cs.id}/nope`, {})).status).toBe(404);
    }
    expect((await fetch(`${sys.baseUrl}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${sys.baseUrl}/docs/assets/swagger-ui.css`)).status).toBe(200);
  });
});

describe('bodies are read only after authentication', () => {
  test('an anonymous POST announcing a large body is refused with a 401 before its body arrives', async () => {
    const url = new URL(sys.baseUrl);
    const status = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.on('connect', () => socket.write(`POST /checkout-sessions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{`));
      socket.on('data', (d) => { resolve(d.toString().split('\r\n')[0]); socket.destroy(); });
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
  });
});
