import { ApplicationFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { findEvent, type EventRow } from '../src/db/events';
import { findEndpoint, hasDelivery, insertDelivery, type WebhookEndpointRow } from '../src/db/webhooks';
import { admitAttempt, parkDeliveries, recordEndpointFailure, recordEndpointSuccess } from '../src/db/webhookCircuits';
import { releaseSlot } from '../src/db/webhookWindow';
import { newId } from '../src/domain/ids';
import {
  buildEventEnvelope, sendWebhook, serializeEvent, signingSecrets, signWebhook, type WebhookAttemptResult,
} from '../src/webhooks';
import {
  attemptBudgetMs, WEBHOOK_CIRCUIT_THRESHOLD,
  type WebhookAttemptOutcome, type WebhookDeliveryInput, type WebhookDeliveryResult, type WebhookSkipReason,
} from '../src/webhooks/deliveryTypes';
import { retryIntervalAfter } from '../src/webhooks/retrySchedule';
import { isSubscribed } from '../src/domain/eventTypes';
import { awaitPredecessor, orderingWaitMs } from '../src/webhooks/ordering';
import type { ActivityDeps } from './deps';
import { activityLog } from './log';

// PostgreSQL text refuses NUL: a receiver's binary answer must not fail the log insert after a
// successful send, or the retry would send the event again and again.
const storable = (text: string): string => text.replaceAll('\u0000', '');

/** The activity that sends one event to one webhook endpoint (SPEC §8). */
export function webhookActivities(deps: ActivityDeps) {
  const { db } = deps;
  // The process's logger outside an activity; inside one, the activity's (its workflow and attempt).
  const fallback = deps.log.child({ component: 'webhooks' });

  /**
   * One delivery attempt: re-reads endpoint and event (the merchant may have deleted, disabled or
   * unsubscribed since dispatch), signs the stored event with its ID as `webhook-id`, sends it, logs
   * the attempt, and throws a retryable failure unless the receiver answered 2xx. Every answer updates
   * the endpoint's circuit (src/db/webhookCircuits.ts); while it is open, an automatic attempt of a
   * workflow that can park (`input.park`) sends only if it holds the probe, and otherwise answers
   * `parked` without sending, recorded for the waker (src/webhooks/circuitWaker.ts).
   */
  async function deliverWebhook(input: WebhookDeliveryInput): Promise<WebhookAttemptOutcome> {
    const { attempt, workflowExecution } = Context.current().info;
    // The probe and the parked row are held by the delivery's workflow (each pair has one).
    const workflowId = workflowExecution?.workflowId ?? `webhook:${input.eventId}:${input.endpointId}`;
    const leaseMs = attemptBudgetMs(input.timeoutMs);
    const log = activityLog(fallback);
    const endpoint = await findEndpoint(db, input.endpointId);
    const skip = (reason: WebhookSkipReason): WebhookDeliveryResult => {
      log.info({ eventId: input.eventId, endpointId: input.endpointId, reason }, 'webhook delivery skipped');
      return { outcome: 'skipped', reason };
    };
    if (!endpoint || endpoint.deleted) return skip('endpoint_deleted');
    if (endpoint.status !== 'enabled') return skip('endpoint_disabled');
    // Scoped to the endpoint's account and mode: an endpoint never receives another account's events.
    const event = await findEvent(db, input.eventId, { accountId: endpoint.account_id, livemode: endpoint.livemode });
    if (!event) return skip('event_not_found');
    if (!input.manual) {
      if (!isSubscribed(endpoint.enabled_events, event.event_type)) return skip('not_subscribed');
      // Check before act: a pair delivered once (even by a run whose ID Temporal has forgotten) is not resent.
      if (await hasDelivery(db, endpoint.id, event.id, true)) return skip('already_delivered');
      if (input.park) {
        const admission = await admitAttempt(db, endpoint.id, workflowId, WEBHOOK_CIRCUIT_THRESHOLD, Date.now(), leaseMs);
        if (!admission.admitted) {
          // Checked before the ordering wait: a parked delivery holds no slot, and its successors park too.
          await parkDeliveries(db, [{ workflow_id: workflowId, endpoint_id: endpoint.id, event_id: event.id, seq: event.seq, parked_at: Date.now() }]);
          return { outcome: 'parked', openUntil: admission.openUntil };
        }
      }
      if (attempt === 1) await awaitPredecessor(db, endpoint, event, orderingWaitMs(input.timeoutMs), { log: fallback, signal: Context.current().cancellationSignal });
    }
    const result = await send(endpoint, event, input.timeoutMs);
    await insertDelivery(db, {
      id: newId('whd'), endpoint_id: endpoint.id, event_id: event.id, event_type: event.event_type, attempt,
      manual: input.manual, ok: result.ok, http_status: result.status, error_kind: result.errorKind,
      error: result.error === null ? null : storable(result.error), duration_ms: result.durationMs,
      // A private destination's answer is never kept: the delivery log would read the operator's network back.
      response_snippet: result.publicDestination ? storable(result.responseSnippet) : '', created: String(Date.now()),
    });
    const context = { eventId: event.id, endpointId: endpoint.id, attempt, status: result.status, durationMs: result.durationMs };
    if (!result.ok) {
      const failures = await recordEndpointFailure(db, {
        endpointId: endpoint.id, workflowId, threshold: WEBHOOK_CIRCUIT_THRESHOLD, now: Date.now(), retryAfterMs: result.retryAfterMs,
        nextAttemptMs: result.retryAfterMs ?? retryIntervalAfter(attempt), leaseMs,
      });
      if (failures === WEBHOOK_CIRCUIT_THRESHOLD) log.warn({ endpointId: endpoint.id }, 'webhook endpoint circuit opened: one delivery probes it, the others park');
      log.warn({ ...context, error: result.error, retryAfterMs: result.retryAfterMs }, 'webhook attempt failed; Temporal retries it');
      // A receiver's refusal is expected business, not a fault of ours: BENIGN keeps it out of the SDK's
      // error logs and failure metrics. Its Retry-After (429/503) sets the next attempt's delay.
      throw ApplicationFailure.create({
        message: `Webhook ${endpoint.id} did not accept ${event.id}: ${result.error}`, type: 'WebhookDeliveryFailed',
        category: ApplicationFailureCategory.BENIGN, nextRetryDelay: result.retryAfterMs ?? undefined,
      });
    }
    if (await recordEndpointSuccess(db, endpoint.id, WEBHOOK_CIRCUIT_THRESHOLD)) {
      log.info({ endpointId: endpoint.id }, 'webhook endpoint circuit closed: parked deliveries are woken');
    }
    log.info(context, 'webhook delivered');
    return { outcome: 'delivered', attempt, status: result.status! };
  }

  async function send(endpoint: WebhookEndpointRow, event: EventRow, timeoutMs: number): Promise<WebhookAttemptResult> {
    const envelope = buildEventEnvelope({
      id: event.id, eventType: event.event_type, object: (event.data as { object: Record<string, unknown> }).object,
      livemode: event.livemode, created: Number(event.created),
    });
    // The exact string that is signed is the one that is sent; every attempt signs with its own timestamp.
    const body = serializeEvent(envelope);
    // During a rotation's overlap both the new and the rolled-out secret sign (one signature each).
    const now = new Date();
    const headers = signWebhook({ secret: signingSecrets(endpoint, now.getTime()), msgId: event.id, timestamp: now, body });
    // A worker shutting down cancels its activities after its grace time: the attempt ends then, not at its timeout.
    return sendWebhook({
      url: endpoint.url, headers, body, timeoutMs, allowPrivateNetworks: deps.webhookAllowPrivateNetworks ?? false,
      signal: Context.current().cancellationSignal,
    });
  }

  /**
   * The delivery workflow ended (patch `webhook-delivery-window`): frees its slot of the endpoint's
   * in-flight window and tells the waker, which starts the endpoint's next parked delivery. Idempotent.
   */
  async function releaseWebhookSlot(input: { endpointId: string }): Promise<void> {
    const { workflowExecution } = Context.current().info;
    if (workflowExecution) await releaseSlot(db, input.endpointId, workflowExecution.workflowId);
  }

  return { deliverWebhook, releaseWebhookSlot };
}
