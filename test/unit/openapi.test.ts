import { openApiDocument } from '../../src/api/openapi';

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
