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
}

/** Why a delivery ended without sending. */
export type WebhookSkipReason =
  | 'endpoint_deleted' | 'endpoint_disabled' | 'event_not_found' | 'not_subscribed' | 'already_delivered';

/** How a delivery ended: sent and answered 2xx, or deliberately not sent. */
export type WebhookDeliveryResult =
  | { outcome: 'delivered'; attempt: number; status: number }
  | { outcome: 'skipped'; reason: WebhookSkipReason };

/**
 * Workflow ID of a delivery: `webhook:{evt}:{we}`. One per pair, so dispatching the same event twice
 * (an activity retried after a crash) starts nothing new; manual redeliveries add their own suffix.
 */
export function deliveryWorkflowId(eventId: string, endpointId: string, manualSuffix?: string): string {
  return `webhook:${eventId}:${endpointId}${manualSuffix ? `:manual:${manualSuffix}` : ''}`;
}

/** The activity's start-to-close limit: one ordering wait plus one send, each at most `timeoutMs`, plus slack. */
export function attemptBudgetMs(timeoutMs: number): number {
  return 2 * timeoutMs + 30_000;
}
