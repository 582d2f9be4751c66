import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { REFUNDS } from '../../src/db/refunds';
import { T } from '../../src/db/tables';
import { WITHDRAWAL_LINKS } from '../../src/db/withdrawalLinks';
import { reconcile } from '../../src/services/reconcile';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// Reconcile ties every account's reservation to the money-out objects in flight (src/services/reservations.ts):
// a deliberately broken row (a final object that kept its hold, a hold of no object) is reported.
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest' } });

const customer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
const api = (key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);
const reservationDiffs = async (accountId: string) => (await reconcile(sys.db)).filter((d) => d.subject === `${accountId}:false`);

async function fundedMerchant(sats: number) {
  const m = await createMerchant(sys.baseUrl);
  const cs = (await api(m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: sats })).body;
  await api(m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: sats, method: 'lightning' });
  await waitFor(() => api(m.key, 'GET', '/balances'), (r) => r.body.available[0].amount > 0);
  return m;
}

test('reservations of objects in flight agree; a final object that kept its hold, or a hold of no object, is a difference', async () => {
  const m = await fundedMerchant(10_000);
  const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 2_000 })).body;
  expect(link.status).toBe('active');
  expect(await reservationDiffs(m.id)).toEqual([]);

  // Broken: the link is final (deactivated) but its reservation was never released.
  await sys.db(WITHDRAWAL_LINKS).where({ id: link.id }).update({ status: 'deactivated' });
  try {
    expect(await reservationDiffs(m.id)).toEqual([
      { kind: 'reservation_without_object', subject: `${m.id}:false`, expected: '0 (no money-out object in flight)', actual: String(2_000 + link.fee_limit) },
    ]);
  } finally {
    await sys.db(WITHDRAWAL_LINKS).where({ id: link.id }).update({ status: 'active' });
  }
  expect(await reservationDiffs(m.id)).toEqual([]);

  // Broken: an object in flight whose hold is gone (its balance could be spent twice).
  await sys.db(T.accountBalances).where({ account_id: m.id, livemode: false }).update({ reserved: 0 });
  try {
    expect(await reservationDiffs(m.id)).toEqual([
      { kind: 'object_without_reservation', subject: `${m.id}:false`, expected: `${2_000 + link.fee_limit} (in flight: ${link.id})`, actual: '0' },
    ]);
  } finally {
    await sys.db(T.accountBalances).where({ account_id: m.id, livemode: false }).update({ reserved: 2_000 + link.fee_limit });
  }

  // The real way out: deactivated through the API, the reservation released with the status.
  expect((await api(m.key, 'POST', `/withdrawal-links/${link.id}/deactivate`)).body.status).toBe('deactivated');
  expect(await reservationDiffs(m.id)).toEqual([]);
});

test('a refund paid to an invoice holds nothing once final; the same refund shown pending again is a hold that is missing', async () => {
  const m = await fundedMerchant(10_000);
  const sessions = (await api(m.key, 'GET', '/checkout-sessions')).body.data;
  const pr = (await customer.createInvoice({ amountSats: 1_000n, memo: 'refund', expirySeconds: 600 })).paymentRequest;
  const refund = (await api(m.key, 'POST', '/refunds', { checkout_session: sessions[0].id, amount: 1_000, withdraw_method: 'lightning', withdraw_request: pr })).body;
  const done = await waitFor(() => api(m.key, 'GET', `/refunds/${refund.id}`), (r) => r.body.status !== 'pending');
  expect(done.body.status).toBe('succeeded');
  expect(await reservationDiffs(m.id)).toEqual([]);

  await sys.db(REFUNDS).where({ id: refund.id }).update({ status: 'pending' });
  try {
    expect(await reservationDiffs(m.id)).toEqual([expect.objectContaining({
      kind: 'object_without_reservation', expected: expect.stringContaining(refund.id), actual: '0' })]);
  } finally {
    await sys.db(REFUNDS).where({ id: refund.id }).update({ status: 'succeeded' });
  }
});
