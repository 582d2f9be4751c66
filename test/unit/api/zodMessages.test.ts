import { z } from 'zod';
import { InvalidRequestError } from '../../../src/api/errors';
import { createSessionSchema, updateSessionSchema } from '../../../src/domain/input/sessionFields';
import { createAccountSchema } from '../../../src/api/accounts/schema';
import { createWebhookSchema } from '../../../src/api/webhooks/schema';
import { parseOr400 } from '../../../src/api/validate';

/** The 400 a body gets: message and param. */
function refusal(schema: z.ZodType, body: unknown): { message: string; param?: string } {
  try {
    parseOr400(schema, body);
  } catch (err) {
    if (err instanceof InvalidRequestError) return { message: err.message, param: err.param };
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

const create = createSessionSchema(300);

describe('validation messages name the field and say what was expected, in the API\'s words', () => {
  test.each([
    [create, { currency: 'SATS', amount: '10' }, 'amount', 'Invalid amount: expected a number, got a string'],
    [create, { currency: 'SATS', amount: 10, title: 5 }, 'title', 'Invalid title: expected a string, got a whole number'],
    [create, { currency: 'SATS', amount: 10, ttl: 300.5 }, 'ttl', 'Invalid ttl: expected a whole number, got a number with decimals'],
    [create, { currency: 'SATS', amount: 10, ttl: -6.9e27 }, 'ttl', 'Invalid ttl: is out of range'],
    [create, { currency: 'SATS', amount: 10, metadata: { order: [1] } }, 'metadata.order', 'Invalid metadata.order: expected a string, a number or true or false, got an array'],
    [create, { currency: 'SATS', amount: 10, metadata: { '': 'x' } }, 'metadata', 'Invalid metadata: a key must not be empty'],
    [create, { currency: 'SATS', amount: 10, metadata: { ['k'.repeat(41)]: 'x' } }, 'metadata', 'Invalid metadata: a key must be at most 40 characters'],
    [create, { currency: 'SATS', amount: 10, payment_methods: ['cash'] }, 'payment_methods[0]', 'Invalid payment_methods[0]: must be one of lightning, onchain'],
    [create, { currency: 'SATS', amount: 10, payment_methods: [] }, 'payment_methods', 'Invalid payment_methods: must not be empty'],
    [create, { currency: 'SATS', amount: 10, target_currency: 'BTC' }, 'target_currency', 'Invalid target_currency: must be "SATS"'],
    [create, { currency: 'SATS', amount: 10, description: 'x'.repeat(1001) }, 'description', 'Invalid description: must be at most 1000 characters'],
    [create, { currency: 'SATS', amount: 10, preset: null }, 'preset', 'Invalid preset: expected an object, got null'],
    [updateSessionSchema, { metadata: 'x' }, 'metadata', 'Invalid metadata: expected an object, got a string'],
    [createAccountSchema, { name: 7 }, 'name', 'Invalid name: expected a string, got a whole number'],
    [createWebhookSchema, { url: 'https://a.example', enabled_events: 'x' }, 'enabled_events', 'Invalid enabled_events: expected an array, got a string'],
  ])('%#: %j', (schema, body, param, message) => {
    expect(refusal(schema as z.ZodType, body)).toEqual({ param, message });
  });

  test('a field that is absent is "Missing required param"; one that is present but wrong never is', () => {
    expect(refusal(create, { amount: 10 })).toEqual({ param: 'currency', message: 'Missing required param: currency.' });
    expect(refusal(create, { currency: null, amount: 10 }).message).toBe('Invalid currency: expected a string, got null');
  });

  test('the validator\'s own words never reach a client', () => {
    const bodies = [
      { currency: 'SATS', amount: JSON.parse('1e400') }, { currency: 'SATS', amount: 10, ttl: 9e30 }, { currency: 'SATS', amount: 10, metadata: { '': 1 } },
      { currency: 'SATS', amount: 10, custom_fields: [{ type: 'x', label: '' }] }, { currency: 'SATS', amount: 10, transfers: 'x' },
      { currency: 'SATS', type: 'options', options: [true] },
    ];
    for (const body of bodies) {
      expect(refusal(create, body).message).not.toMatch(/Too small|Too big|expected int|>=|<=|Invalid key in record|Invalid input|received/);
    }
  });

  test('a schema\'s own message wins over the map', () => {
    expect(refusal(createWebhookSchema, { url: 'ftp://x', enabled_events: ['*'] }).message).toBe('Invalid url: must be an http(s) URL');
  });
});
