import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z, type ZodType } from 'zod';
import { connectDestinationSchema, createAccountSchema, createKeySchema, listDestinationsQuery, updateAccountSchema } from './accounts/schema';
import { createSessionSchema, updateSessionSchema } from '../domain/input/sessionFields';
import { listInstantSendsQuery } from './instantSends/routes';
import { createInstantSendSchema } from './instantSends/schema';
import { createLinkSchema } from './links/routes';
import { newUserSchema } from '../dashboard/users';
import type { IdPrefix } from '../domain/ids';
import { listQuery } from './lists';
import { objectId } from '../domain/input/common';
import { amountVariants, primitiveUnions, textRule } from './openapiShapes';
import * as o from './schemas/objects';
import { receiveSchema } from './testHelpers/routes';
import { createRefundSchema, listRefundsQuery } from './refunds/schema';
import { createWithdrawalLinkSchema, listWithdrawalLinksQuery } from './withdrawalLinks/schema';
import { createWebhookSchema, deliveriesQuerySchema, redeliverSchema, updateWebhookSchema } from './webhooks/schema';

type Method = 'get' | 'post' | 'delete';
interface Operation {
  /** The `operationId`: a generated client's method name. */
  id: string; tag: string; summary: string; response: ZodType;
  body?: ZodType; query?: z.ZodObject; admin?: boolean;
  /** The body must be sent (a create); an update's body may be left out (nothing changes). */
  bodyRequired?: boolean;
  description?: string;
  /** An example body (schemathesis' examples phase sends it; Swagger UI shows it). */
  example?: Record<string, unknown>;
  /** OpenAPI links from the 200 response: operationId → its parameters from this response. */
  links?: Record<string, Record<string, string>>;
}

const EXCLUSIVE_SUCCESS = 'success_url and success_message are mutually exclusive';

const TAGS = [
  { name: 'Accounts', description: 'Merchant accounts and their secret keys (the admin key)' },
  { name: 'Checkout sessions', description: 'One checkout: an amount, how it may be paid, and what happened' },
  { name: 'Payments', description: 'The invoices and addresses of a checkout session' },
  { name: 'Test helpers', description: 'Test mode only: simulate money arriving' },
  { name: 'Balances', description: 'The balance and its ledger' },
  { name: 'Payouts', description: 'Instant sends: money out of the balance to Lightning or on-chain (docs/payouts.md)' },
  { name: 'Transfers', description: 'Shares of a paid session sent to other accounts' },
  { name: 'Events', description: 'What happened, as delivered to webhooks' },
  { name: 'Webhooks', description: 'Endpoints that receive events (Standard Webhooks signatures)' },
  { name: 'Checkout links', description: 'A reusable link that opens one checkout session per visit until paid' },
  { name: 'Payment links', description: 'A reusable link that takes any number of payments' },
  { name: 'Withdrawal links', description: 'LNURL-withdraw links that pay a fixed amount out of the balance to whoever claims them' },
  { name: 'Refunds', description: 'Money back to a customer for a checkout session, as a withdrawal link or to an invoice' },
];

const IDEMPOTENCY = z.string().min(1).max(255).optional().meta({
  description: 'Makes a retry safe: the same key and body within 24 h replays the first response and does nothing again; '
    + 'the same key with another body is a 409. Send a fresh random key (e.g. a UUID) per intended action.',
  example: '9b2f4a8e-3c1d-4f5e-8a7b-1c2d3e4f5a6b',
});

/**
 * The OpenAPI document, generated from the zod schemas that validate requests and describe responses
 * (src/api/schemas/objects.ts), never written by hand. Every path parameter is declared, every
 * operation has an `operationId`, a tag and its response schemas, every POST its `Idempotency-Key`.
 */
export function openApiDocument(minTtl: number, publicUrl?: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'secretKey', {
    type: 'http', scheme: 'basic', description: 'A secret key (sk_test_… / sk_live_…, or the admin key for /accounts) as the username, empty password',
  });
  // Response objects carry their component names (`.meta({ id })` in schemas/objects.ts).
  const { errorObject: error, checkoutSessionObject: session, paymentObject: payment, linkObject: link, transferObject: transfer,
    eventObject: event, webhookEndpointObject: endpoint, webhookDeliveryObject: delivery } = o;
  const createSession = createSessionSchema(minTtl).describe(EXCLUSIVE_SUCCESS);
  const updateSession = updateSessionSchema.describe(`A field left out is kept and "" clears one (null is refused, so a generated client that sends `
    + `null for the fields it was not given erases nothing); ${EXCLUSIVE_SUCCESS}; in metadata a key set to "" is removed, others are merged`);
  const createLink = createLinkSchema(minTtl).describe(EXCLUSIVE_SUCCESS);

  const op = (method: Method, route: string, spec: Operation) => {
    const names = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params = names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).describe(`${n === 'payment_id' ? 'payment' : 'object'} ID`)]))) : undefined;
    const json = (schema: ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
    registry.registerPath({
      method, path: route, operationId: spec.id, tags: [spec.tag], summary: spec.summary, security: [{ secretKey: [] }],
      ...(spec.description ? { description: spec.description } : {}),
      request: {
        ...(params ? { params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        // Every POST honours an Idempotency-Key (src/api/idempotency.ts).
        ...(method === 'post' ? { headers: z.object({ 'Idempotency-Key': IDEMPOTENCY }) } : {}),
        ...(spec.body ? {
          body: { required: spec.bodyRequired ?? false, content: { 'application/json': { schema: spec.body, ...(spec.example ? { example: spec.example } : {}) } } },
        } : {}),
      },
      responses: {
        200: { ...json(spec.response, 'The object (or list)'), ...(spec.links ? { links: openApiLinks(spec.links) } : {}) },
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
  // The same list queries as the routes: cursors (and ID filters) are IDs of their kind.
  const list = (prefix: IdPrefix, extra: z.ZodRawShape = {}) => listQuery(extra, prefix);
  const session$ = { id: '$response.body#/id' };
  const sessionExample = { currency: 'USD', amount: 25, success_url: 'https://shop.example/thanks', metadata: { order: '42' } };
  const A = 'Accounts';
  const CS = 'Checkout sessions';
  const W = 'Webhooks';

  op('post', '/accounts', { id: 'createAccount', tag: A, summary: 'Create a merchant account (admin key)', body: createAccountSchema, bodyRequired: true, example: { name: 'T-shirt shop' },
    links: { updateAccount: session$, createAccountKey: session$, listAccountKeys: session$ }, response: o.accountObject, admin: true });
  op('post', '/accounts/{id}', { id: 'updateAccount', tag: A, summary: 'Update an account: name, xpub (admin key)', body: updateAccountSchema, example: { name: 'T-shirt shop (EU)' }, response: o.accountObject, admin: true });
  op('post', '/accounts/{id}/keys', { id: 'createAccountKey', tag: A, summary: 'Issue a secret key (admin key)', body: createKeySchema, bodyRequired: true, example: { livemode: false },
    links: { revokeAccountKey: { id: '$request.path.id', key_id: '$response.body#/id' }, deleteAccountKey: { id: '$request.path.id', key_id: '$response.body#/id' } }, response: o.apiKeyObject, admin: true });
  op('get', '/accounts/{id}/keys', { id: 'listAccountKeys', tag: A, summary: 'List an account\'s keys, prefix only (admin key)', response: o.listOf(o.apiKeyObject), admin: true });
  op('delete', '/accounts/{id}/keys/{key_id}', { id: 'deleteAccountKey', tag: A, summary: 'Revoke a key; refused at once (admin key)', response: o.apiKeyObject, admin: true });
  op('post', '/accounts/{id}/keys/{key_id}/revoke', { id: 'revokeAccountKey', tag: A, summary: 'Revoke a key (the same as DELETE) (admin key)', response: o.apiKeyObject, admin: true });
  op('post', '/accounts/{id}/users', {
    id: 'createAccountUser', tag: A, summary: 'Add a dashboard user; without a password the answer has a one-time invite_url (admin key)',
    body: newUserSchema, bodyRequired: true, example: { email: 'owner@shop.example', role: 'owner' }, response: o.userObject, admin: true,
  });
  op('get', '/accounts/{id}/users', { id: 'listAccountUsers', tag: A, summary: 'List an account\'s dashboard users (admin key)', response: o.listOf(o.userObject), admin: true });
  op('post', '/accounts/{id}/transfer-destinations', {
    id: 'connectTransferDestination', tag: A, summary: 'Let the account send transfers to another account (admin key)', body: connectDestinationSchema, bodyRequired: true,
    description: 'A transfer on a checkout session, payment link or checkout link may go only to a connected account (docs/transfers.md). '
      + 'Connecting a pair already connected returns the existing connection.',
    example: { destination_account: 'acct_1234567890abcdefghijklmn' },
    links: { revokeTransferDestination: { id: '$request.path.id', destination: '$response.body#/destination_account' } }, response: o.transferDestinationObject, admin: true,
  });
  op('get', '/accounts/{id}/transfer-destinations', { id: 'listTransferDestinations', tag: A, summary: 'List the accounts this account may send transfers to (admin key)',
    query: listDestinationsQuery, response: o.listOf(o.transferDestinationObject), admin: true });
  op('delete', '/accounts/{id}/transfer-destinations/{destination}', {
    id: 'revokeTransferDestination', tag: A, summary: 'Stop the account sending transfers to a destination (admin key)', response: o.transferDestinationObject, admin: true,
    description: 'New sessions and links with a transfer to it are refused from now on; sessions created while it was connected still run their transfers.',
  });
  op('post', '/checkout-sessions', { id: 'createCheckoutSession', tag: CS, summary: 'Create a checkout session', body: createSession, bodyRequired: true, example: sessionExample,
    links: {
      retrieveCheckoutSession: session$, updateCheckoutSession: session$, deactivateCheckoutSession: session$,
      retrieveCheckoutSessionByPayment: { payment_id: '$response.body#/payment_id' }, retrievePayment: { id: '$response.body#/payment_id' },
      simulatePaymentReceipt: { id: '$response.body#/payment_id' },
    }, response: session });
  op('get', '/checkout-sessions', { id: 'listCheckoutSessions', tag: CS, summary: 'List checkout sessions', query: list('cs', { status: z.enum(['active', 'paid', 'deactivated']).optional() }), response: o.listOf(session) });
  op('get', '/checkout-sessions/{id}', { id: 'retrieveCheckoutSession', tag: CS, summary: 'Retrieve a checkout session', response: session });
  op('post', '/checkout-sessions/{id}', { id: 'updateCheckoutSession', tag: CS, summary: 'Update a checkout session (any status)', body: updateSession, example: { metadata: { order: '43' } }, response: session });
  op('post', '/checkout-sessions/{id}/deactivate', { id: 'deactivateCheckoutSession', tag: CS, summary: 'Deactivate an active checkout session', response: session });
  op('get', '/checkout-sessions/payment/{payment_id}', { id: 'retrieveCheckoutSessionByPayment', tag: CS, summary: 'Retrieve a checkout session by payment, with customer details', response: session });
  op('get', '/payments', { id: 'listPayments', tag: 'Payments', summary: 'List payments', query: list('pi', { checkout_session: objectId('cs').optional() }), response: o.listOf(payment) });
  op('get', '/payments/{id}', { id: 'retrievePayment', tag: 'Payments', summary: 'Retrieve a payment', response: payment });
  op('post', '/test-helpers/payments/{id}/receive', { id: 'simulatePaymentReceipt', tag: 'Test helpers', summary: 'Test mode: money arrives for a payment', body: receiveSchema, bodyRequired: true, example: { amount: 1000 }, response: o.receiptObject });
  op('get', '/balances', { id: 'retrieveBalance', tag: 'Balances', summary: 'The balance', response: o.balanceObject });
  op('post', '/instant-sends', { id: 'createInstantSend', tag: 'Payouts', summary: 'Pay out from the balance (Lightning or on-chain)', body: createInstantSendSchema, bodyRequired: true,
    links: { retrieveInstantSend: session$ }, response: o.instantSendObject });
  op('get', '/instant-sends', { id: 'listInstantSends', tag: 'Payouts', summary: 'List payouts', query: listInstantSendsQuery, response: o.listOf(o.instantSendObject) });
  op('get', '/instant-sends/{id}', { id: 'retrieveInstantSend', tag: 'Payouts', summary: 'Retrieve a payout', response: o.instantSendObject });
  op('get', '/balance-transactions', { id: 'listBalanceTransactions', tag: 'Balances', summary: 'List balance transactions', query: list('txn'), response: o.listOf(o.balanceTransactionObject) });
  op('get', '/transfers', { id: 'listTransfers', tag: 'Transfers', summary: 'List transfers', query: list('tr', { checkout_session: objectId('cs').optional() }), response: o.listOf(transfer) });
  op('get', '/transfers/{id}', { id: 'retrieveTransfer', tag: 'Transfers', summary: 'Retrieve a transfer', response: transfer });
  op('get', '/events', { id: 'listEvents', tag: 'Events', summary: 'List events', query: list('evt', { event_type: z.string().min(1).max(100).optional() }), response: o.listOf(event) });
  op('get', '/events/{id}', { id: 'retrieveEvent', tag: 'Events', summary: 'Retrieve an event', response: event });
  op('post', '/webhooks', { id: 'createWebhook', tag: W, summary: 'Register a webhook endpoint', body: createWebhookSchema, bodyRequired: true,
    example: { url: 'https://shop.example/hooks', enabled_events: ['checkout_session.paid'] },
    links: { retrieveWebhook: session$, updateWebhook: session$, deleteWebhook: session$, rotateWebhookSecret: session$, listWebhookDeliveries: session$ }, response: endpoint });
  op('get', '/webhooks', { id: 'listWebhooks', tag: W, summary: 'List webhook endpoints', query: list('we'), response: o.listOf(endpoint) });
  op('get', '/webhooks/{id}', { id: 'retrieveWebhook', tag: W, summary: 'Retrieve a webhook endpoint', response: endpoint });
  op('post', '/webhooks/{id}', { id: 'updateWebhook', tag: W, summary: 'Update a webhook endpoint', body: updateWebhookSchema, example: { description: 'orders' }, response: endpoint });
  op('delete', '/webhooks/{id}', { id: 'deleteWebhook', tag: W, summary: 'Delete a webhook endpoint', response: o.deletedObject });
  op('post', '/webhooks/{id}/rotate-secret', { id: 'rotateWebhookSecret', tag: W, summary: 'Rotate a webhook secret', response: endpoint });
  op('get', '/webhooks/{id}/deliveries', { id: 'listWebhookDeliveries', tag: W, summary: 'List delivery attempts', query: deliveriesQuerySchema, response: o.listOf(delivery) });
  op('post', '/webhooks/{id}/redeliver', { id: 'redeliverWebhookEvent', tag: W, summary: 'Deliver an event again', body: redeliverSchema, bodyRequired: true, response: o.redeliveryObject });
  const WL = 'Withdrawal links';
  const RF = 'Refunds';
  op('post', '/withdrawal-links', { id: 'createWithdrawalLink', tag: WL, summary: 'Create a withdrawal link (LNURL-withdraw); reserves the amount + routing-fee limit', body: createWithdrawalLinkSchema, bodyRequired: true,
    example: { currency: 'SATS', amount: 5000 }, links: { retrieveWithdrawalLink: session$, deactivateWithdrawalLink: session$ }, response: o.withdrawalLinkObject });
  op('get', '/withdrawal-links', { id: 'listWithdrawalLinks', tag: WL, summary: 'List withdrawal links', query: listWithdrawalLinksQuery, response: o.listOf(o.withdrawalLinkObject) });
  op('get', '/withdrawal-links/{id}', { id: 'retrieveWithdrawalLink', tag: WL, summary: 'Retrieve a withdrawal link', response: o.withdrawalLinkObject });
  op('post', '/withdrawal-links/{id}/deactivate', { id: 'deactivateWithdrawalLink', tag: WL, summary: 'Deactivate an active withdrawal link; releases its reserve', response: o.withdrawalLinkObject });
  op('post', '/refunds', { id: 'createRefund', tag: RF, summary: 'Refund a checkout session or one of its payments', body: createRefundSchema, bodyRequired: true,
    links: { retrieveRefund: session$, cancelRefund: session$ }, response: o.refundObject });
  op('get', '/refunds', { id: 'listRefunds', tag: RF, summary: 'List refunds', query: listRefundsQuery, response: o.listOf(o.refundObject) });
  op('get', '/refunds/{id}', { id: 'retrieveRefund', tag: RF, summary: 'Retrieve a refund', response: o.refundObject });
  op('post', '/refunds/{id}/cancel', { id: 'cancelRefund', tag: RF, summary: 'Cancel a pending refund whose withdrawal link is unclaimed', response: o.refundObject });
  for (const [route, name, Name, tag, statuses, prefix] of [
    ['/checkout-links', 'checkout link', 'CheckoutLink', 'Checkout links', ['active', 'paid', 'deactivated'], 'clink'],
    ['/payment-links', 'payment link', 'PaymentLink', 'Payment links', ['active', 'deactivated'], 'plink'],
  ] as const) {
    op('post', route, { id: `create${Name}`, tag, summary: `Create a ${name}`, body: createLink, bodyRequired: true,
      example: { currency: 'SATS', amount: 21000 }, links: { [`retrieve${Name}`]: session$, [`deactivate${Name}`]: session$ }, response: link });
    op('get', route, { id: `list${Name}s`, tag, summary: `List ${name}s`, query: list(prefix, { status: z.enum(statuses).optional() }), response: o.listOf(link) });
    op('get', `${route}/{id}`, { id: `retrieve${Name}`, tag, summary: `Retrieve a ${name}`, response: link });
    op('post', `${route}/{id}/deactivate`, { id: `deactivate${Name}`, tag, summary: `Deactivate a ${name} and its active sessions`, response: link });
  }
  const doc = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Bitcoin checkout API', version: '2022-10-15', description: 'Speed-compatible checkout sessions; every session is a Temporal workflow.' },
    ...(publicUrl ? { servers: [{ url: publicUrl }] } : {}),
    tags: TAGS,
  });
  // One `CheckoutParams` component for the three creates (their bodies are the same fields and rules).
  let params: object | undefined;
  for (const route of ['/checkout-sessions', '/checkout-links', '/payment-links']) {
    const content = (doc.paths[route].post!.requestBody as { content: Record<string, { schema: object }> }).content['application/json'];
    params ??= amountVariants(doc, content.schema as Record<string, unknown>, minTtl);
    content.schema = params;
  }
  primitiveUnions(doc);
  textRule(doc);
  return doc;
}

/** OpenAPI link objects, named after the operation they lead to. */
function openApiLinks(links: Record<string, Record<string, string>>) {
  return Object.fromEntries(Object.entries(links).map(([operationId, parameters]) => [operationId, { operationId, parameters }]));
}

/** `GET /openapi.json` (public). The document is built once, at start. */
export function openApiRouter(minTtl: number, publicUrl?: string): Router {
  const document = openApiDocument(minTtl, publicUrl);
  const router = Router();
  router.get('/openapi.json', (_req, res) => { res.json(document); });
  return router;
}
