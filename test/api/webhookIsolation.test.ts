import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { T } from '../../src/db/tables';
import { CheckoutAttentionKey } from '../../src/temporal/searchAttributes';
import { deliveryWorkflowId } from '../../src/webhooks/deliveryTypes';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';

// A dead endpoint: it accepts every connection and never answers, so each attempt holds a webhook slot
// until its timeout. Two slots, a long timeout: the webhook worker is saturated for the whole test.
let dead: http.Server;
let deadUrl: string;
const held = { now: 0, max: 0 };

beforeAll(async () => {
  dead = http.createServer((req) => {
    held.now++; held.max = Math.max(held.max, held.now);
    req.on('close', () => { held.now--; });
  });
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/hook`;
});
const sys = useTestSystem({
  env: { WEBHOOK_MAX_CONCURRENT_DELIVERIES: '2', WEBHOOK_TIMEOUT_MS: '120000' },
  // The endpoint goes away before the system stops: held attempts fail at once (a stop also cancels
  // attempts still held after the worker's grace time, so it never waits out the 120-s timeout).
  beforeStop: async () => {
    const closed = new Promise((r) => dead.close(r));
    dead.closeAllConnections();
    await closed;
  },
});

test('with deliveries to a dead endpoint filling the webhook worker, sessions are still credited and paid, never flagged', async () => {
  const shop = await createMerchant(sys.baseUrl);
  const partner = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, shop.id, partner.id);
  const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, shop.key, method, route, body);
  // Two endpoints (deliveries to one endpoint go one after another, in order): both slots send at once.
  for (const path of ['a', 'b']) expect((await api('POST', '/webhooks', { url: `${deadUrl}/${path}`, enabled_events: ['*'] })).status).toBe(200);

  const sessions: { id: string; payment_id: string }[] = [];
  for (let i = 0; i < 6; i++) {
    sessions.push((await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 3000 + i, transfers: [{ destination_account: partner.id, percentage: 10 }] })).body);
  }
  // The first deliveries now hold webhook slots on the dead endpoint.
  expect(await waitFor(async () => held.now, (n) => n >= 1)).toBeGreaterThanOrEqual(1);
  for (const cs of sessions) {
    expect((await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 3000 + sessions.indexOf(cs) })).status).toBe(200);
  }
  for (const cs of sessions) {
    await waitFor(() => api('GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (s) => s.status === 'paid', 60_000);
    const d = await sys.temporal.workflow.getHandle(cs.id).describe();
    expect([cs.id, d.typedSearchAttributes.get(CheckoutAttentionKey) ?? false]).toEqual([cs.id, false]);
  }
  // Every split transfer is posted meanwhile.
  const transfers = await waitFor(() => sys.db(T.transfers).whereIn('checkout_session_id', sessions.map((s) => s.id)),
    (rows) => rows.length === sessions.length && rows.every((t) => t.status === 'paid'), 60_000);
  expect(transfers).toHaveLength(sessions.length);

  // All the while the webhook side was full: never more than its two slots at the endpoint, and the
  // deliveries wait on the webhook task queue, not the money path's.
  expect(held.max).toBeGreaterThanOrEqual(1);
  expect(held.max).toBeLessThanOrEqual(2);
  const events = await sys.db(T.events).select('id').where({ account_id: shop.id });
  expect(events.length).toBeGreaterThan(2 * sessions.length);
  const endpoints = await sys.db(T.webhookEndpoints).where({ account_id: shop.id });
  for (const endpoint of endpoints) {
    let running = 0;
    for (const { id } of events) {
      // The outbox relay starts each delivery on its next pass, or parks it as a row while the endpoint's
      // in-flight window is full: wait for one or the other, then check where a started one runs.
      const workflowId = deliveryWorkflowId(id, endpoint.id);
      const found = await waitFor(async () => ({
        delivery: await sys.temporal.workflow.getHandle(workflowId).describe().catch(() => null),
        parked: (await sys.db(T.webhookParked).where({ workflow_id: workflowId }).first()) !== undefined,
      }), (f) => f.delivery !== null || f.parked, 60_000);
      if (found.delivery === null) {
        expect([id, found.parked]).toEqual([id, true]);
        continue;
      }
      running += 1;
      expect([id, found.delivery.taskQueue, found.delivery.status.name]).toEqual([id, sys.config.webhooks.taskQueue, 'RUNNING']);
    }
    // However many events wait for it, the dead endpoint holds at most its window of workflows.
    expect(running).toBeGreaterThanOrEqual(1);
    expect(running).toBeLessThanOrEqual(sys.config.webhooks.endpointWindow);
  }
}, 400_000);
