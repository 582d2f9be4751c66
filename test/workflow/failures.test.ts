/**
 * A session workflow never fails. Each kind of failure, caused for real against real PostgreSQL and
 * Temporal, leaves the workflow running, flagged (`CheckoutAttention`, a reason in its details), its other
 * inputs still handled, and retried: on its own growing backoff, or at once by the operator's `retry`.
 */
import { RateProviderError, StaticRateProvider, UnknownCurrencyError, type RateProvider } from '../../src/rates';
import { T } from '../../src/db/tables';
import { retryUpdate, stateQuery } from '../../src/temporal/definitions';
import { CheckoutAttentionKey } from '../../src/temporal/searchAttributes';
import { ADMIN_KEY, call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/** The platform's rate source, which the test can break. */
class BreakableRates implements RateProvider {
  failure: Error | null = null;
  private readonly inner = new StaticRateProvider();
  async btcPrice(currency: string): Promise<string> {
    if (this.failure) throw this.failure;
    return this.inner.btcPrice(currency);
  }
}

const rates = new BreakableRates();
// A 1 s first retry delay keeps the workflow's own backoff observable in a test.
const sys = useTestSystem({ env: { MONITORING_HOURS: '0', WORKFLOW_RETRY_BASE_SECONDS: '1', METRICS_REFRESH_SECONDS: '0' }, rates });
const merchant = useMerchant(sys);
afterEach(() => { rates.failure = null; });

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);
/** The payment page's status poll: the read that renews an expired payment. */
const openPage = (id: string) => fetch(`${sys.baseUrl}/pay/${id}/status`).then((r) => r.json());

/** The `checkout_workflows_needing_attention` gauge of /metrics (this system's task queue only). */
const attentionGauge = async () => {
  const text = await (await fetch(`${sys.baseUrl}/metrics`)).text();
  const line = /^checkout_workflows_needing_attention (\d+)$/m.exec(text);
  return line ? Number(line[1]) : null;
};

/** What an operator sees: the search attribute and the details line of the Web UI. */
async function attention(s: TestSystem, id: string): Promise<{ flagged: boolean; details: string; running: boolean }> {
  const handle = s.temporal.workflow.getHandle(id);
  const d = await handle.describe();
  const meta = d.status.name === 'RUNNING' ? await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata') : { currentDetails: '' };
  return { flagged: d.typedSearchAttributes.get(CheckoutAttentionKey) === true, details: meta.currentDetails, running: d.status.name === 'RUNNING' };
}

test('an unknown currency at renewal: flagged, still running, and renewed by its own backoff once priced again', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'USD', amount: 12.5, ttl: 1 })).body;
  rates.failure = new UnknownCurrencyError('USD');
  // The expired payment is renewed when the payment page is open (its status poll).
  const flagged = await waitFor(async () => { await openPage(cs.id); return attention(sys, cs.id); }, (a) => a.flagged, 20_000);
  expect(flagged).toMatchObject({ flagged: true, running: true });
  expect(flagged.details).toMatch(/ATTENTION .*open_payment: UnknownCurrencyError/);
  // Non-retryable inside the activity, so each round is one attempt; rounds repeat on the workflow's backoff.
  const later = await waitFor(() => attention(sys, cs.id), (a) => /retry [3-9]/.test(a.details), 20_000);
  expect(later.details).toMatch(/retry [3-9]/);

  rates.failure = null;
  const renewed = await waitFor(() => session(cs.id), (s) => s.payment_id !== cs.payment_id, 30_000);
  expect(renewed.payment_id).not.toBe(cs.payment_id);
  expect(await waitFor(() => attention(sys, cs.id), (a) => !a.flagged)).toMatchObject({ flagged: false, running: true });
  expect((await api('POST', `/checkout-sessions/${cs.id}/deactivate`)).status).toBe(200);
});

test('receipts keep being credited while the payment for the rest cannot be made; an operator retry makes it', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'USD', amount: 20 })).body;
  rates.failure = new RateProviderError('rate source down', 503);
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 500 });
  await waitFor(() => attention(sys, cs.id), (a) => a.flagged, 30_000);
  expect((await attention(sys, cs.id)).details).toMatch(/open_payment: RateProviderError/);
  // Money to the earlier payment while the renewal is failing is credited all the same.
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 300 });
  expect(await waitFor(() => session(cs.id), (s) => s.target_amount_paid === 800)).toMatchObject({ status: 'active', target_amount_paid: 800 });
  expect((await attention(sys, cs.id)).flagged).toBe(true);
  // Operators see it on /metrics too (visibility is eventually consistent: poll).
  expect(await waitFor(attentionGauge, (n) => n === 1, 30_000)).toBe(1);

  rates.failure = null;
  const retried = await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate);
  expect(retried).toEqual({ pending: 0, attention: null });
  expect(await waitFor(attentionGauge, (n) => n === 0, 30_000)).toBe(0);
  const s = await session(cs.id);
  expect(s.payment_id).not.toBe(cs.payment_id);
  expect((await attention(sys, cs.id)).flagged).toBe(false);
});

test('no xpub for the next address: flagged; the operator restores it and retries', async () => {
  const shop = await createMerchant(sys.baseUrl);
  const cs = (await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 4000, ttl: 1, payment_methods: ['onchain'] })).body;
  const account = await sys.db(T.accounts).where({ id: shop.id }).first();
  await sys.db(T.accounts).where({ id: shop.id }).update({ xpub_test: null });
  try {
    const flagged = await waitFor(async () => { await openPage(cs.id); return attention(sys, cs.id); }, (a) => a.flagged, 20_000);
    expect(flagged.details).toMatch(/open_payment: NoXpub/);
  } finally {
    await sys.db(T.accounts).where({ id: shop.id }).update({ xpub_test: account.xpub_test });
  }
  expect(await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
  const renewed = await call(sys.baseUrl, shop.key, 'GET', `/checkout-sessions/${cs.id}`);
  expect(renewed.body.payment_id).not.toBe(cs.payment_id);
});

test('a transfer the ledger refuses is failed with a reason, the session stays open, and a retry pays it', async () => {
  const [shop, dest] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
  await connectTransfers(sys.baseUrl, shop.id, dest.id);
  // The destination's share is inflated past what the merchant holds: the ledger refuses the movement.
  await sys.db.raw(`create or replace function inflate_transfer() returns trigger as $$ begin new.amount := 1000000000; return new; end $$ language plpgsql`);
  await sys.db.raw(`create trigger inflate_transfer before insert on transfers for each row when (new.destination_account_id = '${dest.id}') execute function inflate_transfer()`);
  let cs: { id: string; payment_id: string };
  try {
    cs = (await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 10000, transfers: [{ destination_account: dest.id, percentage: 10 }] })).body;
    await call(sys.baseUrl, shop.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10000 });
    const failed = await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id }).first(), (t) => t?.status === 'failed', 30_000);
    expect(failed.failure_reason).toMatch(/refused by the ledger/);
    const a = await waitFor(() => attention(sys, cs.id), (x) => x.flagged);
    expect(a).toMatchObject({ flagged: true, running: true });
    expect(a.details).toMatch(/transfer: TransferRefused/);
    const view = (await call(sys.baseUrl, shop.key, 'GET', `/transfers/${failed.id}`)).body;
    expect(view).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/refused by the ledger/) });
    expect((await call(sys.baseUrl, shop.key, 'GET', `/checkout-sessions/${cs.id}`)).body.status).toBe('paid');
  } finally {
    await sys.db.raw('drop trigger if exists inflate_transfer on transfers');
  }
  // The operator corrects the row and retries: the transfer is posted once, the session closes.
  await sys.db(T.transfers).where({ checkout_session_id: cs.id }).update({ amount: 990 });
  expect(await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
  const paid = await sys.db(T.transfers).where({ checkout_session_id: cs.id }).first();
  expect(paid).toMatchObject({ status: 'paid', failure_reason: null });
  expect(await sys.db(T.ledgerTransactions).where({ transfer_id: paid.id }).count({ n: '*' })).toEqual([{ n: '1' }]);
  await waitFor(() => attention(sys, cs.id), (x) => !x.running);
});

test('transfers keep their order under failure: a refused first transfer holds the second until it goes through', async () => {
  const [shop, first, second] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
  await connectTransfers(sys.baseUrl, shop.id, first.id, second.id);
  await sys.db.raw(`create or replace function inflate_first_transfer() returns trigger as $$ begin new.amount := 1000000000; return new; end $$ language plpgsql`);
  await sys.db.raw(`create trigger inflate_first_transfer before insert on transfers for each row when (new.destination_account_id = '${first.id}') execute function inflate_first_transfer()`);
  let cs: { id: string; payment_id: string };
  try {
    cs = (await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', {
      currency: 'SATS', amount: 10000, transfers: [{ destination_account: first.id, percentage: 10 }, { destination_account: second.id, percentage: 10 }],
    })).body;
    await call(sys.baseUrl, shop.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10000 });
    await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id, destination_account_id: first.id }).first(), (t) => t?.status === 'failed', 30_000);
  } finally {
    await sys.db.raw('drop trigger if exists inflate_first_transfer on transfers');
  }
  const byDestination = async () => {
    const rows = await sys.db(T.transfers).where({ checkout_session_id: cs.id });
    return Object.fromEntries(rows.map((t: { destination_account_id: string; status: string }) => [t.destination_account_id === first.id ? 'first' : 'second', t.status]));
  };
  // Several retry rounds of the workflow's own backoff: the first fails each time, the second is never attempted.
  await waitFor(() => attention(sys, cs.id), (a) => /retry [3-9]/.test(a.details), 30_000);
  expect(await byDestination()).toEqual({ first: 'failed', second: 'pending' });
  expect((await attention(sys, cs.id)).details).toMatch(/2 failed.*transfer: TransferRefused/);
  // Corrected and retried: both are posted, in order, once each.
  await sys.db(T.transfers).where({ checkout_session_id: cs.id, destination_account_id: first.id }).update({ amount: 990 });
  expect(await sys.temporal.workflow.getHandle(cs.id).executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
  expect(await byDestination()).toEqual({ first: 'paid', second: 'paid' });
});

test('the database failing in the middle of a credit: the receipt waits, flagged, and is credited once it recovers', async () => {
  const shop = await createMerchant(sys.baseUrl);
  const cs = (await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 6000 })).body;
  await sys.db.raw(`create or replace function refuse_credit() returns trigger as $$ begin raise exception 'database unavailable (simulated)'; end $$ language plpgsql`);
  await sys.db.raw(`create trigger refuse_credit before update on receipts for each row when (new.checkout_session_id = '${cs.id}') execute function refuse_credit()`);
  let receiptId: string;
  try {
    receiptId = (await call(sys.baseUrl, shop.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 6000 })).body.id;
    const a = await waitFor(() => attention(sys, cs.id), (x) => x.flagged, 30_000);
    expect(a.details).toMatch(/credit_receipt: .*database unavailable/);
    expect(await sys.db(T.receipts).where({ id: receiptId }).first()).toMatchObject({ status: 'received' });
    expect(await sys.db(T.ledgerTransactions).where({ checkout_session_id: cs.id }).count({ n: '*' })).toEqual([{ n: '0' }]);
  } finally {
    await sys.db.raw('drop trigger if exists refuse_credit on receipts');
  }
  // No operator: the workflow's own backoff retries the credit.
  const s = await waitFor(() => call(sys.baseUrl, shop.key, 'GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (x) => x.status === 'paid', 30_000);
  expect(s.target_amount_paid).toBe(6000);
  expect(await sys.db(T.receipts).where({ id: receiptId! }).first()).toMatchObject({ status: 'credited' });
  expect(await sys.db(T.ledgerTransactions).where({ checkout_session_id: cs.id, type: 'payment' }).count({ n: '*' })).toEqual([{ n: '1' }]);
  const state = await sys.temporal.workflow.getHandle(cs.id).query(stateQuery).catch(() => null);
  if (state) expect(state.receivedSats).toBe('6000');
});

test('Lightning unavailable for a live session: flagged instead of failed, and it can still be deactivated', async () => {
  // Its own start: an API that offers Lightning (an LND is configured) beside a worker on its task queue that has none.
  const apiSys = await startTestSystem({ LND_REST_URL: 'http://127.0.0.1:9', LND_MACAROON_HEX: '00', MONITORING_HOURS: '0' }, { parts: ['api', 'watcher'] });
  const worker = await startTestSystem({ TEMPORAL_TASK_QUEUE: apiSys.taskQueue, MONITORING_HOURS: '0', WORKFLOW_RETRY_BASE_SECONDS: '1' }, { parts: ['worker'] });
  try {
    const shop = await createMerchant(apiSys.baseUrl);
    const live = (await call(apiSys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${shop.id}/keys`, { livemode: true })).body.secret_key as string;
    const created = await call(apiSys.baseUrl, live, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, payment_methods: ['lightning'] });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const a = await waitFor(() => attention(apiSys, id), (x) => x.flagged, 20_000);
    expect(a).toMatchObject({ flagged: true, running: true });
    expect(a.details).toMatch(/open_payment: LightningUnavailable/);
    const deactivated = await call(apiSys.baseUrl, live, 'POST', `/checkout-sessions/${id}/deactivate`);
    expect(deactivated.body.status).toBe('deactivated');
    // The payment it could not make is no longer needed: the flag clears and the workflow completes.
    expect(await waitFor(() => attention(apiSys, id), (x) => !x.running)).toMatchObject({ running: false, flagged: false });
    expect((await apiSys.temporal.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED');
  } finally {
    await worker.stop();
    await apiSys.stop();
  }
});
