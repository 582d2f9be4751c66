import net from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createHttpServer } from '../../../src/api/httpServer';
import { loadConfig } from '../../../src/config';

/**
 * The API listener's limits on a real socket: a client that trickles its body or headers is cut off
 * with a 408 once the request deadline passes (Node's default would wait 300 s), and connections over
 * the cap are closed as they arrive while the ones inside it are served. No elapsed time is asserted:
 * each test waits for the server's own action.
 */
let server: Server;
let port: number;

async function start(limits: Partial<Parameters<typeof createHttpServer>[1]> = {}): Promise<void> {
  const app = express();
  app.use(express.json());
  app.all('/echo', (req, res) => { res.json({ ok: true, body: req.body ?? null }); });
  server = createHttpServer(app, { requestTimeoutMs: 1000, headersTimeoutMs: 500, keepAliveTimeoutMs: 1000, maxConnections: 0, ...limits });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
}
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Opens a socket, writes `first`, then one more byte every 100 ms until the server closes it; resolves with what it answered. */
function trickle(first: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const drip = setInterval(() => { if (!socket.destroyed) socket.write(' '); }, 100);
    socket.on('connect', () => socket.write(first));
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('close', () => { clearInterval(drip); resolve(answer); });
    socket.on('error', (err) => { clearInterval(drip); if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(answer); else reject(err); });
  });
}

test('a body trickled a byte at a time is cut off with a 408 at the request deadline', async () => {
  await start();
  const answer = await trickle('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
}, 20_000);

test('headers trickled a byte at a time are cut off with a 408 at the headers deadline', async () => {
  await start();
  const answer = await trickle('GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
}, 20_000);

test('connections over the cap are closed on arrival; those inside it are served', async () => {
  await start({ maxConnections: 2, requestTimeoutMs: 30_000, headersTimeoutMs: 30_000 });
  const held: net.Socket[] = [];
  let accepted = 0;
  server.on('connection', () => { accepted += 1; });
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    held.push(s);
    await new Promise((r) => s.once('connect', r));
  }
  while (accepted < 2) await new Promise((r) => setTimeout(r, 10));
  const dropped = await new Promise<boolean>((resolve) => {
    const extra = net.connect(port, '127.0.0.1');
    extra.on('data', () => resolve(false));
    extra.on('close', () => resolve(true));
    extra.on('error', () => undefined);
    extra.on('connect', () => extra.write('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n'));
  });
  expect(dropped).toBe(true);
  // One held socket is served as usual.
  const answer = await new Promise<string>((resolve) => {
    held[0].on('data', (d) => resolve(d.toString()));
    held[0].write('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  expect(answer).toMatch(/^HTTP\/1\.1 200/);
  held.forEach((s) => s.destroy());
}, 20_000);

test('the limits come from configuration with bounded defaults, and headers cannot outlast the request', () => {
  const base = { DATA_DIR: '/tmp' };
  expect(loadConfig(base).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 2000 });
  expect(loadConfig({ ...base, HTTP_REQUEST_TIMEOUT_SECONDS: '60', HTTP_HEADERS_TIMEOUT_SECONDS: '20', HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65', HTTP_MAX_CONNECTIONS: '0' }).http)
    .toEqual({ requestTimeoutMs: 60_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 65_000, maxConnections: 0 });
  expect(() => loadConfig({ ...base, HTTP_REQUEST_TIMEOUT_SECONDS: '5', HTTP_HEADERS_TIMEOUT_SECONDS: '10' })).toThrow(/HTTP_HEADERS_TIMEOUT_SECONDS/);
});
