import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordEvent } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { deliveryWorkflowId } from '../../src/webhooks/deliveryTypes';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/**
 * The per-endpoint in-flight window (src/db/webhookWindow.ts): however many events wait for an endpoint
 * that accepts connections and never answers, Temporal holds at most WEBHOOK_ENDPOINT_WINDOW delivery
 * workflows for it; the rest wait as parked rows and start, in event order, as earlier deliveries end.
 * A window of one makes "in event order" exact: the next delivery starts only after the previous ended.
 */

/** A receiver that hangs (accepts, never answers) until told to answer 200; it records each answered request. */
interface Endpoint { url: string; hang: boolean; held: http.ServerResponse[]; seen: { id: string; status: number }[]; server: http.Server }

async function endpoint(): Promise<Endpoint> {
  const e: Endpoint = { url: '', hang: true, held: [], seen: [], server: http.createServer() };
  e.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (e.hang) { e.held.push(res); return; }
      e.seen.push({ id: String(req.headers['webhook-id']), status: 200 });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', r));
  e.url = `http://127.0.0.1:${(e.server.address() as AddressInfo).port}/hook`;
  return e;
}

const endpoints: Endpoint[] = [];
const receivers: WebhookReceiver[] = [];
const WINDOW = 1;
const sys = useTestSystem({
  // Slots are checked against Temporal after 2 s instead of a minute: the terminated run's slot is found within the test.
  env: { WEBHOOK_ENDPOINT_WINDOW: String(WINDOW), WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_SLOT_CHECK_MS: '2000' },
  beforeStop: async () => {
    for (const e of endpoints) { e.server.closeAllConnections(); await new Promise((r) => e.server.close(r)); }
    for (const r of receivers) await r.close();
  },
});

/** Records `n` events of the merchant over `streams` streams (event i belongs to stream i mod streams). */
async function recordEvents(accountId: string, n: number, streams: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const objectId = `plink_${tag}_${i % streams}`;
    ids.push(await recordEvent(sys.db, { dedupeKey: `${tag}-${i}-${Date.now()}`, accountId, livemode: false,
      type: 'payment_link.created', objectId, data: { object: { id: objectId } }, created: Date.now() }));
  }
  return ids;
}

/** Which of the events have a delivery workflow (running or ended) for the endpoint. */
async function withWorkflow(events: string[], we: string): Promise<string[]> {
  const found = await Promise.all(events.map((id) => sys.temporal.workflow.getHandle(deliveryWorkflowId(id, we)).describe().then(() => true, (err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  })));
  return events.filter((_, i) => found[i]);
}

/** A new merchant with one webhook endpoint (every event) at a dead endpoint that holds its requests. */
async function merchantWithDeadEndpoint() {
  const dead = await endpoint();
  endpoints.push(dead);
  const m = await createMerchant(sys.baseUrl);
  const res = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: dead.url, enabled_events: ['*'] });
  expect(res.status).toBe(200);
  return { dead, m, we: res.body.id as string };
}

const parkedOf = async (we: string) => (await sys.db(T.webhookParked).where({ endpoint_id: we }).select('event_id')).map((r) => r.event_id as string);
const inFlightOf = async (we: string) => (await sys.db(T.webhookInflight).where({ endpoint_id: we }).select('workflow_id')).map((r) => r.workflow_id as string);

test('an endpoint that never answers holds at most the window\'s workflows; the rest park and, once it answers, arrive exactly once and in event order; the account\'s healthy endpoint is not held back', async () => {
  const { dead, m, we } = await merchantWithDeadEndpoint();
  const healthy = await startReceiver();
  receivers.push(healthy);
  expect((await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: healthy.url, enabled_events: ['*'] })).status).toBe(200);

  const events = await recordEvents(m.id, 12, 3, 'hang');
  // The relay starts the first event's delivery and parks the others as rows, without workflows.
  expect((await waitFor(() => parkedOf(we), (p) => p.length === events.length - WINDOW, 60_000)).sort()).toEqual(events.slice(WINDOW).sort());
  // The healthy endpoint gets every event meanwhile (its own window, its own workflows).
  expect(new Set((await waitFor(async () => healthy.received.map((r) => r.event.id), (ids) => new Set(ids).size === events.length, 60_000))))
    .toEqual(new Set(events));
  // The first delivery keeps attempting (each attempt hangs until its timeout) and nothing else starts.
  await waitFor(async () => dead.held.length, (n) => n >= 2, 60_000);
  const moreEvents = await recordEvents(m.id, 3, 3, 'hang-later');
  await waitFor(() => parkedOf(we), (p) => moreEvents.every((id) => p.includes(id)), 60_000);
  events.push(...moreEvents);
  expect(await withWorkflow(events, we)).toEqual(events.slice(0, WINDOW));
  expect(await inFlightOf(we)).toEqual(events.slice(0, WINDOW).map((id) => deliveryWorkflowId(id, we)));
  expect(new Set(dead.held.map((r) => String(r.req.headers['webhook-id'])))).toEqual(new Set(events.slice(0, WINDOW)));

  // Recovery: the endpoint answers; each delivery that ends frees its slot and the next parked one starts.
  dead.hang = false;
  for (const r of dead.held) r.destroy();
  await waitFor(async () => dead.seen.length, (n) => n >= events.length, 240_000);
  for (const id of events) {
    const run = await waitFor(() => sys.temporal.workflow.getHandle(deliveryWorkflowId(id, we)).describe(), (d) => d.status.name !== 'RUNNING', 60_000);
    expect([id, run.status.name]).toEqual([id, 'COMPLETED']);
  }
  // Exactly once each, and in event order: with a window of one, a delivery starts only after the previous ended.
  expect(dead.seen.map((s) => s.id)).toEqual(events);
  expect(await parkedOf(we)).toEqual([]);
  // Every run freed its slot when it ended.
  expect(await waitFor(() => inFlightOf(we), (w) => w.length === 0, 30_000)).toEqual([]);
  const log = await sys.db(T.webhookDeliveries).where({ endpoint_id: we, ok: true });
  expect(log.map((d) => d.event_id).sort()).toEqual([...events].sort());
}, 400_000);

test('a slot whose workflow ended without freeing it (terminated by an operator) is found through Temporal and freed: the endpoint\'s next deliveries still start', async () => {
  const { dead, m, we } = await merchantWithDeadEndpoint();
  const events = await recordEvents(m.id, 3, 1, 'term');
  await waitFor(() => parkedOf(we), (p) => p.length === events.length - WINDOW, 60_000);
  await waitFor(async () => dead.held.length, (n) => n >= 1, 60_000);
  // An operator terminates the first delivery: its run never reaches the code that frees its slot.
  await sys.temporal.workflow.getHandle(deliveryWorkflowId(events[0], we)).terminate('operator');
  dead.hang = false;
  for (const r of dead.held) r.destroy();
  expect(await inFlightOf(we)).toEqual([deliveryWorkflowId(events[0], we)]);
  // The waker asks Temporal about slots it cannot start past (each at most once per WEBHOOK_SLOT_CHECK_MS) and frees this one.
  await waitFor(async () => dead.seen.length, (n) => n >= 2, 240_000);
  expect(dead.seen.map((s) => s.id)).toEqual(events.slice(1));
  expect(await waitFor(() => inFlightOf(we), (w) => w.length === 0, 60_000)).toEqual([]);
  expect(await parkedOf(we)).toEqual([]);
}, 400_000);
