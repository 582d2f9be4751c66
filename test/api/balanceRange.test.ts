/**
 * A running balance cannot be pushed out of range into endless retries: balances are NUMERIC (a sum of
 * receipts cannot reach their limit), a movement that would still leave the range is refused for good
 * and the session flagged, and balances past 2^53 are sent as exact decimal strings.
 * The balances it writes, which reconcile would report, stay in the file's own database (test/support/testDatabases.ts).
 */
import { T } from '../../src/db/tables';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const setBalance = (balance: string) => sys.db(T.accountBalances).insert({ account_id: merchant.id, livemode: false, balance })
  .onConflict(['account_id', 'livemode']).merge({ balance });

async function sale(): Promise<{ id: string; payment_id: string }> {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
  expect((await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 1000 })).status).toBe(200);
  return cs;
}

test('a sale credited past the old bigint limit (2^63 - 1) lands; the balance is sent as an exact string', async () => {
  await setBalance('9223372036854775800');
  const cs = await sale();
  expect((await waitFor(() => api('GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid')).body.status).toBe('paid');
  // 1000 in, 1 % platform fee (10) out.
  const balance = (await api('GET', '/balances')).body.available[0].amount;
  expect(balance).toBe('9223372036854776790');
});

test('a movement that would leave the balance range is refused for good and the session flagged, not credited twice', async () => {
  await setBalance('9999999999999999999999999999999999999500');
  const cs = await sale();
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const described = await waitFor(() => handle.describe(), (d) => d.typedSearchAttributes.getAll().some((a) => a.key.name === 'CheckoutAttention' && a.value === true), 20_000);
  expect(described.typedSearchAttributes.getAll().find((a) => a.key.name === 'CheckoutAttention')?.value).toBe(true);
  expect((await api('GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ status: 'active', target_amount_paid: null });
  expect((await sys.db(T.accountBalances).where({ account_id: merchant.id, livemode: false }).first()).balance).toBe('9999999999999999999999999999999999999500');
});
