/**
 * The delivery workflow's patched path (`webhook-endpoint-circuit`, docs/webhooks.md "A failing
 * endpoint") recorded as replay fixtures: an endpoint answers 503 with `Retry-After`, so its circuit
 * opens at its first failure; one delivery holds the probe and keeps failing, another parks (its
 * activity answers `parked`, the workflow waits), and an event recorded while the circuit is open is
 * parked as a row with no workflow at all. Then the endpoint recovers: the probe's next attempt is
 * delivered, the circuit closes, and the waker signals the parked workflow and signal-with-starts the
 * parked row, both delivered. Fixtures: `.1` the probe (failed, then delivered), `.2` the parked
 * workflow woken by the signal, `.3` the delivery started by the signal.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordEvent } from '../src/db/events';
import { T } from '../src/db/tables';
import { deliveryWorkflowId } from '../src/webhooks/deliveryTypes';
import { call, createMerchant, waitFor, type TestSystem } from '../test/support/testSystem';
import type { Scenario } from './historyScenarios';

/** An endpoint whose answer the scenario sets; it records the event ID and answer of every request. */
async function endpoint() {
  const e = { url: '', status: 503, seen: [] as { id: string; status: number }[], server: http.createServer() };
  e.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const status = e.status;
      e.seen.push({ id: String(req.headers['webhook-id']), status });
      res.writeHead(status, status < 300 ? {} : { 'retry-after': '1' }).end(status < 300 ? 'ok' : 'busy');
    });
  });
  await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', r));
  e.url = `http://127.0.0.1:${(e.server.address() as AddressInfo).port}/hook`;
  return e;
}

async function recordOne(sys: TestSystem, accountId: string, tag: string): Promise<string> {
  const objectId = `plink_${tag}_${Date.now()}`;
  return recordEvent(sys.db, { dedupeKey: `circuit-${objectId}`, accountId, livemode: false,
    type: 'payment_link.created', objectId, data: { object: { id: objectId } }, created: Date.now() });
}

async function exists(sys: TestSystem, workflowId: string): Promise<boolean> {
  return sys.temporal.workflow.getHandle(workflowId).describe().then(() => true, (err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  });
}

export const webhookCircuitScenario: Scenario = {
  name: 'webhook-circuit',
  description: 'An endpoint\'s circuit opens (503 with Retry-After): the probe fails then is delivered; a parked delivery and one parked as a row are woken by the waker\'s signal and delivered',
  system: 'default',
  async run(sys) {
    const hook = await endpoint();
    try {
      const m = await createMerchant(sys.baseUrl);
      const res = await call(sys.baseUrl, m.key, 'POST', '/webhooks', { url: hook.url, enabled_events: ['*'] });
      if (res.status !== 200) throw new Error(`endpoint failed: ${JSON.stringify(res.body)}`);
      const we = res.body.id as string;
      const parkedRows = () => sys.db(T.webhookParked).where({ endpoint_id: we }).select('workflow_id', 'event_id');

      // Two events at once: both get a workflow; the first failure opens the circuit, the probe's holder
      // keeps attempting, the other one's attempt answers `parked`.
      const first = [await recordOne(sys, m.id, 'a'), await recordOne(sys, m.id, 'b')];
      const rows = await waitFor(parkedRows, (r) => r.length === 1, 60_000);
      if (rows.length !== 1) throw new Error(`expected one parked delivery, got ${rows.length}`);
      const parked = rows[0].workflow_id as string;
      const prober = deliveryWorkflowId(first.find((id) => id !== rows[0].event_id)!, we);
      const circuit = await sys.db(T.webhookCircuits).where({ endpoint_id: we }).first('probe_by');
      if (circuit?.probe_by !== prober) throw new Error(`the probe is held by ${circuit?.probe_by}, not ${prober}`);
      const proberEvent = first.find((id) => deliveryWorkflowId(id, we) === prober)!;
      await waitFor(async () => hook.seen.filter((s) => s.id === proberEvent).length, (n) => n >= 2, 60_000);

      // An event while the circuit is open: the relay parks it as a row and starts no workflow.
      const late = await recordOne(sys, m.id, 'c');
      const lateWorkflow = deliveryWorkflowId(late, we);
      await waitFor(parkedRows, (r) => r.some((x) => x.event_id === late), 60_000);
      if (await exists(sys, lateWorkflow)) throw new Error('the relay started a workflow for a delivery to an open circuit');

      // Recovery: the probe is delivered, the circuit closes, the waker wakes both parked deliveries.
      hook.status = 200;
      const ids = [prober, parked, lateWorkflow];
      for (const id of ids) {
        const run = await waitFor(async () => (await exists(sys, id)) ? (await sys.temporal.workflow.getHandle(id).describe()).status.name : 'NONE',
          (s) => s === 'COMPLETED', 120_000);
        if (run !== 'COMPLETED') throw new Error(`${id} ended ${run}`);
      }
      const delivered = await sys.db(T.webhookDeliveries).where({ endpoint_id: we, ok: true }).select('event_id');
      if (delivered.length !== 3) throw new Error(`expected 3 deliveries, got ${JSON.stringify(delivered)}`);
      return ids;
    } finally {
      hook.server.closeAllConnections();
      await new Promise((r) => hook.server.close(r));
    }
  },
};
