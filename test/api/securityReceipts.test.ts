import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalLightningNode } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { watcherContext } from '../../src/watcher/context';
import { ingestReceipt } from '../../src/watcher/ingest';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * C1: receipt references are unique per (mode, source), and simulated references live in the
 * caller's own `sim:` namespace. A stand-in LND (real mainnet BOLT11 invoices signed by a local key, and
 * an invoice stream we control) plays the live node, so the live path is the real one end to end.
 */
const node = new LocalLightningNode('11'.repeat(32), 'mainnet');
const streams = new Set<http.ServerResponse>();
const lnd = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/v1/invoices') {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', async () => {
      const body = JSON.parse(raw) as { value: string; memo: string; expiry: string };
      const inv = await node.createInvoice({ amountSats: BigInt(body.value), memo: body.memo, expirySeconds: Number(body.expiry) });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ payment_request: inv.paymentRequest, r_hash: Buffer.from(inv.paymentHash, 'hex').toString('base64'), add_index: '1' }));
    });
    return;
  }
  if (req.url?.startsWith('/v1/invoices/subscribe')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  res.statusCode = 404;
  res.end('{}');
});
let settleIndex = Date.now();
function settle(hash: string, sats: number): void {
  const line = { result: { r_hash: Buffer.from(hash, 'hex').toString('base64'), state: 'SETTLED', amt_paid_sat: String(sats), settle_index: String(++settleIndex) } };
  for (const s of streams) s.write(`${JSON.stringify(line)}\n`);
}

let victim: { id: string; key: string; liveKey: string };
let attacker: { id: string; key: string };

beforeAll(async () => { await new Promise<void>((r) => lnd.listen(0, '127.0.0.1', r)); });
// Read when the system starts, once the stand-in LND listens.
const sys = useTestSystem(() => ({ env: { LND_REST_URL: `http://127.0.0.1:${(lnd.address() as AddressInfo).port}`, LND_MACAROON_HEX: '00' } }));
beforeAll(async () => {
  const b = await createMerchant(sys.baseUrl);
  const live = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${b.id}/keys`, { livemode: true });
  victim = { ...b, liveKey: live.body.secret_key };
  attacker = await createMerchant(sys.baseUrl);
});
afterAll(async () => {
  for (const s of streams) s.destroy();
  await new Promise((r) => lnd.close(r));
});

const api = (key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);

async function lightningSession(key: string): Promise<{ id: string; paymentId: string; hash: string }> {
  const cs = await api(key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, payment_methods: ['lightning'] });
  expect(cs.status).toBe(200);
  const payment = await api(key, 'GET', `/payments/${cs.body.payment_id}`);
  return { id: cs.body.id, paymentId: cs.body.payment_id, hash: payment.body.payment_method_options.lightning.payment_hash };
}

function idsIn(body: unknown): string[] {
  return JSON.stringify(body).match(/\b(acct|cs|pi|rcpt)_[A-Za-z0-9]+/g) ?? [];
}

test('a test key that pre-claims a live payment hash cannot swallow the live payment nor learn its owner', async () => {
  await waitFor(async () => streams.size, (n) => n > 0); // the watcher follows the stand-in's stream
  const live = await lightningSession(victim.liveKey);
  const bait = await lightningSession(attacker.key);

  const claim = await api(attacker.key, 'POST', `/test-helpers/payments/${bait.paymentId}/receive`, { amount: 1, method: 'lightning', reference: live.hash });
  expect(claim.status).toBe(200);
  expect(claim.body).toMatchObject({ payment: bait.paymentId, checkout_session: bait.id, duplicate: false, reference: `sim:${attacker.id}:${live.hash}` });
  for (const id of idsIn(claim.body)) expect([bait.id, bait.paymentId, attacker.id, claim.body.id]).toContain(id);

  settle(live.hash, 5000);
  const paid = await waitFor(() => api(victim.liveKey, 'GET', `/checkout-sessions/${live.id}`), (r) => r.body.status === 'paid', 20_000);
  expect(paid.body).toMatchObject({ status: 'paid', target_amount_paid: 5000 });
  const stored = await sys.db(T.receipts).where({ reference: live.hash, livemode: true }).first();
  expect(stored).toMatchObject({ payment_id: live.paymentId, source: 'lightning', amount_sats: '5000', account_id: victim.id });
});

test('in test mode too, a simulated reference never occupies a real payment hash of another tenant', async () => {
  const target = await lightningSession(victim.key);
  const bait = await lightningSession(attacker.key);
  const claim = await api(attacker.key, 'POST', `/test-helpers/payments/${bait.paymentId}/receive`, { amount: 1, method: 'lightning', reference: target.hash });
  expect(claim.body.duplicate).toBe(false);

  // The network reports the victim's invoice as paid (what a test-mode Lightning source does).
  const seen = await ingestReceipt(watcherContext(sys.ctx), { paymentHash: target.hash, reference: target.hash, method: 'lightning', amountSats: 5000n });
  expect(seen).toMatchObject({ duplicate: false, receipt: { payment_id: target.paymentId, source: 'lightning' } });
  const paid = await waitFor(() => api(victim.key, 'GET', `/checkout-sessions/${target.id}`), (r) => r.body.status === 'paid');
  expect(paid.body.target_amount_paid).toBe(5000);
});

test('the same simulated reference in two accounts is two receipts; a repeat in one account is a duplicate of its own', async () => {
  const a = await lightningSession(attacker.key);
  const b = await lightningSession(victim.key);
  const reference = `${'9f'.repeat(32)}`;
  const fromB = await api(victim.key, 'POST', `/test-helpers/payments/${b.paymentId}/receive`, { amount: 10, method: 'lightning', reference });
  const fromA = await api(attacker.key, 'POST', `/test-helpers/payments/${a.paymentId}/receive`, { amount: 10, method: 'lightning', reference });
  expect(fromA.body).toMatchObject({ duplicate: false, payment: a.paymentId });
  expect(fromA.body.id).not.toBe(fromB.body.id);
  const again = await api(attacker.key, 'POST', `/test-helpers/payments/${a.paymentId}/receive`, { amount: 10, method: 'lightning', reference });
  expect(again.body).toMatchObject({ duplicate: true, id: fromA.body.id, payment: a.paymentId });
  expect(idsIn(again.body)).not.toEqual(expect.arrayContaining([b.id]));
});

test('a reference already used for another payment is refused with a 409 that names no object', async () => {
  const first = await lightningSession(attacker.key);
  const second = await lightningSession(attacker.key);
  const reference = 'order-42-refund';
  expect((await api(attacker.key, 'POST', `/test-helpers/payments/${first.paymentId}/receive`, { amount: 10, reference })).status).toBe(200);
  const reused = await api(attacker.key, 'POST', `/test-helpers/payments/${second.paymentId}/receive`, { amount: 10, reference });
  expect(reused.status).toBe(409);
  expect(reused.body.errors[0].param).toBe('reference');
  expect(idsIn(reused.body)).toEqual([]);
});

test('the database refuses a simulated receipt in live mode or outside the sim: namespace', async () => {
  const live = await lightningSession(victim.liveKey);
  const row = {
    id: `rcpt_forged${Date.now()}`, payment_id: live.paymentId, checkout_session_id: live.id, account_id: victim.id,
    method: 'lightning', amount_sats: 1, status: 'received', created: Date.now(),
  };
  await expect(sys.db(T.receipts).insert({ ...row, livemode: true, source: 'simulator', reference: `sim:${victim.id}:x` })).rejects.toThrow(/receipts_source_check/);
  await expect(sys.db(T.receipts).insert({ ...row, livemode: false, source: 'simulator', reference: live.hash })).rejects.toThrow(/receipts_source_check/);
  expect(await sys.db(T.receipts).where({ id: row.id }).first()).toBeUndefined();
});
