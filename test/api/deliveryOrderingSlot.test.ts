import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities/deps';
import { webhookActivities } from '../../activities/webhooks';
import { recordEvent } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { ORDERING_WAIT_MAX_MS } from '../../src/webhooks/ordering';
import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * The ordering wait holds a delivery slot. When the predecessor it waits for is itself queued behind
 * the waiting deliveries (every slot taken by successors), nothing could log its attempt: the wait must
 * end at ORDERING_WAIT_MAX_MS, not after the attempt timeout (two minutes here), or the webhook worker
 * sends nothing for that long. The API alone runs; the attempt is run here, as the webhook worker runs it.
 */
let server: http.Server;
let url = '';
const received: string[] = [];
const sys = useTestSystem({
  env: { WEBHOOK_WORKER: 'separate' },
  parts: ['api'],
  beforeStop: async () => { await new Promise((r) => server?.close(r)); },
});
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { received.push(String(req.headers['webhook-id'])); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

test('a first attempt whose predecessor never runs sends after the ordering bound, not after the attempt timeout', async () => {
  const m = await createMerchant(sys.baseUrl);
  const endpoint = (await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url, enabled_events: ['*'] })).body;
  const record = (type: string, n: number) => recordEvent(sys.db, {
    dedupeKey: `ordering-slot-${n}-${Date.now()}`, accountId: m.id, livemode: false, type, objectId: 'cs_ordering_slot',
    data: { object: { id: 'cs_ordering_slot' } }, created: Date.now(),
  });
  const predecessor = await record('checkout_session.created', 1);
  const successor = await record('checkout_session.paid', 2);
  const { deliverWebhook } = webhookActivities({ db: sys.db, log: sys.ctx.log, webhookAllowPrivateNetworks: true } as unknown as ActivityDeps);

  const began = Date.now();
  const outcome = await new MockActivityEnvironment({ attempt: 1 })
    .run(deliverWebhook, { eventId: successor, endpointId: endpoint.id, manual: false, timeoutMs: 120_000 });
  const waited = Date.now() - began;

  expect(outcome).toMatchObject({ outcome: 'delivered', status: 200 });
  // It did wait for the predecessor (whose attempt never came), and only up to the bound.
  expect(waited).toBeGreaterThanOrEqual(ORDERING_WAIT_MAX_MS - 50);
  expect(waited).toBeLessThan(60_000);
  expect(received).toEqual([successor]);
  expect(await sys.db(T.webhookDeliveries).where({ event_id: predecessor }).count({ n: '*' })).toEqual([{ n: '0' }]);
}, 90_000);
