import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  attemptBudgetMs, type WebhookDeliveryInput, type WebhookDeliveryResult,
} from '../src/webhooks/deliveryTypes';
// Not the barrel: it pulls in node:http and node:dns, which the workflow sandbox refuses.
import { WEBHOOK_DELIVERY_WINDOW, WEBHOOK_RETRY_POLICY } from '../src/webhooks/retrySchedule';

type Activities = ReturnType<typeof createActivities>;

/**
 * Delivers one event to one endpoint (workflow ID `webhook:{evt}:{we}`): a single activity that
 * Temporal retries with backoff (first retries after seconds, later ones hours apart) until a 2xx,
 * a deliberate skip, or the end of the 5-day window. Each pair retries alone, so one failing
 * endpoint or event never holds back the others.
 */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { deliverWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: attemptBudgetMs(input.timeoutMs),
    scheduleToCloseTimeout: WEBHOOK_DELIVERY_WINDOW,
    retry: WEBHOOK_RETRY_POLICY,
  });
  setCurrentDetails(`Delivering ${input.eventId} to ${input.endpointId}${input.manual ? ' (manual)' : ''}`);
  const result = await deliverWebhook(input);
  setCurrentDetails(result.outcome === 'delivered'
    ? `Delivered ${input.eventId} to ${input.endpointId} (attempt ${result.attempt}, HTTP ${result.status})`
    : `Skipped ${input.eventId} for ${input.endpointId}: ${result.reason}`);
  return result;
}
