import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z, type ZodType } from 'zod';
import { createAccountSchema, createKeySchema, updateAccountSchema } from './accounts/schema';
import { createSessionSchema, updateSessionSchema } from './checkoutSessions/schema';
import { createLinkSchema } from './links/routes';
import { listQuery } from './lists';
import * as o from './schemas/objects';
import { receiveSchema } from './testHelpers/routes';
import { createRefundSchema, listRefundsQuery } from './refunds/schema';
import { createWithdrawalLinkSchema, listWithdrawalLinksQuery } from './withdrawalLinks/schema';
import { createWebhookSchema, deliveriesQuerySchema, redeliverSchema, updateWebhookSchema } from './webhooks/schema';

type Method = 'get' | 'post' | 'delete';
interface Operation { body?: ZodType; query?: z.ZodObject; response: ZodType; summary: string; admin?: boolean; bodyName?: string }

/** Conditional rules of a session's fields that a JSON schema can state (the rest are in `description`). */
const AMOUNT_BY_TYPE = {
  anyOf: [
    { description: 'fixed (the default): amount required', required: ['amount'], properties: { type: { type: 'string', enum: ['fixed'] } } },
    { description: 'options: the customer picks one of options; an amount sent is ignored', required: ['type', 'options'], properties: { type: { type: 'string', enum: ['options'] } } },
    { description: 'preset: the customer picks within preset; an amount sent is ignored', required: ['type', 'preset'], properties: { type: { type: 'string', enum: ['preset'] } } },
  ],
};
const EXCLUSIVE_SUCCESS = 'success_url and success_message are mutually exclusive';

/**
 * The OpenAPI document, generated from the zod schemas that validate requests and describe responses
 * (src/api/schemas/objects.ts), never written by hand. Every path parameter is declared, every
 * operation has its response schemas, and the amount-by-type rule is stated as `anyOf`.
 */
export function openApiDocument(minTtl: number) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'secretKey', {
    type: 'http', scheme: 'basic', description: 'A secret key (sk_test_… / sk_live_…, or the admin key for /accounts) as the username, empty password',
  });
  // Response objects carry their component names (`.meta({ id })` in schemas/objects.ts).
  const { errorObject: error, checkoutSessionObject: session, paymentObject: payment, linkObject: link, transferObject: transfer,
    eventObject: event, webhookEndpointObject: endpoint, webhookDeliveryObject: delivery } = o;
  const createSession = createSessionSchema(minTtl).describe(EXCLUSIVE_SUCCESS);
  const updateSession = updateSessionSchema.describe(`${EXCLUSIVE_SUCCESS}; in metadata a key set to null or "" is removed, others are merged`);
  const createLink = createLinkSchema(minTtl).describe(EXCLUSIVE_SUCCESS);

  const op = (method: Method, route: string, spec: Operation) => {
    const names = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params = names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).describe(`${n === 'payment_id' ? 'payment' : 'object'} ID`)]))) : undefined;
    const json = (schema: ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
    registry.registerPath({
      method, path: route, summary: spec.summary, security: [{ secretKey: [] }],
      request: {
        ...(params ? { params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.body ? { body: { required: false, content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        200: json(spec.response, 'The object (or list)'),
        400: json(error, 'A bad request, naming the bad field in `param`'),
        401: json(error, 'Missing or invalid key'),
        ...(spec.admin ? { 403: json(error, 'Not allowed for this key') } : { 403: json(error, 'Not allowed for this key or mode') }),
        404: json(error, 'No such object for this account and mode'),
        409: json(error, 'Idempotency-Key reused with another body, or a conflicting state'),
        ...(method !== 'get' ? { 415: json(error, 'The body is not JSON'), 413: json(error, 'The body is too large') } : {}),
        429: json(error, 'Too many requests'),
        503: json(error, 'A dependency is not answering; safe to retry with the same Idempotency-Key'),
      },
    });
  };
  const list = (extra: z.ZodRawShape = {}) => listQuery(extra);

  op('post', '/accounts', { summary: 'Create a merchant account (admin key)', body: createAccountSchema, response: o.accountObject, admin: true });
  op('post', '/accounts/{id}', { summary: 'Update an account: name, xpub (admin key)', body: updateAccountSchema, response: o.accountObject, admin: true });
  op('post', '/accounts/{id}/keys', { summary: 'Issue a secret key (admin key)', body: createKeySchema, response: o.apiKeyObject, admin: true });
  op('get', '/accounts/{id}/keys', { summary: 'List an account\'s keys, prefix only (admin key)', response: o.listOf(o.apiKeyObject), admin: true });
  op('delete', '/accounts/{id}/keys/{key_id}', { summary: 'Revoke a key; refused at once (admin key)', response: o.apiKeyObject, admin: true });
  op('post', '/accounts/{id}/keys/{key_id}/revoke', { summary: 'Revoke a key (the same as DELETE) (admin key)', response: o.apiKeyObject, admin: true });
  op('post', '/checkout-sessions', { summary: 'Create a checkout session', body: createSession, response: session });
  op('get', '/checkout-sessions', { summary: 'List checkout sessions', query: list({ status: z.enum(['active', 'paid', 'deactivated']).optional() }), response: o.listOf(session) });
  op('get', '/checkout-sessions/{id}', { summary: 'Retrieve a checkout session', response: session });
  op('post', '/checkout-sessions/{id}', { summary: 'Update a checkout session (any status)', body: updateSession, response: session });
  op('post', '/checkout-sessions/{id}/deactivate', { summary: 'Deactivate an active checkout session', response: session });
  op('get', '/checkout-sessions/payment/{payment_id}', { summary: 'Retrieve a checkout session by payment, with customer details', response: session });
  op('get', '/payments', { summary: 'List payments', query: list({ checkout_session: z.string().min(1).optional() }), response: o.listOf(payment) });
  op('get', '/payments/{id}', { summary: 'Retrieve a payment', response: payment });
  op('post', '/test-helpers/payments/{id}/receive', { summary: 'Test mode: money arrives for a payment', body: receiveSchema, response: o.receiptObject });
  op('get', '/balances', { summary: 'The balance', response: o.balanceObject });
  op('get', '/balance-transactions', { summary: 'List balance transactions', query: list(), response: o.listOf(o.balanceTransactionObject) });
  op('get', '/transfers', { summary: 'List transfers', query: list({ checkout_session: z.string().min(1).optional() }), response: o.listOf(transfer) });
  op('get', '/transfers/{id}', { summary: 'Retrieve a transfer', response: transfer });
  op('get', '/events', { summary: 'List events', query: list({ event_type: z.string().min(1).optional() }), response: o.listOf(event) });
  op('get', '/events/{id}', { summary: 'Retrieve an event', response: event });
  op('post', '/webhooks', { summary: 'Register a webhook endpoint', body: createWebhookSchema, response: endpoint });
  op('get', '/webhooks', { summary: 'List webhook endpoints', query: list(), response: o.listOf(endpoint) });
  op('get', '/webhooks/{id}', { summary: 'Retrieve a webhook endpoint', response: endpoint });
  op('post', '/webhooks/{id}', { summary: 'Update a webhook endpoint', body: updateWebhookSchema, response: endpoint });
  op('delete', '/webhooks/{id}', { summary: 'Delete a webhook endpoint', response: o.deletedObject });
  op('post', '/webhooks/{id}/rotate-secret', { summary: 'Rotate a webhook secret', response: endpoint });
  op('get', '/webhooks/{id}/deliveries', { summary: 'List delivery attempts', query: deliveriesQuerySchema, response: o.listOf(delivery) });
  op('post', '/webhooks/{id}/redeliver', { summary: 'Deliver an event again', body: redeliverSchema, response: o.redeliveryObject });
  op('post', '/withdrawal-links', { summary: 'Create a withdrawal link (LNURL-withdraw); reserves the amount + routing-fee limit', body: createWithdrawalLinkSchema, response: o.withdrawalLinkObject });
  op('get', '/withdrawal-links', { summary: 'List withdrawal links', query: listWithdrawalLinksQuery, response: o.listOf(o.withdrawalLinkObject) });
  op('get', '/withdrawal-links/{id}', { summary: 'Retrieve a withdrawal link', response: o.withdrawalLinkObject });
  op('post', '/withdrawal-links/{id}/deactivate', { summary: 'Deactivate an active withdrawal link; releases its reserve', response: o.withdrawalLinkObject });
  op('post', '/refunds', { summary: 'Refund a checkout session or one of its payments', body: createRefundSchema, response: o.refundObject });
  op('get', '/refunds', { summary: 'List refunds', query: listRefundsQuery, response: o.listOf(o.refundObject) });
  op('get', '/refunds/{id}', { summary: 'Retrieve a refund', response: o.refundObject });
  op('post', '/refunds/{id}/cancel', { summary: 'Cancel a pending refund whose withdrawal link is unclaimed', response: o.refundObject });
  for (const [route, name, statuses] of [
    ['/checkout-links', 'checkout link', ['active', 'paid', 'deactivated']], ['/payment-links', 'payment link', ['active', 'deactivated']],
  ] as const) {
    op('post', route, { summary: `Create a ${name}`, body: createLink, response: link });
    op('get', route, { summary: `List ${name}s`, query: list({ status: z.enum(statuses).optional() }), response: o.listOf(link) });
    op('get', `${route}/{id}`, { summary: `Retrieve a ${name}`, response: link });
    op('post', `${route}/{id}/deactivate`, { summary: `Deactivate a ${name} and its active sessions`, response: link });
  }
  const doc = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Bitcoin checkout API', version: '2022-10-15', description: 'Speed-compatible checkout sessions; every session is a Temporal workflow.' },
  });
  for (const route of ['/checkout-sessions', '/checkout-links', '/payment-links']) {
    const body = doc.paths[route].post!.requestBody as { content: Record<string, { schema: object }> };
    Object.assign(body.content['application/json'].schema, AMOUNT_BY_TYPE);
  }
  return doc;
}

/** `GET /openapi.json` (public). The document is built once, at start. */
export function openApiRouter(minTtl: number): Router {
  const document = openApiDocument(minTtl);
  const router = Router();
  router.get('/openapi.json', (_req, res) => { res.json(document); });
  return router;
}
