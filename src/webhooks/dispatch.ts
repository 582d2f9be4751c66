/**
 * Turns committed events into delivery workflows, one per (event, endpoint) pair. Only the outbox relay
 * (src/webhooks/sweeper.ts) calls it, with the events it claimed, so a webhook never describes
 * uncommitted state and no money activity or API call waits on a delivery's start. Events carry
 * deterministic IDs and the workflow ID is `webhook:{evt}:{we}`: a relay step repeated after a crash
 * dispatches the same pairs again, and Temporal refuses the duplicate starts.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DbOrTx } from '../db/knex';
import { markEventsDispatched } from '../db/events';
import { enabledEndpoints, undispatchedEventsInOrder, type WebhookEndpointRow } from '../db/webhooks';
import { circuitOpen, parkDeliveries, type ParkedRow } from '../db/webhookCircuits';
import { deliveryWorkflowId, WEBHOOK_CIRCUIT_THRESHOLD, WEBHOOK_DELIVERY_WORKFLOW_TYPE, type WebhookDeliveryInput } from './deliveryTypes';
import { isSubscribed } from '../domain/eventTypes';
import type { EventDispatch } from './sweeper';

/** Delivery starts in flight at once while the relay drains a batch. */
const START_CONCURRENCY = 16;

/** What the dispatcher needs: the database, a Temporal client and where deliveries run. */
export interface DispatcherDeps {
  db: DbOrTx;
  temporal: Client;
  taskQueue: string;
  /** Per-attempt timeout of the deliveries it schedules (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  log: Logger;
}

/**
 * Starts the delivery workflow `workflowId` unless a workflow with that ID exists or existed (REJECT_DUPLICATE:
 * a finished delivery is not run again either). Returns whether this call started it.
 */
export async function startWebhookDelivery(
  temporal: Client, taskQueue: string, input: WebhookDeliveryInput, workflowId: string,
): Promise<boolean> {
  try {
    await temporal.workflow.start(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
      workflowId, taskQueue, args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Webhook ${input.eventId} → ${input.endpointId}${input.manual ? ' (manual)' : ''}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Returns the relay's dispatch: for the given events not yet dispatched, in `seq` order, starts
 * one delivery per enabled endpoint of the event's account and mode that subscribes to its type and
 * existed when it happened (or, while the endpoint's circuit is open, parks it as a row that the
 * waker starts later: src/webhooks/circuitWaker.ts), then marks them dispatched (on `db`: the relay's claiming transaction). A
 * start failure throws: the claim rolls back and the relay's next step dispatches them again. An account without endpoints costs one query (its events are stored
 * as dispatched).
 */
export function createWebhookDispatcher(deps: DispatcherDeps): EventDispatch {
  return async (eventIds, db = deps.db) => {
    const events = await undispatchedEventsInOrder(db, eventIds);
    if (events.length === 0) return;
    const endpointsOf = new Map<string, Promise<WebhookEndpointRow[]>>();
    const openCircuit = new Map<string, Promise<boolean>>();
    const inputs: WebhookDeliveryInput[] = [];
    const parked: ParkedRow[] = [];
    const now = Date.now();
    for (const event of events) {
      const scopeKey = `${event.account_id}:${event.livemode}`;
      if (!endpointsOf.has(scopeKey)) endpointsOf.set(scopeKey, enabledEndpoints(db, event.account_id, event.livemode));
      for (const endpoint of await endpointsOf.get(scopeKey)!) {
        if (Number(endpoint.created) > Number(event.created) || !isSubscribed(endpoint.enabled_events, event.event_type)) continue;
        if (!openCircuit.has(endpoint.id)) openCircuit.set(endpoint.id, circuitOpen(db, endpoint.id, WEBHOOK_CIRCUIT_THRESHOLD));
        // An endpoint that is failing gets no new workflow: the delivery waits as a row, started by the
        // waker when the circuit closes (src/webhooks/circuitWaker.ts). A backlog costs Temporal nothing.
        if (await openCircuit.get(endpoint.id)) {
          parked.push({ workflow_id: deliveryWorkflowId(event.id, endpoint.id), endpoint_id: endpoint.id, event_id: event.id, seq: event.seq, parked_at: now });
          continue;
        }
        inputs.push({ eventId: event.id, endpointId: endpoint.id, manual: false, timeoutMs: deps.timeoutMs });
      }
    }
    await parkDeliveries(db, parked);
    // Starts overlap (each is a round trip to Temporal): a backlog drains at the server's pace, not one
    // call at a time. Order between them does not matter: a delivery waits for its stream's previous
    // event by the events' own order (src/webhooks/ordering.ts), not by when it was started.
    let next = 0;
    const lane = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const started = await startWebhookDelivery(deps.temporal, deps.taskQueue, input, deliveryWorkflowId(input.eventId, input.endpointId));
        deps.log.debug({ eventId: input.eventId, endpointId: input.endpointId, started }, 'webhook delivery dispatched');
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, inputs.length) }, lane));
    await markEventsDispatched(db, events.map((e) => e.id), Date.now());
  };
}
