/**
 * Renewals cost O(1): an expired payment is renewed only when a customer can pay (the payment page),
 * and a renewed payment keeps its unfunded on-chain address. An abandoned session makes nothing more
 * however many TTLs pass; money on a shared address is credited to the newest payment that has it.
 */
import { T } from '../../src/db/tables';
import { watcherContext } from '../../src/watcher/context';
import { ingestReceipt } from '../../src/watcher/ingest';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem({ env: { MONITORING_HOURS: '0' } });
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The payment page's status poll (no credentials): the only read that renews an expired payment. */
const pageStatus = (id: string) => fetch(`${sys.baseUrl}/pay/${id}/status`).then((r) => r.json() as Promise<{ payment: { id: string } }>);
const paymentsOf = (id: string) => sys.db(T.payments).where({ checkout_session_id: id }).orderBy('seq');
const eventTypesOf = async (id: string) => (await sys.db(T.events).where('data', '@>', JSON.stringify({ object: { checkout_session: id } }))
  .orWhere('data', '@>', JSON.stringify({ object: { id } })).orderBy('created')).map((e: { event_type: string }) => e.event_type);

test('an abandoned session makes nothing after its payment expires; the open page renews it on the same address', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, ttl: 1 })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const indexBefore = await sys.db(T.accounts).where({ id: merchant.id }).first();
  await waitFor(() => sys.db(T.payments).where({ id: cs.payment_id }).first(), (p) => p.status === 'expired');
  // The history after the expiry is complete once the workflow has no task or activity left to run
  // (not after a fixed pause, which a loaded machine can outlast).
  const historyAfterExpiry = (await waitFor(() => handle.describe(),
    (d) => !d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0, 30_000)).historyLength;
  // Eight more TTLs with nobody looking: no payment, no event, no history.
  await sleep(8_000);
  expect((await handle.describe()).historyLength).toBe(historyAfterExpiry);
  expect(await paymentsOf(cs.id)).toHaveLength(1);
  const events = await eventTypesOf(cs.id);
  expect(events.filter((t) => t.startsWith('payment.')).sort()).toEqual(['payment.created', 'payment.expired']);
  // The payment stays current and expired until someone asks; the workflow row says so.
  expect((await sys.db(T.sessions).where({ id: cs.id }).first()).payment_id).toBe(cs.payment_id);

  // An API read shows the expired payment and renews nothing.
  expect((await api('GET', `/checkout-sessions/${cs.id}`)).body.payment_id).toBe(cs.payment_id);
  expect(await paymentsOf(cs.id)).toHaveLength(1);

  // Twenty page polls after expiry, each renewing: 21 payments, one address, one address index handed out.
  let current = cs.payment_id as string;
  for (let i = 0; i < 20; i++) {
    const read = await pageStatus(cs.id);
    expect(read.payment.id).not.toBe(current);
    current = read.payment.id;
    await waitFor(() => sys.db(T.payments).where({ id: current }).first(), (p) => Number(p.expires_at) < Date.now(), 5_000);
  }
  const payments = await paymentsOf(cs.id);
  expect(payments).toHaveLength(21);
  expect(new Set(payments.map((p: { onchain_address: string }) => p.onchain_address)).size).toBe(1);
  expect(new Set(payments.map((p: { address_index: number }) => p.address_index)).size).toBe(1);
  // No index was allocated by the renewals: the wallet's gap limit never sees them.
  const indexAfter = await sys.db(T.accounts).where({ id: merchant.id }).first();
  expect(indexAfter.next_address_index_test).toBe(indexBefore.next_address_index_test);

  // Money on the shared address goes to the newest payment with it; the next payment gets a fresh address.
  const renewed = { payment_id: (await pageStatus(cs.id)).payment.id };
  const stored = await ingestReceipt(watcherContext(sys.ctx), {
    address: payments[0].onchain_address, reference: `shared${Date.now()}:0`, method: 'onchain', amountSats: 2000n,
  });
  expect(stored?.receipt?.payment_id).toBe(renewed.payment_id);
  const after = await waitFor(() => api('GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (s) => s.target_amount_paid === 2000 && s.payment_id !== renewed.payment_id);
  const next = await sys.db(T.payments).where({ id: after.payment_id }).first();
  expect(next.onchain_address).not.toBe(payments[0].onchain_address);
  expect(next.target_amount).toBe('3000');
});

test('a GET of a session whose payment has not expired changes nothing (the validator refuses the renewal)', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const before = (await handle.describe()).historyLength;
  for (let i = 0; i < 5; i++) expect((await api('GET', `/checkout-sessions/${cs.id}`)).body.payment_id).toBe(cs.payment_id);
  expect((await handle.describe()).historyLength).toBe(before);
});
