import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { createMerchant, call, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

/**
 * The client and the worker reach a Temporal frontend that demands mutual TLS.
 * The dev server has no TLS of its own, so a TLS terminator that requires a client certificate signed
 * by our CA stands in front of it (what a real cluster's frontend does), forwarding the HTTP/2 bytes.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-mtls-'));
const file = (name: string) => path.join(dir, name);
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}
function issue(name: string, subject: string, extensions: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
  fs.writeFileSync(file(`${name}.ext`), extensions);
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '1', '-out', file(`${name}.pem`), '-extfile', file(`${name}.ext`));
}

let terminator: tls.Server;
let frontend: string;
let handshakes = { ok: 0, refused: 0 };
let sys: TestSystem | undefined;

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=checkout test CA');
  issue('server', '/CN=temporal.internal', 'subjectAltName=DNS:temporal.internal\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=checkout-worker', 'extendedKeyUsage=clientAuth\n');
  const [host, port] = process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS!.split(':');
  terminator = tls.createServer({
    key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.pem')), ca: fs.readFileSync(file('ca.pem')),
    requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'],
  }, (socket) => {
    handshakes.ok++;
    const upstream = net.connect(Number(port), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  terminator.on('tlsClientError', () => { handshakes.refused++; });
  await new Promise<void>((r) => terminator.listen(0, '127.0.0.1', r));
  frontend = `127.0.0.1:${(terminator.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await sys?.stop();
  await new Promise((r) => terminator.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('without a client certificate the frontend refuses the connection', async () => {
  handshakes = { ok: 0, refused: 0 };
  const attempt = Connection.connect({
    address: frontend, connectTimeout: 3000,
    tls: { serverRootCACertificate: fs.readFileSync(file('ca.pem')), serverNameOverride: 'temporal.internal' },
  }).then((c) => c.workflowService.getSystemInfo({}).finally(() => c.close()));
  await expect(attempt).rejects.toThrow();
  expect(handshakes.refused).toBeGreaterThan(0);
  expect(handshakes.ok).toBe(0);
});

test('with TEMPORAL_TLS_* set, the API, worker and watcher run a checkout through the mTLS frontend', async () => {
  // Its own start: connecting through the mTLS frontend is what this test checks (and its handshakes are counted from the first test).
  sys = await startTestSystem({
    TEMPORAL_ADDRESS: frontend,
    TEMPORAL_TLS_CERT_PATH: file('client.pem'), TEMPORAL_TLS_KEY_PATH: file('client.key'),
    TEMPORAL_TLS_CA_PATH: file('ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const merchant = await createMerchant(sys.baseUrl);
  const cs = await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
  expect(cs.status).toBe(200);
  expect(cs.body.payment_id).toMatch(/^pi_/);
  await call(sys.baseUrl, merchant.key, 'POST', `/test-helpers/payments/${cs.body.payment_id}/receive`, { amount: 1000 });
  const paid = await waitFor(() => call(sys!.baseUrl, merchant.key, 'GET', `/checkout-sessions/${cs.body.id}`), (r) => r.body.status === 'paid');
  expect(paid.body.status).toBe('paid');
  expect(handshakes.ok).toBeGreaterThanOrEqual(2); // the client's connection and the worker's
});
