import { randomBytes } from 'node:crypto';
import { call } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { dashboardClient, merchantWithUser, type DashboardClient } from '../e2e/support/dashboard';

/**
 * The dashboard's new-link form takes amounts, options, a preset range, the TTL, the tolerance and
 * transfer percentages as typed text. Each is parsed as an exact decimal and becomes a JSON number only
 * if that number is the same decimal: what `Number()` would have taken (an exponent, hex, a sign) or
 * rounded (more digits than a double holds) is refused with a 400 naming the field, and no link is made.
 */
const sys = useTestSystem({ parts: ['api'] });
let merchant: { id: string; key: string };
let owner: DashboardClient;
beforeAll(async () => {
  merchant = await merchantWithUser(sys.baseUrl, 'owner');
  owner = await dashboardClient(sys.baseUrl, (merchant as { email: string } & typeof merchant).email);
});

const create = (fields: Record<string, string>) => owner.post('/dashboard/links', {
  _csrf: owner.csrf, _seed: randomBytes(16).toString('hex'), kind: 'payment', currency: 'SATS', type: 'fixed',
  success_message: 'Thanks', ...fields,
});
const linkCount = async () => Number((await sys.db('links').where({ account_id: merchant.id }).count({ n: '*' }))[0].n);
/** The link the form made, as the API shows it. */
const madeLink = async (location: string | null) => {
  const id = /\/dashboard\/links\/(plink_\w+)$/.exec(location ?? '')?.[1];
  expect(id).toBeDefined();
  return (await call(sys.baseUrl, merchant.key, 'GET', `/payment-links/${id}`)).body;
};

test('amounts, the TTL, the tolerance and percentages are taken as the exact decimals typed (spaces around them dropped)', async () => {
  const fixed = await create({ currency: 'BTC', amount: ' 0.00012345 ', ttl: ' 600 ', amount_paid_tolerance: '1.50' });
  expect(fixed.status).toBe(303);
  const link = await madeLink(fixed.location);
  expect([link.amount, link.currency, link.ttl, link.amount_paid_tolerance]).toEqual([0.00012345, 'BTC', 600, 1.5]);

  const options = await create({ currency: 'USD', type: 'options', options: '1.25, 10 ,007' });
  expect(options.status).toBe(303);
  expect((await madeLink(options.location)).options).toEqual([1.25, 10, 7]);

  const preset = await create({ currency: 'SATS', type: 'preset', preset_min: '1000', preset_max: ' 2000' });
  expect(preset.status).toBe(303);
  expect((await madeLink(preset.location)).preset).toEqual({ min_amount: 1000, max_amount: 2000 });
});

test.each([
  // Number() takes the exponents, hex and signs as numbers and rounds the long ones (to 1 and 12345678901234567000).
  ['amount 1e0', { amount: '1e0' }, 'amount', 'must be a number with at most 8 decimal places'],
  ['amount 0x1', { amount: '0x1' }, 'amount', 'must be a number with at most 8 decimal places'],
  ['amount 1.0000000000000000001', { currency: 'BTC', amount: '1.0000000000000000001' }, 'amount', 'must be a number with at most 8 decimal places'],
  ['amount +1', { amount: '+1' }, 'amount', 'must be a number with at most 8 decimal places'],
  ['amount 1,5', { amount: '1,5' }, 'amount', 'must be a number with at most 8 decimal places'],
  ['amount 12345678901234567890', { amount: '12345678901234567890' }, 'amount', 'has more digits than can be kept exactly'],
  ['option 1e1', { type: 'options', options: '10, 1e1' }, 'options[1]', 'must be a number with at most 8 decimal places'],
  ['preset maximum 0x10', { type: 'preset', preset_min: '1000', preset_max: '0x10' }, 'preset.max_amount', 'must be a number with at most 8 decimal places'],
  ['TTL 6e2', { amount: '1000', ttl: '6e2' }, 'ttl', 'must be a whole number'],
  ['tolerance 1.0000000000000000001', { amount: '1000', amount_paid_tolerance: '1.0000000000000000001' }, 'amount_paid_tolerance', 'must be a number with at most 2 decimal places'],
  ['transfer percentage 1e1', { amount: '1000', tr0_account: 'acct_000000000000000000000000', tr0_percentage: '1e1' }, 'transfers[0].percentage', 'must be a number with at most 2 decimal places'],
] as const)('%s: refused with a 400 naming the field, and no link is made', async (_what, fields, param, message) => {
  const before = await linkCount();
  const res = await create(fields as Record<string, string>);
  expect(res.status).toBe(400);
  const shown = /data-testid="form-error"><strong>([^<]+)<\/strong>: ([^<]+)<\/p>/.exec(res.text);
  expect(shown?.[1]).toBe(param);
  expect(shown?.[2]).toBe(`Invalid ${param}: ${message}`);
  expect(await linkCount()).toBe(before);
});
