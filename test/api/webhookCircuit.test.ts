import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordEvent } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { deliveryWorkflowId, WEBHOOK_CIRCUIT_THRESHOLD } from '../../src/webhooks/deliveryTypes';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/**
 * Per-endpoint backoff: a failing endpoint's circuit opens, one delivery probes it (at its Retry-After),
 * the others park without attempting, and when it recovers every parked event arrives once. One
 * delivery slot, so attempts happen one at a time and "how many events were attempted" is exact.
 */

/** A receiver whose answer the test sets; it records each request's event ID, arrival time and answer. */
interface Endpoint { url: string; answer: { status: number; headers: Record<string, string> }; seen: { id: string; at: number; status: number }[]; server: http.Server }

async function endpoint(): Promise<Endpoint> {
  const e: Endpoint = { url: '', answer: { status: 200, headers: {} }, seen: [], server: http.createServer() };
  e.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const { status, headers } = e.answer;
      e.seen.push({ id: String(req.headers['webhook-id']), at: Date.now(), status });
      res.writeHead(status, headers).end(status < 300 ? 'ok' : 'busy');
    });
  });
  await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', r));
  e.url = `http://127.0.0.1:${(e.server.address() as AddressInfo).port}/hook`;
  return e;
}

const endpoints: Endpoint[] = [];
const receivers: WebhookReceiver[] = [];
const sys = useTestSystem({
  env: { WEBHOOK_MAX_CONCURRENT_DELIVERIES: '1' },
  beforeStop: async () => {
    for (const e of endpoints) { e.server.closeAllConnections(); await new Promise((r) => e.server.close(r)); }
    for (const r of receivers) await r.close();
  },
});

async function merchantWith(e: Endpoint) {
  const m = await createMerchant(sys.baseUrl);
  const res = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: e.url, enabled_events: ['*'] });
  expect(res.status).toBe(200);
  return { m, we: res.body.id as string };
}

/** Records `n` events of the merchant, each its own stream (no ordering wait between them). */
async function recordEvents(accountId: string, n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const objectId = `plink_${tag}_${i}`;
    ids.push(await recordEvent(sys.db, { dedupeKey: `${tag}-${i}-${Date.now()}`, accountId, livemode: false,
      type: 'payment_link.created', objectId, data: { object: { id: objectId } }, created: Date.now() }));
  }
  return ids;
}

const parkedOf = async (we: string) => (await sys.db(T.webhookParked).where({ endpoint_id: we }).select('event_id')).map((r) => r.event_id as string);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a Retry-After opens the endpoint\'s circuit: one delivery probes at that pace, the others park; once it recovers every event arrives exactly once', async () => {
  const dead = await endpoint();
  endpoints.push(dead);
  dead.answer = { status: 503, headers: { 'retry-after': '2' } };
  const { m, we } = await merchantWith(dead);
  // A second endpoint of the same account is not held back by the first one's circuit.
  const healthy = await startReceiver();
  receivers.push(healthy);
  expect((await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: healthy.url, enabled_events: ['*'] })).status).toBe(200);

  const events = await recordEvents(m.id, 12, 'ra');
  // All but the probe park, and the healthy endpoint gets every event meanwhile.
  expect((await waitFor(() => parkedOf(we), (p) => p.length === events.length - 1, 120_000)).sort()).toEqual(
    events.filter((id) => id !== dead.seen[0]?.id).sort());
  expect(new Set((await waitFor(async () => healthy.received.map((r) => r.event.id), (ids) => new Set(ids).size === events.length, 60_000))))
    .toEqual(new Set(events));
  // The probe keeps trying at the endpoint's Retry-After; nobody else attempts.
  await waitFor(async () => dead.seen.length, (n) => n >= 4, 120_000);
  const whileOpen = [...dead.seen];
  expect(new Set(whileOpen.map((s) => s.id)).size).toBe(1);
  for (let i = 1; i < whileOpen.length; i++) {
    // Retry-After: 2 — no attempt of any of the endpoint's deliveries comes sooner than that after the last answer.
    expect(whileOpen[i].at - whileOpen[i - 1].at).toBeGreaterThanOrEqual(1_900);
  }
  const circuit = await sys.db(T.webhookCircuits).where({ endpoint_id: we }).first();
  expect(circuit.failures).toBeGreaterThanOrEqual(WEBHOOK_CIRCUIT_THRESHOLD);
  // Events recorded while the circuit is open get no workflow at all: the relay parks them as rows.
  const later = await recordEvents(m.id, 5, 'ra-later');
  await waitFor(() => parkedOf(we), (p) => later.every((id) => p.includes(id)), 60_000);
  for (const id of later) {
    const found = await sys.temporal.workflow.getHandle(deliveryWorkflowId(id, we)).describe().then(() => true, (err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    });
    expect([id, found]).toEqual([id, false]);
  }
  events.push(...later);
  expect(dead.seen.every((s) => s.id === whileOpen[0].id)).toBe(true);

  // Recovery: the probe's next attempt succeeds, the circuit closes and the waker wakes the parked ones.
  dead.answer = { status: 200, headers: {} };
  const okIds = () => dead.seen.filter((s) => s.status === 200).map((s) => s.id);
  await waitFor(async () => okIds(), (ids) => new Set(ids).size === events.length, 120_000);
  expect(await waitFor(() => parkedOf(we), (p) => p.length === 0, 60_000)).toEqual([]);
  for (const id of events) {
    const run = await waitFor(() => sys.temporal.workflow.getHandle(deliveryWorkflowId(id, we)).describe(), (d) => d.status.name !== 'RUNNING', 60_000);
    expect([id, run.status.name]).toEqual([id, 'COMPLETED']);
  }
  await pause(1_000);
  expect(okIds().sort()).toEqual([...events].sort()); // each event once: none twice, none missing
  expect(await sys.db(T.webhookCircuits).where({ endpoint_id: we }).first()).toBeUndefined();
  // The delivery log shows the probe's failed attempts and one success per event.
  const log = await sys.db(T.webhookDeliveries).where({ endpoint_id: we });
  expect(log.filter((d) => d.ok).map((d) => d.event_id).sort()).toEqual([...events].sort());
  expect(log.filter((d) => !d.ok).length).toBe(dead.seen.filter((s) => s.status !== 200).length);
}, 400_000);

test(`${WEBHOOK_CIRCUIT_THRESHOLD} consecutive failures open the circuit: no other event is attempted; deleting the endpoint ends the parked deliveries`, async () => {
  const dead = await endpoint();
  endpoints.push(dead);
  dead.answer = { status: 500, headers: {} };
  const { m, we } = await merchantWith(dead);
  const events = await recordEvents(m.id, 12, 'fail');
  await waitFor(() => parkedOf(we), (p) => p.length === events.length - 1, 120_000);
  // The first failures each came from a different delivery (one slot: one at a time); from the
  // threshold on only the first failing delivery, which holds the probe, attempts again.
  const attempted = new Set(dead.seen.map((s) => s.id));
  expect(attempted.size).toBe(WEBHOOK_CIRCUIT_THRESHOLD);
  const prober = dead.seen[0].id;
  expect(dead.seen.slice(WEBHOOK_CIRCUIT_THRESHOLD).every((s) => s.id === prober)).toBe(true);

  // A deleted endpoint's parked deliveries are woken to end, not left to their timers.
  expect((await call(sys.baseUrl, m.key, 'DELETE', `/webhooks/${we}`)).status).toBe(200);
  for (const id of events) {
    const run = await waitFor(() => sys.temporal.workflow.getHandle(deliveryWorkflowId(id, we)).describe(), (d) => d.status.name !== 'RUNNING', 120_000);
    expect([id, run.status.name]).toEqual([id, 'COMPLETED']);
  }
  expect(await parkedOf(we)).toEqual([]);
}, 400_000);
