import { Router } from 'express';
import { z } from 'zod';
import { listDeliveries, listEndpoints } from '../../db/webhooks';
import type { ServiceContext } from '../../services/context';
import {
  createWebhookEndpoint, deleteWebhookEndpoint, getWebhookEndpoint, redeliverEvent, rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../../services/webhooks';
import { webhookDeliveryView, webhookEndpointView } from '../../views/webhook';
import { scopeOf } from '../auth';
import { listBody, listQuery, pageOptions } from '../lists';
import { bodyObject, parseOr400 } from '../validate';
import { createWebhookSchema, deliveriesQuerySchema, redeliverSchema, updateWebhookSchema } from './schema';
import { idParam } from '../inputRules';

/** `/webhooks` (SPEC §8): endpoints, secret rotation, the delivery log and manual redelivery. */
export function webhookRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('we', 'webhook endpoint'));
  const listSchema = listQuery({}, 'we');
  const noBody = z.object({}).strict();

  router.post('/', async (req, res) => {
    const input = parseOr400(createWebhookSchema, bodyObject(req.body));
    // The secret is shown here and on rotation only; it is what receivers verify signatures with.
    res.json(webhookEndpointView(await createWebhookEndpoint(ctx, scopeOf(req), input, req.idempotencySeed!), true));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const { rows, hasMore } = await listEndpoints(ctx.db, scopeOf(req), pageOptions(q));
    res.json(listBody(rows.map((r) => webhookEndpointView(r)), hasMore));
  });

  router.get('/:id', async (req, res) => {
    res.json(webhookEndpointView(await getWebhookEndpoint(ctx, scopeOf(req), req.params.id)));
  });

  router.post('/:id', async (req, res) => {
    const input = parseOr400(updateWebhookSchema, bodyObject(req.body));
    res.json(webhookEndpointView(await updateWebhookEndpoint(ctx, scopeOf(req), req.params.id, input)));
  });

  router.delete('/:id', async (req, res) => {
    await deleteWebhookEndpoint(ctx, scopeOf(req), req.params.id);
    res.json({ id: req.params.id, object: 'webhook_endpoint', deleted: true });
  });

  router.post('/:id/rotate-secret', async (req, res) => {
    parseOr400(noBody, bodyObject(req.body));
    res.json(webhookEndpointView(await rotateWebhookSecret(ctx, scopeOf(req), req.params.id), true));
  });

  router.get('/:id/deliveries', async (req, res) => {
    const q = parseOr400(deliveriesQuerySchema, req.query);
    const endpoint = await getWebhookEndpoint(ctx, scopeOf(req), req.params.id);
    const { rows, hasMore } = await listDeliveries(ctx.db, endpoint.id, { ...pageOptions(q), eventId: q.event });
    res.json(listBody(rows.map(webhookDeliveryView), hasMore));
  });

  router.post('/:id/redeliver', async (req, res) => {
    const input = parseOr400(redeliverSchema, bodyObject(req.body));
    res.json(await redeliverEvent(ctx, scopeOf(req), req.params.id, input.event, req.idempotencySeed!));
  });

  return router;
}
