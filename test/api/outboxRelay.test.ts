import { recordEvent, claimUndispatchedEventIds, markEventsDispatched } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { deliveryWorkflowId } from '../../src/webhooks/deliveryTypes';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// The API and checkout worker without the webhook part (no relay, no delivery worker): what it records
// leaves the outbox only through a relay.
const app = useTestSystem({ env: { WEBHOOK_WORKER: 'separate' }, parts: ['api', 'worker'] });
let receiver: WebhookReceiver;
beforeAll(async () => { receiver = await startReceiver(); });
afterAll(async () => { await receiver?.close(); });

class Rollback extends Error {}

test('two relays claiming at once take different events: a claimed event is skipped by the other until the claim ends', async () => {
  const m = await createMerchant(app.baseUrl);
  await call(app.baseUrl, m.key, 'POST', '/webhooks', { url: receiver.url, enabled_events: ['*'] });
  const tag = `claim-${Date.now()}`;
  // Dated an hour ahead: the relays of other systems on the shared test database (claiming up to now) leave them alone.
  const at = Date.now() + 3_600_000;
  const mine: string[] = [];
  for (let i = 0; i < 3; i++) {
    mine.push(await recordEvent(app.db, { dedupeKey: `${tag}-${i}`, accountId: m.id, livemode: false, type: 'payment_link.created',
      objectId: `plink_${i}`, data: { object: { id: `plink_${i}` } }, created: at }));
  }
  const claim = (tx: Parameters<typeof claimUndispatchedEventIds>[0]) => claimUndispatchedEventIds(tx, at, 10_000);
  try {
    await app.db.transaction(async (first) => {
      const claimed = await claim(first);
      expect(mine.filter((id) => !claimed.includes(id))).toEqual([]);
      const other = await app.db.transaction((second) => claim(second));
      expect(other.filter((id) => claimed.includes(id))).toEqual([]);
      throw new Rollback(); // the first relay crashed before its commit
    }).catch((err: unknown) => { if (!(err instanceof Rollback)) throw err; });
    const again = await app.db.transaction((tx) => claim(tx));
    expect(mine.filter((id) => !again.includes(id))).toEqual([]);
  } finally {
    await markEventsDispatched(app.db, mine, Date.now()); // not for the relays below
  }
});

describe('with two relays running (two systems, their polls off: run alone, only the insert\'s NOTIFY wakes them)', () => {
  const relay = { env: { WEBHOOK_RELAY_INTERVAL_MS: String(3_600_000) }, parts: ['webhooks' as const] };
  useTestSystem(relay);
  useTestSystem(relay);

  test('an event recorded by an API call (a payment link created) is delivered once, by a relay, not by the API', async () => {
    const own = await startReceiver();
    try {
      const m = await createMerchant(app.baseUrl);
      const endpoint = (await call(app.baseUrl, m.key, 'POST', '/webhooks', { url: own.url, enabled_events: ['payment_link.created'] })).body;
      own.secret = endpoint.secret;
      const link = (await call(app.baseUrl, m.key, 'POST', '/payment-links', { currency: 'SATS', amount: 1000, title: 'Sticker pack' })).body;
      expect(link.id).toMatch(/^plink_/);
      const event = await waitFor(() => app.db(T.events).where({ account_id: m.id, event_type: 'payment_link.created' }).first(), (e) => e?.dispatched_at != null);
      // Its one delivery workflow (one ID per event and endpoint, whichever relay started it) has finished.
      const handle = app.temporal.workflow.getHandle(deliveryWorkflowId(event.id, endpoint.id));
      await handle.result();
      expect(own.received.filter((r) => r.event.id === event.id).map((r) => r.verified)).toEqual([true]);
      expect(await app.db(T.webhookDeliveries).where({ event_id: event.id })).toHaveLength(1);
      // Started by a relay (these two, or another file's on the shared test database), never by the API
      // call itself, which would have started it on its own system's webhook task queue.
      expect((await handle.describe()).taskQueue).not.toBe(app.config.webhooks.taskQueue);
    } finally {
      await own.close();
    }
  });
});
