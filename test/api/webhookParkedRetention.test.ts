import { recordEvent } from '../../src/db/events';
import { T } from '../../src/db/tables';
import { DROPPED_ERROR, pruneParked } from '../../src/db/webhookCircuits';
import { insertDelivery } from '../../src/db/webhooks';
import { newId } from '../../src/domain/ids';
import { WEBHOOK_CIRCUIT_THRESHOLD } from '../../src/webhooks/deliveryTypes';
import { WorkflowNotFoundError } from '@temporalio/client';
import { deliveryWorkflowId } from '../../src/webhooks/deliveryTypes';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * A delivery parked while its endpoint's circuit stayed open past the delivery window is pruned, and
 * the merchant's delivery log (`GET /webhooks/{id}/deliveries`) says it was dropped undelivered and why,
 * once. The circuit is held open with its probe held elsewhere, so the waker leaves the rows alone and
 * nothing is sent; `pruneParked` is the waker's hourly prune, called at a time only these rows are past.
 * One parked without a workflow whose window closed before its circuit did is dropped and logged the
 * same way by the running waker, not started.
 */
const sys = useTestSystem();
const DAY = 86_400_000;

async function endpointWithOpenCircuit() {
  const m = await createMerchant(sys.baseUrl);
  const res = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] });
  expect(res.status).toBe(200);
  const far = Date.now() + 30 * DAY;
  await sys.db(T.webhookCircuits).insert({
    endpoint_id: res.body.id, failures: WEBHOOK_CIRCUIT_THRESHOLD, open_until: far, probe_by: 'webhook:elsewhere', probe_until: far, updated: Date.now(),
  });
  return { m, we: res.body.id as string };
}

/** Records an event of the account; the relay parks its delivery as a row (the circuit is open). */
async function parkedEvent(accountId: string, we: string, tag: string): Promise<string> {
  const objectId = `plink_${tag}_${Date.now()}`;
  const id = await recordEvent(sys.db, { dedupeKey: `retention-${objectId}`, accountId, livemode: false,
    type: 'payment_link.created', objectId, data: { object: { id: objectId } }, created: Date.now() });
  const rows = await waitFor(() => sys.db(T.webhookParked).where({ endpoint_id: we, event_id: id }).select('workflow_id'), (r) => r.length === 1, 60_000);
  expect(rows.length).toBe(1);
  return id;
}

const logOf = async (key: string, we: string) => (await call(sys.baseUrl, key, 'GET', `/webhooks/${we}/deliveries?limit=100`)).body.data as Array<Record<string, unknown>>;

test('a parked delivery pruned after its window shows in the delivery log as dropped undelivered, with the reason, once', async () => {
  const { m, we } = await endpointWithOpenCircuit();
  const stale = await parkedEvent(m.id, we, 'stale');
  const delivered = await parkedEvent(m.id, we, 'delivered');
  const fresh = await parkedEvent(m.id, we, 'fresh');
  // Two rows past the window (parked at time 1000); one of them was delivered by its workflow meanwhile.
  await sys.db(T.webhookParked).where({ endpoint_id: we }).whereIn('event_id', [stale, delivered]).update({ parked_at: 1000 });
  await insertDelivery(sys.db, {
    id: newId('whd'), endpoint_id: we, event_id: delivered, event_type: 'payment_link.created', attempt: 1, manual: false, ok: true,
    http_status: 200, error_kind: null, error: null, duration_ms: 5, response_snippet: 'ok', created: String(Date.now()),
  });
  expect(await logOf(m.key, we)).toHaveLength(1);

  expect(await pruneParked(sys.db, 2000)).toBe(2);
  expect(await pruneParked(sys.db, 2000)).toBe(0);

  const log = await logOf(m.key, we);
  expect(log.filter((d) => d.event === stale).map(({ id: _id, created: _created, ...rest }) => rest)).toEqual([{
    object: 'webhook_delivery', webhook: we, event: stale, event_type: 'payment_link.created', attempt: 0, manual: false,
    succeeded: false, status_code: null, error: DROPPED_ERROR, error_kind: 'dropped', duration_ms: 0, response_body: '',
  }]);
  expect(log.filter((d) => d.event === delivered).map((d) => d.succeeded)).toEqual([true]);
  expect(log.filter((d) => d.event === fresh)).toEqual([]);
  // The fresh one is still parked; the pruned ones are gone.
  expect((await sys.db(T.webhookParked).where({ endpoint_id: we }).select('event_id')).map((r) => r.event_id)).toEqual([fresh]);
});

test('a delivery parked without a workflow whose window closed before the circuit did is dropped and logged by the waker, not started', async () => {
  const { m, we } = await endpointWithOpenCircuit();
  const late = await parkedEvent(m.id, we, 'late');
  // Its window is long past; then the endpoint recovers and the running waker looks at its parked rows.
  await sys.db(T.webhookParked).where({ endpoint_id: we, event_id: late }).update({ parked_at: 1000 });
  await sys.db(T.webhookCircuits).where({ endpoint_id: we }).delete();

  const log = await waitFor(() => logOf(m.key, we), (l) => l.length > 0, 60_000);
  expect(log.map((d) => [d.event, d.succeeded, d.error_kind, d.error])).toEqual([[late, false, 'dropped', DROPPED_ERROR]]);
  expect(await sys.db(T.webhookParked).where({ endpoint_id: we }).select('event_id')).toEqual([]);
  const started = await sys.temporal.workflow.getHandle(deliveryWorkflowId(late, we)).describe().then(() => true, (err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  });
  expect(started).toBe(false);
});
