import {
  ApplicationFailure, CancellationScope, condition, defineSignal, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { createActivities } from '../activities';
import {
  attemptBudgetMs, WEBHOOK_CIRCUIT_PATCH, WEBHOOK_PARK_MS, WEBHOOK_WAKE_SIGNAL, WEBHOOK_WINDOW_PATCH,
  type WebhookAttemptOutcome, type WebhookDeliveryInput, type WebhookDeliveryResult,
} from '../src/webhooks/deliveryTypes';
// Not the barrel: it pulls in node:http and node:dns, which the workflow sandbox refuses.
import { WEBHOOK_DELIVERY_WINDOW, WEBHOOK_RETRY_POLICY } from '../src/webhooks/retrySchedule';

type Activities = ReturnType<typeof createActivities>;

/** The waker's signal: the endpoint's circuit closed (or the endpoint went away); look again now. */
export const endpointRecovered = defineSignal(WEBHOOK_WAKE_SIGNAL);

/**
 * Delivers one event to one endpoint (workflow ID `webhook:{evt}:{we}`): an activity that Temporal
 * retries with backoff (first retries after seconds, later ones hours apart) until a 2xx, a deliberate
 * skip, or the end of the 5-day window. Each pair retries alone, so one failing endpoint or event never
 * holds back the others.
 *
 * Since patch `webhook-endpoint-circuit`: while the endpoint's circuit is open (it keeps failing, or
 * asked to be left alone with `Retry-After`) and another delivery holds its probe, the attempt answers
 * `parked` without sending, and the workflow waits on a durable timer (at most WEBHOOK_PARK_MS, never
 * past the window) or until the waker signals that the circuit closed, then attempts again. Parked, it
 * costs Temporal nothing but that timer; the window stays 5 days from the start of the run.
 */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  setCurrentDetails(`Delivering ${input.eventId} to ${input.endpointId}${input.manual ? ' (manual)' : ''}`);
  // Rollout and retirement of these patches: docs/workflow-versioning.md, "The delivery workflow".
  const parking = patched(WEBHOOK_CIRCUIT_PATCH);
  const windowed = parking && patched(WEBHOOK_WINDOW_PATCH);
  try {
    const result = parking ? await deliverParking(input) : await deliverOnce(input);
    setCurrentDetails(result.outcome === 'delivered'
      ? `Delivered ${input.eventId} to ${input.endpointId} (attempt ${result.attempt}, HTTP ${result.status})`
      : `Skipped ${input.eventId} for ${input.endpointId}: ${result.reason}`);
    return result;
  } finally {
    // Since patch `webhook-delivery-window`: however the run ends (delivered, skipped, window closed,
    // cancelled), it frees its slot of the endpoint's in-flight window, so the next parked delivery starts.
    // A manual redelivery holds none (the delete finds nothing).
    if (windowed) await CancellationScope.nonCancellable(() => releaseSlot({ endpointId: input.endpointId }));
  }
}

/** Local: not an attempt, so not counted against the webhook queue's rate limit, and it never sends. */
const { releaseWebhookSlot: releaseSlot } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Before the patch: one activity, retried by Temporal for the whole window. */
async function deliverOnce(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { deliverWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: attemptBudgetMs(input.timeoutMs),
    scheduleToCloseTimeout: WEBHOOK_DELIVERY_WINDOW,
    retry: WEBHOOK_RETRY_POLICY,
  });
  return await deliverWebhook(input) as WebhookDeliveryResult;
}

/** With the patch: attempts that may park while the endpoint's circuit is open. */
async function deliverParking(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  let woken = false;
  setHandler(endpointRecovered, () => { woken = true; });
  const deadline = Math.min(workflowInfo().runStartTime.getTime() + msToNumber(WEBHOOK_DELIVERY_WINDOW), input.notAfter ?? Infinity);
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw ApplicationFailure.nonRetryable(`Webhook ${input.endpointId} did not accept ${input.eventId} within the delivery window`, 'WebhookDeliveryWindowClosed');
    }
    // Reset before the attempt: a wake-up that arrives while it runs is kept for the wait below.
    woken = false;
    const { deliverWebhook } = proxyActivities<Activities>({
      startToCloseTimeout: attemptBudgetMs(input.timeoutMs),
      scheduleToCloseTimeout: left,
      retry: WEBHOOK_RETRY_POLICY,
    });
    const outcome: WebhookAttemptOutcome = await deliverWebhook({ ...input, park: true });
    if (outcome.outcome !== 'parked') return outcome;
    setCurrentDetails(`Parked ${input.eventId} for ${input.endpointId}: the endpoint's circuit is open; waiting for it to recover`);
    await condition(() => woken, Math.max(1, Math.min(WEBHOOK_PARK_MS, deadline - Date.now())));
  }
}
