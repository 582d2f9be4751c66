import { createHash } from 'node:crypto';
import { CheckoutError } from '../domain/errors';
import type { CreateWebhookInput, UpdateWebhookInput } from '../domain/input/webhook';
import { findEvent } from '../db/events';
import type { Scope } from '../db/sessions';
import {
  countEndpoints, deleteEndpoint, findEndpoint, insertEndpoint, updateEndpoint, type EndpointPatch, type WebhookEndpointRow,
} from '../db/webhooks';
import { idFromSeed } from '../domain/ids';
import { withCallDeadline } from '../temporal/deadline';
import { assertDeliverableUrl, generateWebhookSecret, InvalidWebhookUrlError, WEBHOOK_SECRET_OVERLAP_MS } from '../webhooks';
import { deliveryWorkflowId } from '../webhooks/deliveryTypes';
import { startWebhookDelivery } from '../webhooks/dispatch';
import { T } from '../db/tables';
import type { ServiceContext } from './context';

/** Refuses URLs no webhook may go to (loopback, private, link-local unless the operator allows them), as a 400 on `url`. */
function checkUrl(ctx: ServiceContext, url: string): void {
  try {
    assertDeliverableUrl(url, { allowPrivateNetworks: ctx.config.webhooks.allowPrivateNetworks });
  } catch (err) {
    if (err instanceof InvalidWebhookUrlError) throw new CheckoutError('invalid_data', `Invalid url: ${err.message}`, 'url');
    throw err;
  }
}

/** An endpoint of the caller's account and mode, or a 404. */
export async function getWebhookEndpoint(ctx: ServiceContext, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  const endpoint = await findEndpoint(ctx.db, id, scope);
  if (!endpoint) throw CheckoutError.notFound('webhook endpoint', id);
  return endpoint;
}

/**
 * Registers an endpoint with a fresh `whsec_` secret. Its ID derives from the idempotency seed, so a
 * retried request finds the endpoint (and secret) the first attempt stored instead of making another.
 * An account has at most `WEBHOOK_MAX_ENDPOINTS` (both modes): each endpoint multiplies every event
 * into deliveries, so an unbounded number would let one merchant flood a third party through us.
 */
export async function createWebhookEndpoint(
  ctx: ServiceContext, scope: Scope, input: CreateWebhookInput, seed: string,
): Promise<WebhookEndpointRow> {
  checkUrl(ctx, input.url);
  const id = idFromSeed('we', seed);
  const now = String(Date.now());
  return ctx.db.transaction(async (tx) => {
    const known = await findEndpoint(tx, id, scope);
    if (known) return known;
    // The account row's lock serialises concurrent creates, so the count cannot be raced past the cap.
    await tx(T.accounts).select('id').where({ id: scope.accountId }).forUpdate();
    const max = ctx.config.webhooks.maxEndpointsPerAccount;
    if (await countEndpoints(tx, scope.accountId) >= max) {
      throw new CheckoutError('invalid_data', `An account can have at most ${max} webhook endpoints; delete one before adding another.`);
    }
    return insertEndpoint(tx, {
      id, account_id: scope.accountId, livemode: scope.livemode, url: input.url,
      description: input.description ?? null, enabled_events: input.enabled_events, status: 'enabled',
      secret: generateWebhookSecret(), previous_secret: null, previous_secret_expires: null, deleted: false, created: now, modified: now,
    });
  });
}

/** Changes url, events, description or the enabled state; pending deliveries see the change on their next attempt. */
export async function updateWebhookEndpoint(
  ctx: ServiceContext, scope: Scope, id: string, input: UpdateWebhookInput,
): Promise<WebhookEndpointRow> {
  await getWebhookEndpoint(ctx, scope, id);
  if (input.url !== undefined) checkUrl(ctx, input.url);
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

/**
 * Rolls the secret, as Stripe does: the new one signs every attempt from now on (retries included), and
 * the one it replaces keeps signing beside it for `WEBHOOK_SECRET_OVERLAP_MS` (24 h), so a receiver
 * that has not switched yet still verifies. Only the secret replaced last is kept: a second rotation
 * within the overlap ends the older one at once. The endpoint row's lock orders concurrent rotations.
 */
export async function rotateWebhookSecret(ctx: ServiceContext, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  await getWebhookEndpoint(ctx, scope, id);
  return ctx.db.transaction(async (tx) => {
    const current = await tx(T.webhookEndpoints).select('secret').where({ id, deleted: false }).forUpdate().first() as { secret: string } | undefined;
    if (!current) throw CheckoutError.notFound('webhook endpoint', id);
    const now = Date.now();
    return (await updateEndpoint(tx, id, {
      secret: generateWebhookSecret(), previous_secret: current.secret, previous_secret_expires: String(now + WEBHOOK_SECRET_OVERLAP_MS),
    }, now))!;
  });
}

/**
 * Schedules one more delivery of an event to an endpoint (durable, retried like any delivery), even if
 * it was delivered before. The workflow ID carries a suffix from the idempotency seed, so a retried
 * request schedules nothing twice while separate requests each send again.
 */
export async function redeliverEvent(ctx: ServiceContext, scope: Scope, id: string, eventId: string, seed: string) {
  const endpoint = await getWebhookEndpoint(ctx, scope, id);
  if (endpoint.status !== 'enabled') throw CheckoutError.unexpectedState('This webhook endpoint is disabled; enable it to redeliver events.');
  const event = await findEvent(ctx.db, eventId, scope);
  if (!event) throw new CheckoutError('invalid_data', `No such event: '${eventId}'`, 'event');
  const suffix = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => startWebhookDelivery(ctx.temporal, ctx.config.webhooks.taskQueue,
    { eventId: event.id, endpointId: endpoint.id, manual: true, timeoutMs: ctx.config.webhookTimeoutMs },
    deliveryWorkflowId(event.id, endpoint.id, suffix)));
  return { object: 'webhook_redelivery', webhook: endpoint.id, event: event.id, event_type: event.event_type, status: 'scheduled' };
}
