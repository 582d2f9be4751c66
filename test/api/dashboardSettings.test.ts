import { T } from '../../src/db/tables';
import { normalizeDecimal } from '../../src/domain/money';
import { ADMIN_KEY, call } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { dashboardClient, merchantWithUser, type DashboardClient } from '../e2e/support/dashboard';

/**
 * The dashboard's account form takes the default tolerance as typed text: it is parsed as an exact
 * decimal under the admin API's rule (0 to 5, at most 2 decimals), never through a float, and a
 * malformed value is refused with the API's own message naming the field.
 */
const sys = useTestSystem({ parts: ['api'] });
let merchant: { id: string };
let owner: DashboardClient;
beforeAll(async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner');
  merchant = m;
  owner = await dashboardClient(sys.baseUrl, m.email);
});

const save = (tolerance: string) => owner.post('/dashboard/settings/account',
  { _csrf: owner.csrf, name: 'Dashboard merchant', xpub: '', amount_paid_tolerance: tolerance });
const stored = async () => normalizeDecimal((await sys.db(T.accounts).where({ id: merchant.id }).first('amount_paid_tolerance')).amount_paid_tolerance);
/** The message the admin API gives for this JSON body's tolerance. */
const apiRefusal = async (tolerance: number) =>
  (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${merchant.id}`, { amount_paid_tolerance: tolerance })).body.errors[0].message as string;

test('a tolerance is saved as the exact decimal typed (trailing zeros dropped)', async () => {
  for (const [typed, saved] of [['2.25', '2.25'], ['1.50', '1.5'], [' 0.1 ', '0.1'], ['5', '5'], ['0', '0']]) {
    const res = await save(typed);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Account saved.');
    expect(await stored()).toBe(saved);
  }
});

test.each([
  // Number() would have taken these as 1 (or 1.5 and 10): none is a decimal as typed.
  '1e0', '0x1', '1.0000000000000000001', '+1', '1,5', '1.5.0', 'Infinity', '-0', 'one',
])('a malformed tolerance (%j) is refused with a 400 naming the field, and nothing is saved', async (typed) => {
  await save('2.5');
  const res = await save(typed);
  expect(res.status).toBe(400);
  expect(res.text).toContain('Invalid amount_paid_tolerance: must be a number with at most 2 decimal places');
  expect(await stored()).toBe('2.5');
});

test('out of range or too precise, the form says what the admin API says', async () => {
  await save('2.5');
  for (const [typed, json] of [['1.005', 1.005], ['6', 6], ['5.01', 5.01]] as const) {
    const res = await save(typed);
    expect(res.status).toBe(400);
    expect(res.text).toContain(await apiRefusal(json));
  }
  expect(await apiRefusal(6)).toBe('Invalid amount_paid_tolerance: must be between 0 and 5');
  expect(await stored()).toBe('2.5');
});
