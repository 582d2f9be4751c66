/**
 * Turns committed events into delivery workflows, one per (event, endpoint) pair. Only the outbox relay
 * (src/webhooks/sweeper.ts) calls it, with the events it claimed, so a webhook never describes
 * uncommitted state and no money activity or API call waits on a delivery's start. Events carry
 * deterministic IDs and the workflow ID is `webhook:{evt}:{we}`: a relay step repeated after a crash
 * dispatches the same pairs again, and Temporal refuses the duplicate starts.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DbOrTx } from '../db/knex';
import { markEventsDispatched, type EventRow } from '../db/events';
import { enabledEndpoints, undispatchedEventsInOrder, type WebhookEndpointRow } from '../db/webhooks';
import { circuitOpen, parkDeliveries, type ParkedRow } from '../db/webhookCircuits';
import { claimSlots, knownDeliveries, lockEndpointWindows, windowStates, type InflightRow } from '../db/webhookWindow';
import { T } from '../db/tables';
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
  /** Delivery workflows in flight per endpoint at most (WEBHOOK_ENDPOINT_WINDOW). */
  window?: number;
}

/** WEBHOOK_ENDPOINT_WINDOW's default: see docs/webhooks.md "In flight per endpoint" for sizing it. */
export const DEFAULT_ENDPOINT_WINDOW = 10;

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

/** Whether the workflow `workflowId` is running (false: it ended, or is unknown to Temporal). */
export async function stillRunning(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Returns the relay's dispatch: for the given events not yet dispatched, in `seq` order, starts
 * one delivery per enabled endpoint of the event's account and mode that subscribes to its type and
 * existed when it happened, then marks them dispatched (on `db`: the relay's claiming transaction). A
 * delivery is parked as a row instead (started later, in event order, by the waker:
 * src/webhooks/circuitWaker.ts) while its endpoint's circuit is open, while `window` deliveries to the
 * endpoint are in flight, or while earlier deliveries of the endpoint are parked (a new event never
 * overtakes them). The in-flight rows are taken under each endpoint's window lock in this transaction
 * (src/db/webhookWindow.ts). A start failure throws: the claim rolls back and the relay's next step
 * dispatches them again. An account without endpoints costs one query (its events are stored as dispatched).
 */
export function createWebhookDispatcher(deps: DispatcherDeps): EventDispatch {
  const window = deps.window ?? DEFAULT_ENDPOINT_WINDOW;
  return async (eventIds, db = deps.db) => {
    const events = await undispatchedEventsInOrder(db, eventIds);
    if (events.length === 0) return;
    const endpointsOf = new Map<string, Promise<WebhookEndpointRow[]>>();
    // Every (event, endpoint) pair to deliver, in event order.
    const pairs: Array<{ event: EventRow; endpointId: string }> = [];
    for (const event of events) {
      const scopeKey = `${event.account_id}:${event.livemode}`;
      if (!endpointsOf.has(scopeKey)) endpointsOf.set(scopeKey, enabledEndpoints(db, event.account_id, event.livemode));
      for (const endpoint of await endpointsOf.get(scopeKey)!) {
        if (Number(endpoint.created) > Number(event.created) || !isSubscribed(endpoint.enabled_events, event.event_type)) continue;
        pairs.push({ event, endpointId: endpoint.id });
      }
    }
    const endpointIds = [...new Set(pairs.map((p) => p.endpointId))];
    await lockEndpointWindows(db, endpointIds);
    const [states, known, open] = await Promise.all([
      windowStates(db, endpointIds),
      knownDeliveries(db, pairs.map((p) => deliveryWorkflowId(p.event.id, p.endpointId))),
      Promise.all(endpointIds.map(async (id) => [id, await circuitOpen(db, id, WEBHOOK_CIRCUIT_THRESHOLD)] as const)).then((e) => new Map(e)),
    ]);
    const inputs: WebhookDeliveryInput[] = [];
    const slots: InflightRow[] = [];
    const parked: ParkedRow[] = [];
    const now = Date.now();
    for (const { event, endpointId } of pairs) {
      const workflowId = deliveryWorkflowId(event.id, endpointId);
      // A step repeated after a rollback: a parked pair stays the waker's; one holding a slot is started (again).
      if (known.parked.has(workflowId)) continue;
      const input: WebhookDeliveryInput = { eventId: event.id, endpointId, manual: false, timeoutMs: deps.timeoutMs };
      if (known.inFlight.has(workflowId)) { inputs.push(input); continue; }
      const state = states.get(endpointId) ?? { inFlight: 0, parked: false };
      // A failing endpoint gets no new workflow, nor does one with its window full or deliveries already
      // waiting: the delivery waits as a row. A backlog costs Temporal at most `window` workflows per endpoint.
      if (open.get(endpointId) || state.parked || state.inFlight >= window) {
        parked.push({ workflow_id: workflowId, endpoint_id: endpointId, event_id: event.id, seq: event.seq, parked_at: now });
        state.parked = true;
        states.set(endpointId, state);
        continue;
      }
      state.inFlight += 1;
      states.set(endpointId, state);
      slots.push({ workflow_id: workflowId, endpoint_id: endpointId, seq: event.seq, started: now });
      inputs.push(input);
    }
    await parkDeliveries(db, parked);
    // The slots are committed with the claim, so a committed slot always has its workflow.
    await claimSlots(db, slots);
    // Starts overlap (each is a round trip to Temporal): a backlog drains at the server's pace, not one
    // call at a time. Order between them does not matter: a delivery waits for its stream's previous
    // event by the events' own order (src/webhooks/ordering.ts), not by when it was started.
    let next = 0;
    const ended: string[] = [];
    const lane = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const workflowId = deliveryWorkflowId(input.eventId, input.endpointId);
        const started = await startWebhookDelivery(deps.temporal, deps.taskQueue, input, workflowId);
        // Started before (a step repeated after a rollback): if that run has ended, its slot is not held.
        if (!started && !(await stillRunning(deps.temporal, workflowId))) ended.push(workflowId);
        deps.log.debug({ eventId: input.eventId, endpointId: input.endpointId, started }, 'webhook delivery dispatched');
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, inputs.length) }, lane));
    if (ended.length > 0) await db(T.webhookInflight).whereIn('workflow_id', ended).delete();
    await markEventsDispatched(db, events.map((e) => e.id), Date.now());
  };
}
