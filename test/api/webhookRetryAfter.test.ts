import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities/deps';
import { webhookActivities } from '../../activities/webhooks';
import { recordEvent } from '../../src/db/events';
import { call, createMerchant } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// The API alone (no relay, no delivery worker): the attempt is run here, as the webhook worker runs it.
let server: http.Server;
let url = '';
let answer: { status: number; headers: Record<string, string> } = { status: 503, headers: {} };
const sys = useTestSystem({
  env: { WEBHOOK_WORKER: 'separate' },
  parts: ['api'],
  beforeStop: async () => { await new Promise((r) => server?.close(r)); },
});
beforeAll(async () => {
  server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(answer.status, answer.headers).end('busy')); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

async function attempt(): Promise<unknown> {
  const m = await createMerchant(sys.baseUrl);
  const endpoint = (await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url, enabled_events: ['*'] })).body;
  const eventId = await recordEvent(sys.db, { dedupeKey: `retry-after-${Date.now()}-${Math.random()}`, accountId: m.id, livemode: false,
    type: 'payment_link.created', objectId: 'plink_ra', data: { object: { id: 'plink_ra' } }, created: Date.now() });
  const { deliverWebhook } = webhookActivities({ db: sys.db, log: sys.ctx.log, webhookAllowPrivateNetworks: true } as unknown as ActivityDeps);
  // Attempt 2: the first attempt's wait for the stream's previous event is not what is tested here.
  const env = new MockActivityEnvironment({ attempt: 2 });
  return env.run(deliverWebhook, { eventId, endpointId: endpoint.id, manual: false, timeoutMs: 5_000 }).then(() => null, (err: unknown) => err);
}

test('a 503 with Retry-After fails the attempt as a benign failure whose next retry waits what the receiver asked', async () => {
  answer = { status: 503, headers: { 'retry-after': '7' } };
  const err = await attempt();
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'WebhookDeliveryFailed', category: ApplicationFailureCategory.BENIGN, nextRetryDelay: 7_000 });
});

test('a non-2xx without Retry-After is benign too and leaves the retry schedule to the policy', async () => {
  answer = { status: 500, headers: {} };
  const err = await attempt();
  expect(err).toMatchObject({ type: 'WebhookDeliveryFailed', category: ApplicationFailureCategory.BENIGN });
  expect((err as ApplicationFailure).nextRetryDelay).toBeUndefined();
});
