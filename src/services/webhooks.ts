import { createHash } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '../api/errors';
import type { CreateWebhookInput, UpdateWebhookInput } from '../api/webhooks/schema';
import { findEvent } from '../db/events';
import type { Scope } from '../db/sessions';
import {
  deleteEndpoint, findEndpoint, insertEndpoint, updateEndpoint, type EndpointPatch, type WebhookEndpointRow,
} from '../db/webhooks';
import { idFromSeed } from '../domain/ids';
import { withCallDeadline } from '../temporal/deadline';
import { assertDeliverableUrl, generateWebhookSecret, InvalidWebhookUrlError } from '../webhooks';
import { deliveryWorkflowId } from '../webhooks/deliveryTypes';
import { startWebhookDelivery } from '../webhooks/dispatch';
import type { ServiceContext } from './context';

/** Refuses URLs the mode may not deliver to (live mode: no loopback or private networks), as a 400 on `url`. */
function checkUrl(url: string, scope: Scope): void {
  try {
    assertDeliverableUrl(url, { livemode: scope.livemode });
  } catch (err) {
    if (err instanceof InvalidWebhookUrlError) throw new InvalidRequestError(`Invalid url: ${err.message}`, 'url');
    throw err;
  }
}

/** An endpoint of the caller's account and mode, or a 404. */
export async function getWebhookEndpoint(ctx: ServiceContext, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  const endpoint = await findEndpoint(ctx.db, id, scope);
  if (!endpoint) throw new NotFoundError('webhook endpoint', id);
  return endpoint;
}

/**
 * Registers an endpoint with a fresh `wsec_` secret. Its ID derives from the idempotency seed, so a
 * retried request finds the endpoint (and secret) the first attempt stored instead of making another.
 */
export async function createWebhookEndpoint(
  ctx: ServiceContext, scope: Scope, input: CreateWebhookInput, seed: string,
): Promise<WebhookEndpointRow> {
  checkUrl(input.url, scope);
  const now = String(Date.now());
  return insertEndpoint(ctx.db, {
    id: idFromSeed('we', seed), account_id: scope.accountId, livemode: scope.livemode, url: input.url,
    description: input.description ?? null, enabled_events: input.enabled_events, status: 'enabled',
    secret: generateWebhookSecret(), deleted: false, created: now, modified: now,
  });
}

/** Changes url, events, description or the enabled state; pending deliveries see the change on their next attempt. */
export async function updateWebhookEndpoint(
  ctx: ServiceContext, scope: Scope, id: string, input: UpdateWebhookInput,
): Promise<WebhookEndpointRow> {
  await getWebhookEndpoint(ctx, scope, id);
  if (input.url !== undefined) checkUrl(input.url, scope);
  const patch: EndpointPatch = {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.enabled_events !== undefined ? { enabled_events: input.enabled_events } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.disabled !== undefined ? { status: input.disabled ? 'disabled' : 'enabled' } : {}),
  };
  return (await updateEndpoint(ctx.db, id, patch, Date.now()))!;
}

/** Deletes an endpoint: it is gone from the API and its pending retries stop at their next attempt. */
export async function deleteWebhookEndpoint(ctx: ServiceContext, scope: Scope, id: string): Promise<void> {
  await getWebhookEndpoint(ctx, scope, id);
  await deleteEndpoint(ctx.db, id, Date.now());
}

/** Replaces the secret at once: attempts from now on, retries included, are signed with the new one only. */
export async function rotateWebhookSecret(ctx: ServiceContext, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  await getWebhookEndpoint(ctx, scope, id);
  return (await updateEndpoint(ctx.db, id, { secret: generateWebhookSecret() }, Date.now()))!;
}

/**
 * Schedules one more delivery of an event to an endpoint (durable, retried like any delivery), even if
 * it was delivered before. The workflow ID carries a suffix from the idempotency seed, so a retried
 * request schedules nothing twice while separate requests each send again.
 */
export async function redeliverEvent(ctx: ServiceContext, scope: Scope, id: string, eventId: string, seed: string) {
  const endpoint = await getWebhookEndpoint(ctx, scope, id);
  if (endpoint.status !== 'enabled') throw new InvalidRequestError('This webhook endpoint is disabled; enable it to redeliver events.');
  const event = await findEvent(ctx.db, eventId, scope);
  if (!event) throw new InvalidRequestError(`No such event: '${eventId}'`, 'event');
  const suffix = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => startWebhookDelivery(ctx.temporal, ctx.config.temporal.taskQueue,
    { eventId: event.id, endpointId: endpoint.id, manual: true, timeoutMs: ctx.config.webhookTimeoutMs },
    deliveryWorkflowId(event.id, endpoint.id, suffix)));
  return { object: 'webhook_redelivery', webhook: endpoint.id, event: event.id, event_type: event.event_type, status: 'scheduled' };
}
