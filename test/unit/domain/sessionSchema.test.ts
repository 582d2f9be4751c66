import fs from 'node:fs';
import path from 'node:path';
import { createSessionSchema } from '../../../src/domain/input/sessionFields';
import { fromZodError } from '../../../src/api/errors';

const schema = createSessionSchema(300);
const seedRequest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/seed-create-request.json'), 'utf8'));

function paramOfFailure(body: unknown): string | undefined {
  const result = schema.safeParse(body);
  if (result.success) return undefined;
  return fromZodError(result.error).param;
}

describe('the create-session schema', () => {
  test('accepts the seed example request', () => {
    const result = schema.safeParse(seedRequest);
    expect(result.success).toBe(true);
  });

  test.each([
    [{ amount: 10 }, 'currency'],
    [{ currency: 'XYZ', amount: 10 }, 'currency'],
    [{ currency: 'SATS' }, 'amount'],
    [{ currency: 'SATS', amount: 10.5 }, 'amount'],
    [{ currency: 'USD', amount: 10.001 }, 'amount'],
    [{ currency: 'SATS', amount: -1 }, 'amount'],
    [{ currency: 'SATS', amount: 10, target_currency: 'BTC' }, 'target_currency'],
    [{ currency: 'SATS', amount: 10, ttl: 299 }, 'ttl'],
    [{ currency: 'SATS', amount: 10, ttl: 31_536_001 }, 'ttl'],
    [{ currency: 'SATS', amount: 10, payment_methods: ['cash'] }, 'payment_methods[0]'],
    [{ currency: 'SATS', amount: 10, payment_methods: [] }, 'payment_methods'],
    [{ currency: 'SATS', amount: 10, amount_paid_tolerance: 5.01 }, 'amount_paid_tolerance'],
    [{ currency: 'SATS', amount: 10, amount_paid_tolerance: 1.234 }, 'amount_paid_tolerance'],
    [{ currency: 'SATS', amount: 10, success_url: 'ftp://x' }, 'success_url'],
    [{ currency: 'SATS', amount: 10, success_url: 'https://a.b', success_message: 'hi' }, 'success_message'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_a', percentage: 0 }] }, 'transfers[0].percentage'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_a', percentage: 100 }] }, 'transfers[0].percentage'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_a', percentage: 10.123 }] }, 'transfers[0].percentage'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'x', percentage: 10 }] }, 'transfers[0].destination_account'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_a', percentage: 60 }, { destination_account: 'acct_b', percentage: 41 }] }, 'transfers'],
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_a', percentage: 10, bogus: 1 }] }, 'transfers[0].bogus'],
    [{ currency: 'SATS', amount: 10, custom_fields: [{ type: 'dropdown', label: 'x' }] }, 'custom_fields[0].options'],
    [{ currency: 'SATS', amount: 10, custom_fields: [{ type: 'date', label: 'x' }] }, 'custom_fields[0].type'],
    [{ currency: 'SATS', amount: 10, metadata: { k: { nested: true } } }, 'metadata.k'],
    [{ currency: 'SATS', amount: 10, customer_collections_status: { is_fax_enabled: true } }, 'customer_collections_status.is_fax_enabled'],
    [{ currency: 'SATS', amount: 10, unknown_field: 1 }, 'unknown_field'],
    [{ currency: 'SATS', type: 'options' }, 'options'],
    [{ currency: 'SATS', type: 'options', options: [1, 2, 3, 4] }, 'options'],
    [{ currency: 'SATS', type: 'preset', preset: { min_amount: 10, max_amount: 5 } }, 'preset.max_amount'],
    [{ currency: 'SATS', amount: 0 }, 'amount'],
    [{ currency: 'SATS', type: 'options', options: ['ten'] }, 'options[0]'],
    [{ currency: 'SATS', type: 'options', options: [100, '1e2'] }, 'options[1]'],
    [{ currency: 'USD', type: 'options', options: ['-5'], transfers: [{ destination_account: 'acct_a', percentage: 60 }, { destination_account: 'acct_b', percentage: 41 }] }, 'options[0]'],
  ])('%j is refused naming %s', (body, param) => {
    expect(paramOfFailure(body)).toBe(param);
  });

  test.each([
    { currency: 'usd', amount: 19.99 },
    { currency: 'BTC', amount: 0.00012345 },
    { currency: 'SATS', type: 'options', options: [100, 200] },
    { currency: 'EUR', type: 'preset', preset: { min_amount: 1, max_amount: 50.5 } },
    { currency: 'SATS', amount: 1, metadata: { order: '42', paid: false, n: 3 }, cashback: { id: 'cb_1' } },
  ])('%j is accepted', (body) => {
    expect(schema.safeParse(body).success).toBe(true);
  });

  test('as on Speed, an amount sent with type options or preset is accepted and ignored (the customer picks it)', () => {
    for (const body of [
      { currency: 'SATS', amount: 200, type: 'preset', preset: { min_amount: 1, max_amount: 5 } },
      { currency: 'SATS', amount: 0, type: 'options', options: [100, 200] },
    ]) {
      const parsed = schema.parse(body);
      expect(parsed).not.toHaveProperty('amount');
    }
  });

  test("Speed's string options (its API reference types them as strings) are read as amounts", () => {
    expect(schema.parse({ currency: 'USD', type: 'options', options: ['10.50', '20'] }).options).toEqual([10.5, 20]);
  });
});
