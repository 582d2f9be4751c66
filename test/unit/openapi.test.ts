import { openApiDocument } from '../../src/api/openapi';

describe('the OpenAPI document generated from the validation schemas', () => {
  const doc = openApiDocument(300) as any;
  const body = (method: string, path: string) => doc.paths[path][method].requestBody.content['application/json'].schema;

  test('documents the create-session body exactly as validated: known fields only, the seed fields all there', () => {
    const schema = body('post', '/checkout-sessions');
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
});
