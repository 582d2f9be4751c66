import type http from 'node:http';
import { hexToBytes } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import { LndRequestError, InvalidInvoiceRequestError } from '../../../src/bitcoin/errors';
import type { SettledInvoice } from '../../../src/bitcoin/lightning';
import { LndRestNode } from '../../../src/bitcoin/lndRestNode';
import { generateNodeKey, LocalLightningNode } from '../../../src/bitcoin/localLightningNode';
import { sendJson, startStandIn, waitFor, type StandInServer } from './support/standInServer';

const MACAROON = '0201036c6e6402f801';
const HASH_A = 'aa'.repeat(32);
const HASH_B = 'bb'.repeat(32);
const HASH_C = 'cc'.repeat(32);
const b64 = (hex: string): string => base64.encode(hexToBytes(hex));
const line = (result: unknown): string => `${JSON.stringify({ result })}\n`;
const fastBackoff = { initialMs: 10, maxMs: 40 };

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('LndRestNode.createInvoice', () => {
  // The stand-in signs a real invoice with a local key, as LND would with its node key.
  const signer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');

  it('POSTs /v1/invoices with the macaroon and string int64 fields, and returns the hex hash', async () => {
    server = await startStandIn(async (req, res) => {
      const body = JSON.parse(req.body) as { value: string; memo: string; expiry: string };
      const inv = await signer.createInvoice({ amountSats: BigInt(body.value), memo: body.memo, expirySeconds: Number(body.expiry) });
      sendJson(res, 200, { r_hash: b64(inv.paymentHash), payment_request: inv.paymentRequest, add_index: '3' });
    });
    const lnd = new LndRestNode({ url: `${server.url}/`, macaroonHex: MACAROON });
    const created = await lnd.createInvoice({ amountSats: 150_000n, memo: 'Order 7', expirySeconds: 600 });

    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/invoices');
    expect(request.headers['grpc-metadata-macaroon']).toBe(MACAROON);
    expect(JSON.parse(request.body)).toEqual({ value: '150000', memo: 'Order 7', expiry: '600' });
    expect(created.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.paymentRequest.startsWith('lnbcrt1500u1')).toBe(true);
  });

  it('refuses an invoice whose hash differs from the r_hash LND reported', async () => {
    server = await startStandIn(async (_req, res) => {
      const inv = await signer.createInvoice({ amountSats: 100n, memo: '', expirySeconds: 60 });
      sendJson(res, 200, { r_hash: b64(HASH_A), payment_request: inv.paymentRequest });
    });
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON });
    await expect(lnd.createInvoice({ amountSats: 100n, memo: '', expirySeconds: 60 })).rejects.toThrow(/differs/);
  });

  it('surfaces HTTP errors with their status', async () => {
    server = await startStandIn((_req, res) => sendJson(res, 500, { code: 2, message: 'permission denied' }));
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON });
    const err = await lnd.createInvoice({ amountSats: 100n, memo: '', expirySeconds: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LndRequestError);
    expect((err as LndRequestError).status).toBe(500);
  });

  it.each([
    ['not JSON', 'oops'],
    ['no payment_request', { r_hash: 'qg==' }],
    ['a short r_hash', { r_hash: 'qg==', payment_request: 'lnbcrt1' }],
  ])('rejects a body with %s', async (_why, body) => {
    server = await startStandIn((_req, res) => sendJson(res, 200, body));
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON });
    await expect(lnd.createInvoice({ amountSats: 100n, memo: '', expirySeconds: 60 })).rejects.toThrow(LndRequestError);
  });

  it('validates the request before calling LND', async () => {
    const lnd = new LndRestNode({ url: 'http://127.0.0.1:9', macaroonHex: MACAROON });
    await expect(lnd.createInvoice({ amountSats: 0n, memo: '', expirySeconds: 60 })).rejects.toThrow(InvalidInvoiceRequestError);
  });
});

describe('LndRestNode.subscribeInvoices', () => {
  /** Keeps subscription responses open; `connections[i]` is the i-th streaming response. */
  function streamingServer(onConnect: (res: http.ServerResponse, n: number, url: string) => void): Promise<StandInServer> {
    let n = 0;
    return startStandIn((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      onConnect(res, n++, req.url ?? '');
    });
  }

  it('handles a message split across writes, ignores open invoices, and resumes after a dropped connection', async () => {
    const settledB = line({ r_hash: b64(HASH_B), state: 'SETTLED', settled: true, amt_paid_sat: '1500', settle_index: '7' });
    server = await streamingServer((res, n) => {
      if (n === 0) {
        // Chunk 1: a whole OPEN invoice plus the first half of a settled one.
        res.write(line({ r_hash: b64(HASH_A), state: 'OPEN', amt_paid_sat: '0' }) + settledB.slice(0, 40));
        setTimeout(() => res.write(settledB.slice(40)), 30);
        // Then the server drops the connection without ending the response properly.
        setTimeout(() => res.socket?.destroy(), 80);
      } else {
        res.write(line({ r_hash: b64(HASH_C), settled: true, amt_paid_sat: '2500', settle_index: '8' }));
      }
    });
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON, backoff: fastBackoff });
    const seen: SettledInvoice[] = [];
    const abort = new AbortController();
    const done = lnd.subscribeInvoices((inv) => void seen.push(inv), abort.signal);

    await waitFor(() => seen.length === 2);
    abort.abort();
    await done;
    expect(seen).toEqual([
      { paymentHash: HASH_B, amountSats: 1500n, settleIndex: 7n },
      { paymentHash: HASH_C, amountSats: 2500n, settleIndex: 8n },
    ]);
    expect(server.requests.map((r) => r.url)).toEqual(['/v1/invoices/subscribe', '/v1/invoices/subscribe?settle_index=7']);
    expect(server.requests.every((r) => r.headers['grpc-metadata-macaroon'] === MACAROON)).toBe(true);
  });

  it('redelivers a settlement whose callback failed (at-least-once)', async () => {
    server = await streamingServer((res) => {
      res.write(line({ r_hash: b64(HASH_A), state: 'SETTLED', amt_paid_sat: '42', settle_index: '1' }));
    });
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON, backoff: fastBackoff });
    const seen: string[] = [];
    const abort = new AbortController();
    let calls = 0;
    const done = lnd.subscribeInvoices(async (inv) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      seen.push(inv.paymentHash);
    }, abort.signal);

    await waitFor(() => seen.length === 1);
    abort.abort();
    await done;
    expect(seen).toEqual([HASH_A]);
    // The failed delivery did not advance the settle index: the reconnect asked from the start again.
    expect(server.requests[1].url).toBe('/v1/invoices/subscribe');
  });

  it('reconnects after HTTP errors and stream error messages', async () => {
    let n = 0;
    server = await startStandIn((_req, res) => {
      const attempt = n++;
      if (attempt === 0) return sendJson(res, 503, { message: 'starting up' });
      res.writeHead(200);
      if (attempt === 1) return void res.write(`${JSON.stringify({ error: { code: 2, message: 'wallet locked' } })}\n`);
      res.write(line({ r_hash: b64(HASH_C), state: 'SETTLED', amt_paid_msat: '7999', settle_index: '3' }));
    });
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON, backoff: fastBackoff });
    const seen: SettledInvoice[] = [];
    const abort = new AbortController();
    const done = lnd.subscribeInvoices((inv) => void seen.push(inv), abort.signal);
    await waitFor(() => seen.length === 1);
    abort.abort();
    await done;
    // Only msat reported: whole sats received, rounded down.
    expect(seen).toEqual([{ paymentHash: HASH_C, amountSats: 7n, settleIndex: 3n }]);
    expect(server.requests.length).toBe(3);
  });

  it('starts from a given settle index and stops promptly when aborted while idle', async () => {
    server = await streamingServer(() => undefined);
    const lnd = new LndRestNode({ url: server.url, macaroonHex: MACAROON, backoff: fastBackoff });
    const abort = new AbortController();
    const done = lnd.subscribeInvoices(() => undefined, abort.signal, { settleIndex: 41n });
    await waitFor(() => server!.requests.length === 1);
    abort.abort();
    await expect(done).resolves.toBeUndefined();
    expect(server.requests[0].url).toBe('/v1/invoices/subscribe?settle_index=41');
  });

  it('resolves at once when the signal is already aborted', async () => {
    const lnd = new LndRestNode({ url: 'http://127.0.0.1:9', macaroonHex: MACAROON });
    await expect(lnd.subscribeInvoices(() => undefined, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
