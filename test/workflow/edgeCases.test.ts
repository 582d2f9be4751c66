/**
 * Edge cases that used to wedge a session or mislabel it: a split share of 0 sats, bad input that only
 * failed inside the workflow, a chosen amount outside the session's options, a redelivery loop without
 * backoff, a fiat price paid exactly, and receipts left uncredited that nobody saw.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { T } from '../../src/db/tables';
import { reconcile } from '../../src/services/reconcile';
import { chooseAmountUpdate, retryUpdate } from '../../src/temporal/definitions';
import { watcherContext } from '../../src/watcher/context';
import { redeliverPending } from '../../src/watcher/redeliver';
import { call, createMerchant, waitFor, type TestSystem } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem({ env: { WORKFLOW_RETRY_BASE_SECONDS: '60' } });
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);

test('a split share that rounds to 0 sats is skipped, and the session goes on: 1,000 sats, 5 %, paid 10 then 990', async () => {
  const dest = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, merchant.id, dest.id);
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000, transfers: [{ destination_account: dest.id, percentage: 5 }] })).body;
  const first = (await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10 })).body;
  const partial = await waitFor(() => session(cs.id), (s) => s.target_amount_paid === 10 && s.payment_id !== cs.payment_id);
  expect(await sys.db(T.receipts).where({ id: first.id }).first()).toMatchObject({ status: 'credited' });
  expect(await sys.db(T.transfers).where({ receipt_id: first.id })).toEqual([]);
  const second = (await api('POST', `/test-helpers/payments/${partial.payment_id}/receive`, { amount: 990 })).body;
  expect(await waitFor(() => session(cs.id), (s) => s.status === 'paid')).toMatchObject({ status: 'paid', target_amount_paid: 1000 });
  // 990 gross, 10 fee (1 %), floor(980 × 5 %) = 49.
  const transfers = await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id }), (ts) => ts.length === 1 && ts[0].status === 'paid');
  expect(transfers.map((t) => [t.receipt_id, t.amount])).toEqual([[second.id, '49']]);
});

test('bad input is a 400 naming the field at create, never a session that cannot get a payment', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ currency: 'SATS', amount: 1000, title: 'a\u0000b' }, 'title'],
    [{ currency: 'SATS', amount: 1000, metadata: { order: 'x\u0000' } }, 'metadata.order'],
    [{ currency: 'SATS', amount: 1000, title: '漢'.repeat(250) }, 'title'],
    [{ currency: 'SATS', amount: 1000, statement_descriptor: '€'.repeat(214) }, 'statement_descriptor'],
    [{ currency: 'SATS', amount: 3e15 }, 'amount'],
    [{ currency: 'BTC', amount: 21_000_001 }, 'amount'],
    [{ currency: 'BTC', amount: 0.000000001 }, 'amount'],
    [{ currency: 'SATS', type: 'options', options: [1000, 3e15] }, 'options[1]'],
  ];
  for (const [body, param] of cases) {
    const res = await api('POST', '/checkout-sessions', body);
    expect([param, res.status, res.body.errors?.[0]?.param]).toEqual([param, 400, param]);
  }
  // Exponent forms are amounts like any other: 5e-7 BTC is 50 sats.
  const small = await api('POST', '/checkout-sessions', { currency: 'BTC', amount: 0.0000005 });
  expect(small.status).toBe(200);
  expect(small.body.amount).toBe(0.0000005);
  const payment = (await api('GET', `/payments/${small.body.payment_id}`)).body;
  expect(payment.target_amount).toBe(50);
  // A long title that fits the memo's bytes gets its payment.
  const long = await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000, title: '漢'.repeat(213) });
  expect(long.status).toBe(200);
  expect(long.body.payment_id).toMatch(/^pi_/);
});

test('chooseAmount is refused by the validator unless it is one of the options (no trace in the history)', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: [1000, 2000] })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const before = (await handle.describe()).historyLength;
  for (const bad of ['abc', '5000', '-1000', '1000.5']) {
    const err = await handle.executeUpdate(chooseAmountUpdate, { args: [bad] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  }
  expect((await handle.describe()).historyLength).toBe(before);
  await handle.executeUpdate(chooseAmountUpdate, { args: ['2000'] });
  expect((await session(cs.id)).payment_id).toMatch(/^pi_/);
});

test('a fiat session paid exactly its target_amount is not overpaid (EUR 12.50)', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'EUR', amount: 12.5 })).body;
  const payment = (await api('GET', `/payments/${cs.payment_id}`)).body;
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: payment.target_amount });
  expect(await waitFor(() => session(cs.id), (s) => s.status === 'paid')).toMatchObject({ status: 'paid', exception_status: null });
});

test('redelivery backs off per receipt: 100 passes, two at a time, over a receipt its workflow cannot credit add one signal', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 700 })).body;
  await sys.db.raw(`create or replace function refuse_credit_edge() returns trigger as $$ begin raise exception 'database unavailable (simulated)'; end $$ language plpgsql`);
  await sys.db.raw(`create trigger refuse_credit_edge before update of status on receipts for each row when (new.checkout_session_id = '${cs.id}') execute function refuse_credit_edge()`);
  try {
    // Every test system's watcher shares this database: the receipt is due only at the passes' clock an
    // hour ahead, so only this test's passes can hand it on, and how long they take does not matter.
    const hourAhead = Date.now() + 3_600_000;
    const receiptId = `rcpt_stuck${Date.now()}`;
    await sys.db(T.receipts).insert({ id: receiptId, reference: `stuck${Date.now()}:0`, source: 'onchain', payment_id: cs.payment_id,
      checkout_session_id: cs.id, account_id: merchant.id, livemode: false, method: 'onchain', amount_sats: 700, status: 'received',
      created: Date.now() - 60_000, next_redelivery_at: hourAhead });
    const ctx = watcherContext(sys.ctx);
    const handle = sys.temporal.workflow.getHandle(cs.id);
    const signalsBefore = await signals(handle);
    let delivered = 0;
    // Two watchers at a time (the API's and the worker's process, say): the claim lets one hand it on.
    const pass = async () => (await redeliverPending(ctx, 1000, hourAhead)).filter((id) => id === receiptId).length;
    for (let i = 0; i < 50; i++) delivered += (await Promise.all([pass(), pass()])).reduce((a, b) => a + b, 0);
    expect(delivered).toBe(1);
    expect(await sys.db(T.receipts).where({ id: receiptId }).first()).toMatchObject({ redeliveries: 1 });
    expect((await signals(handle)) - signalsBefore).toBe(1);
  } finally {
    await sys.db.raw('drop trigger if exists refuse_credit_edge on receipts');
  }
  // Repaired: the operator's retry credits it (the shared test database is left reconciled).
  await waitFor(() => sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate), (r) => r.pending === 0);
  expect(await waitFor(() => session(cs.id), (s) => s.status === 'paid')).toMatchObject({ target_amount_paid: 700 });
});

test('reconcile reports a receipt stored but not credited for too long', async () => {
  const tx = await sys.db.transaction();
  try {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 900 })).body;
    await tx(T.receipts).insert({ id: 'rcpt_forgotten', reference: `forgotten${Date.now()}:0`, source: 'onchain', payment_id: cs.payment_id,
      checkout_session_id: cs.id, account_id: merchant.id, livemode: false, method: 'onchain', amount_sats: 900, status: 'received', created: Date.now() - 3_600_000 });
    const found = (await reconcile(tx)).filter((d) => d.kind === 'receipt_uncredited');
    expect(found.map((d) => d.subject)).toEqual([`rcpt_forgotten (${cs.id}, 900 sats)`]);
  } finally {
    await tx.rollback();
  }
});

async function signals(handle: ReturnType<TestSystem['temporal']['workflow']['getHandle']>): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}
