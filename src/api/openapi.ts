import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { ZodType } from 'zod';
import { createAccountSchema, createKeySchema } from './accounts/schema';
import { createSessionSchema, updateSessionSchema } from './checkoutSessions/schema';
import { createLinkSchema } from './links/routes';
import { receiveSchema } from './testHelpers/routes';
import { createWebhookSchema, redeliverSchema, updateWebhookSchema } from './webhooks/schema';

type Method = 'get' | 'post' | 'delete';

/**
 * The OpenAPI document, generated from the same zod schemas that validate requests (never written by
 * hand), so the documented request bodies are exactly what the API accepts.
 */
export function openApiDocument(minTtl: number) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'secretKey', { type: 'http', scheme: 'basic', description: 'Secret key as username, empty password' });
  const path = (method: Method, route: string, summary: string, body?: ZodType) => registry.registerPath({
    method, path: route, summary, security: [{ secretKey: [] }],
    ...(body ? { request: { body: { content: { 'application/json': { schema: body } } } } } : {}),
    responses: {
      200: { description: 'The object (or list) as JSON' },
      400: { description: '`{"errors":[{"type","message","param"}]}` naming the bad field' },
      401: { description: 'Missing or invalid key' },
      404: { description: 'No such object for this account and mode' },
      409: { description: 'Idempotency-Key reused with another body' },
    },
  });
  path('post', '/accounts', 'Create a merchant account (admin key)', createAccountSchema);
  path('post', '/accounts/{id}/keys', 'Issue a secret key (admin key)', createKeySchema);
  path('post', '/checkout-sessions', 'Create a checkout session', createSessionSchema(minTtl));
  path('get', '/checkout-sessions', 'List checkout sessions');
  path('get', '/checkout-sessions/{id}', 'Retrieve a checkout session');
  path('post', '/checkout-sessions/{id}', 'Update a checkout session', updateSessionSchema);
  path('post', '/checkout-sessions/{id}/deactivate', 'Deactivate an active checkout session');
  path('get', '/checkout-sessions/payment/{payment_id}', 'Retrieve a checkout session by payment, with customer details');
  path('get', '/payments', 'List payments');
  path('get', '/payments/{id}', 'Retrieve a payment');
  path('post', '/test-helpers/payments/{id}/receive', 'Test mode: money arrives for a payment', receiveSchema);
  path('get', '/balances', 'The balance');
  path('get', '/balance-transactions', 'List balance transactions');
  path('get', '/transfers', 'List transfers');
  path('get', '/transfers/{id}', 'Retrieve a transfer');
  path('get', '/events', 'List events');
  path('get', '/events/{id}', 'Retrieve an event');
  path('post', '/webhooks', 'Register a webhook endpoint', createWebhookSchema);
  path('get', '/webhooks', 'List webhook endpoints');
  path('get', '/webhooks/{id}', 'Retrieve a webhook endpoint');
  path('post', '/webhooks/{id}', 'Update a webhook endpoint', updateWebhookSchema);
  path('delete', '/webhooks/{id}', 'Delete a webhook endpoint');
  path('post', '/webhooks/{id}/rotate-secret', 'Rotate a webhook secret');
  path('get', '/webhooks/{id}/deliveries', 'List delivery attempts');
  path('post', '/webhooks/{id}/redeliver', 'Deliver an event again', redeliverSchema);
  for (const [route, name] of [['/checkout-links', 'checkout link'], ['/payment-links', 'payment link']]) {
    path('post', route, `Create a ${name}`, createLinkSchema(minTtl));
    path('get', route, `List ${name}s`);
    path('get', `${route}/{id}`, `Retrieve a ${name}`);
    path('post', `${route}/{id}/deactivate`, `Deactivate a ${name} and its active sessions`);
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Bitcoin checkout API', version: '2022-10-15', description: 'Speed-compatible checkout sessions; every session is a Temporal workflow.' },
  });
}

/** `GET /openapi.json` (public). The document is built once, at start. */
export function openApiRouter(minTtl: number): Router {
  const document = openApiDocument(minTtl);
  const router = Router();
  router.get('/openapi.json', (_req, res) => { res.json(document); });
  return router;
}
