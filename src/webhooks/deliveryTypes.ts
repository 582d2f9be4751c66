/**
 * What the delivery workflow, its activity, the dispatcher and the API share. Plain types and pure
 * functions only: the workflow bundle imports this file.
 */

/** Workflow type of one (event, endpoint) delivery. */
export const WEBHOOK_DELIVERY_WORKFLOW_TYPE = 'webhookDelivery';

/** Input of the delivery workflow and its `deliverWebhook` activity. */
export interface WebhookDeliveryInput {
  eventId: string;
  endpointId: string;
  /** A merchant asked for this delivery: sent even if already delivered or no longer subscribed. */
  manual: boolean;
  /** Per-attempt time limit, fixed when the delivery is scheduled (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * Set by delivery workflows that can wait out an open circuit (patch `webhook-endpoint-circuit`): the
   * attempt may then answer `parked` instead of sending. Runs of older code never get that answer.
   */
  park?: boolean;
  /**
   * End of the delivery window (ms) when the delivery was started after its event was dispatched (a
   * delivery kept as a parked row while its endpoint's circuit was open): the window stays 5 days from
   * dispatch, not from the late start. Absent: 5 days from the run's start.
   */
  notAfter?: number;
}

/** Why a delivery ended without sending. */
export type WebhookSkipReason =
  | 'endpoint_deleted' | 'endpoint_disabled' | 'event_not_found' | 'not_subscribed' | 'already_delivered';

/** How a delivery ended: sent and answered 2xx, or deliberately not sent. */
export type WebhookDeliveryResult =
  | { outcome: 'delivered'; attempt: number; status: number }
  | { outcome: 'skipped'; reason: WebhookSkipReason };

/** An attempt's answer to a parking workflow: the endpoint's circuit is open and another delivery probes it. */
export type WebhookAttemptOutcome = WebhookDeliveryResult | { outcome: 'parked'; openUntil: number | null };

/** Consecutive failed attempts that open an endpoint's circuit (a `Retry-After` opens it at once). */
export const WEBHOOK_CIRCUIT_THRESHOLD = 5;

/**
 * Longest a parked delivery sleeps before it looks at its endpoint again by itself. The waker signals
 * it as soon as the circuit closes; this timer is only the fallback if that signal never comes, so it
 * is long: 10,000 parked deliveries wake about 3 times a second on it.
 */
export const WEBHOOK_PARK_MS = 3_600_000;

/** Signal that wakes a parked delivery: its endpoint's circuit closed (or the endpoint went away). */
export const WEBHOOK_WAKE_SIGNAL = 'endpointRecovered';

/** The patch of the delivery workflow that parks while its endpoint's circuit is open (docs/workflow-versioning.md). */
export const WEBHOOK_CIRCUIT_PATCH = 'webhook-endpoint-circuit';

/**
 * The patch of the delivery workflow that frees its slot of the endpoint's in-flight window when it
 * ends (src/db/webhookWindow.ts, docs/workflow-versioning.md).
 */
export const WEBHOOK_WINDOW_PATCH = 'webhook-delivery-window';

/**
 * Workflow ID of a delivery: `webhook:{evt}:{we}`. One per pair, so dispatching the same event twice
 * (an activity retried after a crash) starts nothing new; manual redeliveries add their own suffix.
 */
export function deliveryWorkflowId(eventId: string, endpointId: string, manualSuffix?: string): string {
  return `webhook:${eventId}:${endpointId}${manualSuffix ? `:manual:${manualSuffix}` : ''}`;
}

/**
 * The activity's start-to-close limit: one ordering wait plus one send, each at most `timeoutMs`, plus slack.
 * (The ordering wait is also at most `ORDERING_WAIT_MAX_MS`, src/webhooks/ordering.ts; the limit keeps its
 * older, larger allowance, which the circuit's probe lease uses too.)
 */
export function attemptBudgetMs(timeoutMs: number): number {
  return 2 * timeoutMs + 30_000;
}
