import fc from 'fast-check';
import { MAX_TTL_SECONDS } from '../../src/domain/input/sessionFields';
import { openApiDocument } from '../../src/api/openapi';
import { isHttpUrl } from '../../src/domain/input/common';
import { CURRENCY_DECIMALS } from '../../src/domain/money';
import { isEventSelector, WEBHOOK_EVENT_TYPES } from '../../src/domain/eventTypes';

describe('the OpenAPI document generated from the validation schemas', () => {
  const doc = openApiDocument(300, 'https://pay.example') as any;
  const resolve = (s: any): any => (s?.$ref ? resolve(s.$ref.split('/').slice(1).reduce((n: any, k: string) => n[k], doc)) : s);
  const body = (method: string, path: string) => resolve(doc.paths[path][method].requestBody.content['application/json'].schema);
  const operations = () => Object.entries(doc.paths).flatMap(([route, item]: [string, any]) => Object.entries(item).map(([method, op]: [string, any]) => ({ route, method, op })));

  test('documents the create-session body exactly as validated: known fields only, the seed fields all there', () => {
    const schema = resolve(body('post', '/checkout-sessions').oneOf.at(-1));
    expect(schema.additionalProperties).toBe(false);
    for (const field of ['currency', 'amount', 'target_currency', 'type', 'ttl', 'payment_methods', 'amount_paid_tolerance',
      'customer_collections_status', 'custom_fields', 'transfers', 'cashback', 'metadata', 'success_url', 'title_image']) {
      expect(schema.properties).toHaveProperty(field);
    }
    expect(schema.properties.transfers.items.required).toEqual(['destination_account', 'percentage']);
    expect(schema.properties.payment_methods.items.enum).toEqual(['lightning', 'onchain']);
  });

  test('lists every merchant endpoint', () => {
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/checkout-sessions', '/checkout-sessions/{id}', '/checkout-sessions/{id}/deactivate', '/checkout-sessions/payment/{payment_id}',
      '/payments', '/payments/{id}', '/test-helpers/payments/{id}/receive', '/balances', '/balance-transactions', '/transfers',
      '/events', '/webhooks', '/webhooks/{id}/redeliver', '/checkout-links', '/payment-links/{id}/deactivate', '/accounts'],
    ));
    expect(body('post', '/webhooks').required).toEqual(expect.arrayContaining(['url', 'enabled_events']));
  });

  test('every operation has a unique operationId and a declared tag; the server is the public URL', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const { route, op } of operations()) expect([route, op.tags.length === 1 && tags.has(op.tags[0])]).toEqual([route, true]);
    expect(doc.servers).toEqual([{ url: 'https://pay.example' }]);
    expect((openApiDocument(300) as any).servers).toBeUndefined();
  });

  test('every POST declares the Idempotency-Key header it honours, and nothing else does', () => {
    for (const { route, method, op } of operations()) {
      const header = (op.parameters ?? []).find((p: any) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect([method, route, Boolean(header)]).toEqual([method, route, method === 'post']);
      if (header) expect(header.schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    }
  });

  test('create bodies are required and are variants by type that each carry every property (no bare anyOf)', () => {
    for (const route of ['/checkout-sessions', '/checkout-links', '/payment-links', '/webhooks', '/accounts']) {
      expect([route, doc.paths[route].post.requestBody.required]).toEqual([route, true]);
    }
    for (const { op } of operations()) {
      const schema = op.requestBody && resolve(op.requestBody.content['application/json'].schema);
      if (schema) expect(schema.anyOf).toBeUndefined();
    }
    const variants = body('post', '/checkout-sessions').oneOf.map(resolve);
    expect(variants.map((v: any) => v.properties.type.enum)).toEqual([['options'], ['preset'], ['fixed']]);
    for (const v of variants) {
      expect(v.properties).toHaveProperty('currency');
      expect(v.properties).toHaveProperty('metadata');
      expect(v.properties).toHaveProperty('transfers');
      expect(v.additionalProperties).toBe(false);
    }
    expect(variants.map((v: any) => v.required)).toEqual([
      expect.arrayContaining(['currency', 'type', 'options']), expect.arrayContaining(['currency', 'type', 'preset']), ['currency', 'amount']]);
    expect(variants[2].properties).not.toHaveProperty('options');
    expect(variants[2].properties.amount).toMatchObject({ minimum: 0, exclusiveMinimum: true });
    // Body-less actions declare no body.
    expect(doc.paths['/checkout-sessions/{id}/deactivate'].post.requestBody).toBeUndefined();
  });
});

describe('the document is as strict as the validation, in forms generators handle', () => {
  const doc = openApiDocument(300) as any;
  const schemas = doc.components.schemas;
  const price = schemas.CheckoutParamsPrice.properties;
  const updateBody = doc.paths['/checkout-sessions/{id}'].post.requestBody.content['application/json'].schema;

  test('currencies and event types are enums the validation accepts exactly', () => {
    expect(price.currency.enum).toEqual(Object.keys(CURRENCY_DECIMALS));
    const events = doc.paths['/webhooks'].post.requestBody.content['application/json'].schema.properties.enabled_events.items.enum;
    expect(events.every(isEventSelector)).toBe(true);
    expect(events).toEqual(expect.arrayContaining(['*', 'checkout_session.*', ...WEBHOOK_EVENT_TYPES]));
  });

  test('every URL the pattern allows is one the validation accepts', () => {
    const pattern = new RegExp(price.success_url.pattern);
    fc.assert(fc.property(fc.stringMatching(pattern), (url) => isHttpUrl(url)), { numRuns: 500 });
    for (const url of ['https://shop.example/thanks', 'http://127.0.0.1:8799/hook', 'http://localhost:3000/x?y=1']) expect(pattern.test(url)).toBe(true);
    expect(new RegExp(updateBody.properties.success_url.pattern).test('')).toBe(true);
  });

  test('amount, ttl, tolerance and percentages carry their bounds', () => {
    expect(price.amount).toMatchObject({ minimum: 0, exclusiveMinimum: true });
    expect(price.ttl).toMatchObject({ minimum: 300, maximum: MAX_TTL_SECONDS });
    expect((openApiDocument(1) as any).components.schemas.CheckoutParamsPrice.properties.ttl.minimum).toBe(1);
    expect(price.amount_paid_tolerance).toMatchObject({ minimum: 0, maximum: 5 });
    expect(price.transfers.items.properties.percentage).toMatchObject({ minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true });
    expect(price.payment_methods.uniqueItems).toBe(true);
    expect(schemas.CheckoutParamsOptions.properties.options.items).toMatchObject({ type: 'number', minimum: 0, exclusiveMinimum: true });
  });

  test('metadata values are one schema without anyOf; no request schema is an anyOf of primitives', () => {
    expect(price.metadata.additionalProperties.anyOf).toBeUndefined();
    expect(price.metadata.additionalProperties.not.anyOf).toEqual(expect.arrayContaining([{ type: 'object' }, { type: 'string', minLength: 501 }]));
    expect(JSON.stringify(doc)).not.toMatch(/"anyOf":\[\{"type":"(string|number|boolean)"/);
  });

  test('an update declares no nullable field, so a generated client never sends null to clear one', () => {
    for (const route of ['/checkout-sessions/{id}', '/webhooks/{id}', '/accounts/{id}']) {
      const body = doc.paths[route].post.requestBody.content['application/json'].schema;
      for (const [name, prop] of Object.entries<any>(body.properties)) expect([route, name, prop.nullable ?? false]).toEqual([route, name, false]);
    }
  });

  test('request strings state the edge rule (no control characters); trimmed required ones are not blank', () => {
    const text = new RegExp(price.description.pattern);
    expect(text.test('line one\nline two\tend')).toBe(true);
    expect(text.test('a\u0000b')).toBe(false);
    const label = new RegExp(price.custom_fields.items.properties.label.pattern);
    expect([label.test(' Size '), label.test('   '), label.test('')]).toEqual([true, false, false]);
  });
});
