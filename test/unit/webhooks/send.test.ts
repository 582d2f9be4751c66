import { Webhook } from 'standardwebhooks';
import {
  buildEventEnvelope,
  generateWebhookSecret,
  sendWebhook,
  serializeEvent,
  signWebhook,
  WEBHOOK_USER_AGENT,
  WebhookArgumentError,
} from '../../../src/webhooks';
import { startServer, unusedPort, type LocalServer } from './support/localServer';

const servers: LocalServer[] = [];
async function server(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const plain = { headers: {}, body: '{}', allowPrivateNetworks: true, timeoutMs: 5000 };

describe('sendWebhook against real local receivers', () => {
  it('delivers a signed event that a standardwebhooks receiver verifies', async () => {
    const secret = generateWebhookSecret();
    const verifier = new Webhook(secret); // exactly as the API hands it out
    let verified: unknown = null;
    const receiver = await server((req, res) => {
      verified = verifier.verify(req.body, req.headers as Record<string, string>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
    const envelope = buildEventEnvelope({
      id: 'evt_abc123',
      eventType: 'checkout_session.paid',
      object: { id: 'cs_1', object: 'checkout_session', amount: 1000, status: 'paid' },
      livemode: false,
      created: 1_700_000_000_000,
    });
    const body = serializeEvent(envelope);
    const headers = signWebhook({ secret, msgId: envelope.id, timestamp: new Date(), body });

    const result = await sendWebhook({ url: `${receiver.url}/hooks?x=1`, headers, body, timeoutMs: 5000, allowPrivateNetworks: true });

    expect(result).toMatchObject({ ok: true, status: 200, error: null, errorKind: null, publicDestination: false });
    expect(result.responseSnippet).toBe('{"received":true}');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(verified).toEqual(envelope);
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/hooks?x=1', body });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe(WEBHOOK_USER_AGENT);
    expect(req.headers['webhook-id']).toBe('evt_abc123');
  });

  it('reports a 500 as a failed attempt with its status and body', async () => {
    const receiver = await server((_req, res) => res.writeHead(500).end('boom'));
    const result = await sendWebhook({ ...plain, url: receiver.url });
    expect(result).toMatchObject({ ok: false, status: 500, error: 'HTTP 500', errorKind: 'http_status' });
    expect(result.responseSnippet).toBe('boom');
  });

  it('gives up on a slow receiver after timeoutMs', async () => {
    const receiver = await server((_req, res) => {
      setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
    });
    const result = await sendWebhook({ ...plain, url: receiver.url, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, status: null, errorKind: 'timeout', error: 'timed out after 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(1500);
  });

  it("ends an attempt when the caller's signal aborts (a worker shutting down), rejecting with its reason rather than reporting a failed attempt", async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((r) => { arrived = r; });
    const receiver = await server(() => { arrived(); /* never answers */ });
    const caller = new AbortController();
    const attempt = sendWebhook({ ...plain, url: receiver.url, timeoutMs: 600_000, signal: caller.signal });
    await reached;
    const cancelled = new Error('worker shutting down');
    caller.abort(cancelled);
    await expect(attempt).rejects.toBe(cancelled);
  });

  it.each([301, 302, 307, 308])('does not follow a %i redirect', async (code) => {
    const target = await server((_req, res) => res.writeHead(200).end('ok'));
    const redirector = await server((_req, res) => res.writeHead(code, { location: `${target.url}/landing` }).end());
    const result = await sendWebhook({ ...plain, url: redirector.url });
    expect(result).toMatchObject({ ok: false, status: code, errorKind: 'redirect' });
    expect(result.error).toContain(`${target.url}/landing`);
    expect(redirector.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it('stops reading an endless response at maxResponseBytes and returns promptly', async () => {
    const receiver = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const started = Date.now();
    const result = await sendWebhook({ ...plain, url: receiver.url, timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.responseSnippet).toBe('x'.repeat(4096));

    const small = await sendWebhook({ ...plain, url: receiver.url, maxResponseBytes: 10 });
    expect(small.responseSnippet).toBe('x'.repeat(10));
  });

  it('keeps the status when the receiver stalls after its headers', async () => {
    const receiver = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // never ends the body
    });
    const result = await sendWebhook({ ...plain, url: receiver.url, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, status: 200, error: null, responseSnippet: 'partial' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('refuses loopback and private addresses by default without connecting', async () => {
    const receiver = await server((_req, res) => res.writeHead(200).end());
    for (const url of [receiver.url, `http://localhost:${receiver.port}/`, 'http://10.0.0.1/hook']) {
      const result = await sendWebhook({ ...plain, url, allowPrivateNetworks: false });
      expect(result).toMatchObject({ ok: false, status: null, errorKind: 'invalid_url' });
      expect(result.error).toMatch(/webhook URL must not point at .*only public addresses/);
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses by default a name that resolves to loopback', async () => {
    const receiver = await server((_req, res) => res.writeHead(200).end());
    const resolver = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const result = await sendWebhook({ ...plain, url: `http://rebind.example:${receiver.port}/`, allowPrivateNetworks: false, resolver });
    expect(result).toMatchObject({ ok: false, errorKind: 'invalid_url' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('connects to the checked address and sends the original Host header', async () => {
    const receiver = await server((_req, res) => res.writeHead(202).end());
    const resolver = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const url = `http://merchant.example:${receiver.port}/wh`;
    const result = await sendWebhook({ ...plain, url, resolver });
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(receiver.requests[0].headers.host).toBe(`merchant.example:${receiver.port}`);
  });

  it('accepts loopback, including localhost, when private networks are allowed', async () => {
    const receiver = await server((_req, res) => res.writeHead(200).end());
    const result = await sendWebhook({ ...plain, url: `http://localhost:${receiver.port}/` });
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it.each([true, false])('returns ftp:// as a failed attempt (private networks allowed: %s)', async (allowPrivateNetworks) => {
    const result = await sendWebhook({ ...plain, url: 'ftp://example.com/hook', allowPrivateNetworks });
    expect(result).toMatchObject({ ok: false, status: null, errorKind: 'invalid_url' });
  });

  it('returns a refused connection as a network error', async () => {
    const result = await sendWebhook({ ...plain, url: `http://127.0.0.1:${await unusedPort()}/` });
    expect(result).toMatchObject({ ok: false, status: null, errorKind: 'network' });
    expect(result.error).toMatch(/^ECONNREFUSED/);
  });

  it('returns a receiver that hangs up mid-request as a network error', async () => {
    const receiver = await server((_req, res) => res.socket?.destroy());
    const result = await sendWebhook({ ...plain, url: receiver.url });
    expect(result).toMatchObject({ ok: false, status: null, errorKind: 'network' });
    expect(result.error).toMatch(/ECONNRESET|socket hang up/);
  });

  it('throws only on caller bugs', async () => {
    await expect(sendWebhook({ ...plain, url: 'http://127.0.0.1/', timeoutMs: 0 })).rejects.toThrow(WebhookArgumentError);
    await expect(sendWebhook({ ...plain, url: 'http://127.0.0.1/', maxResponseBytes: -1 })).rejects.toThrow(
      WebhookArgumentError,
    );
  });
});
