/**
 * The workflow trusts only the database. A receipt signal names a stored receipt; its amount,
 * reference and payment come from the row, scoped to the session. Forged signals sent straight to
 * Temporal (anyone reaching its frontend could) credit nothing, and the session keeps working.
 */
import { T } from '../../src/db/tables';
import { receiptSignal, stateQuery } from '../../src/temporal/definitions';
import { writeStateAndEvents } from '../../activities/readModel';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);
const ledgerRowsOf = async (sessionId: string) => Number((await sys.db(T.ledgerTransactions).where({ checkout_session_id: sessionId }).count({ n: '*' }))[0].n);

test('a forged receipt signal with a made-up amount, or naming another session\'s receipt, credits nothing', async () => {
  const dest = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, merchant.id, dest.id);
  const victim = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10000, transfers: [{ destination_account: dest.id, percentage: 50 }] })).body;
  const other = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000 })).body;
  const paid = (await api('POST', `/test-helpers/payments/${other.payment_id}/receive`, { amount: 1000 })).body;
  await waitFor(() => session(other.id), (s) => s.target_amount_paid === 1000);
  const otherLedger = await ledgerRowsOf(other.id);

  const handle = sys.temporal.workflow.getHandle(victim.id);
  const terms = { id: victim.payment_id, seq: 1, amount: '10000', exchangeRate: '1', targetAmount: '10000', expiresAt: Date.now() + 1e9 };
  // Another session's real receipt, with an inflated amount and the victim's payment.
  // By name: a forger sends whatever payload it likes.
  await handle.signal('receipt', { receiptId: paid.id, reference: 'forged:0', paymentId: victim.payment_id, method: 'onchain', sats: '99999999', payment: terms });
  // A receipt that does not exist at all.
  await handle.signal('receipt', { receiptId: 'rcpt_madeup', reference: 'madeup:0', paymentId: victim.payment_id, method: 'onchain', sats: '10000', payment: terms });
  await handle.signal(receiptSignal, { receiptId: 'rcpt_madeup2' });
  // A real receipt afterwards is credited: the forgeries were refused, not fatal.
  await api('POST', `/test-helpers/payments/${victim.payment_id}/receive`, { amount: 2500 });
  const state = await waitFor(() => handle.query(stateQuery), (s) => s.receivedSats !== '0');
  expect(state).toMatchObject({ status: 'active', receivedSats: '2500' });
  expect(await waitFor(() => session(victim.id), (s) => s.target_amount_paid !== null)).toMatchObject({ status: 'active', target_amount_paid: 2500 });
  await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: victim.id }), (ts) => ts.length === 1 && ts[0].status === 'paid');
  expect((await handle.describe()).status.name).toBe('RUNNING');
  // Only the real receipt moved money: payment + fee + one transfer, nothing for the forgeries.
  const ledger = await sys.db(T.ledgerTransactions).where({ checkout_session_id: victim.id }).select('type', 'receipt_id');
  expect(new Set(ledger.map((l) => l.receipt_id)).size).toBe(1);
  expect(ledger.map((l) => l.type).sort()).toEqual(['payment', 'platform_fee', 'transfer']);
  expect(await sys.db(T.transfers).where({ checkout_session_id: victim.id }).count({ n: '*' })).toEqual([{ n: '1' }]);
  // The other session's receipt was neither moved nor counted twice.
  expect(await sys.db(T.receipts).where({ id: paid.id }).first()).toMatchObject({ checkout_session_id: other.id, status: 'credited' });
  expect(await ledgerRowsOf(other.id)).toBe(otherLedger);
  expect(await session(other.id)).toMatchObject({ target_amount_paid: 1000 });
});

test('a late write of an older state never takes a paid payment back to unpaid', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 3000 })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const before = await handle.query(stateQuery);
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 3000 });
  await waitFor(() => session(cs.id), (s) => s.status === 'paid');
  // A zombie attempt of an earlier transition (its state still says the payment is unpaid) commits late.
  await sys.db.transaction((tx) => writeStateAndEvents(tx, before, [], 'http://checkout.test', Date.now()));
  expect(await sys.db(T.payments).where({ id: cs.payment_id }).first()).toMatchObject({ status: 'paid', received_sats: '3000' });
  expect(await session(cs.id)).toMatchObject({ status: 'paid', target_amount_paid: 3000 });
});
