/**
 * The session's updates are safe to repeat and cheap to refuse: update IDs let the server answer a
 * repeated `renew`, `deactivate` or `chooseAmount` with the first one's outcome; a renewal while a
 * payment request is failing leaves the retry to the workflow's backoff (page polls make no payment
 * attempts); a second amount choice is refused.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { T } from '../../src/db/tables';
import { StaticRateProvider, UnknownCurrencyError, type RateProvider } from '../../src/rates';
import { chooseAmountUpdate, deactivateUpdate, renewUpdate } from '../../src/temporal/definitions';
import { AMOUNT_ALREADY_CHOSEN } from '../../src/domain/transitions';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/** The platform's rate source, which the test can break, counting the prices asked of it. */
class CountingRates implements RateProvider {
  failure: Error | null = null;
  calls = 0;
  private readonly inner = new StaticRateProvider();
  async btcPrice(currency: string): Promise<string> {
    this.calls++;
    if (this.failure) throw this.failure;
    return this.inner.btcPrice(currency);
  }
}

const rates = new CountingRates();
// An hour before the workflow's own first retry: nothing but the test's own calls can make a payment attempt.
const sys = useTestSystem({ env: { MONITORING_HOURS: '0', WORKFLOW_RETRY_BASE_SECONDS: '3600' }, rates });
const merchant = useMerchant(sys);
afterEach(() => { rates.failure = null; });

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const pageStatus = (id: string) => fetch(`${sys.baseUrl}/pay/${id}/status`).then((r) => r.json());
const historyLength = async (id: string) => (await sys.temporal.workflow.getHandle(id).describe()).historyLength;
const paymentsOf = (id: string) => sys.db(T.payments).where({ checkout_session_id: id });

async function expiredSession(body: Record<string, unknown>): Promise<{ id: string; payment_id: string }> {
  const cs = (await api('POST', '/checkout-sessions', { ttl: 1, ...body })).body;
  await waitFor(() => sys.db(T.payments).where({ id: cs.payment_id }).first(), (p) => p.status === 'expired');
  return cs;
}

test('page polls while the renewal is failing make one payment attempt; the retry is left to the backoff', async () => {
  const cs = await expiredSession({ currency: 'USD', amount: 12.5 });
  rates.failure = new UnknownCurrencyError('USD');
  rates.calls = 0;
  // The first poll asks for the renewal, which fails (non-retryable: one attempt) and is kept for the backoff.
  await pageStatus(cs.id);
  expect(rates.calls).toBe(1);
  const history = await historyLength(cs.id);
  for (let i = 0; i < 20; i++) expect((await pageStatus(cs.id)).payment.id).toBe(cs.payment_id);
  expect(rates.calls).toBe(1);
  expect(await historyLength(cs.id)).toBe(history);
  // A renew under another update ID (an operator's, say) is refused by the validator: no attempt, no trace.
  const err = await sys.temporal.workflow.getHandle(cs.id).executeUpdate(renewUpdate).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(err.cause?.message).toMatch(/being made; it is retried on the workflow's backoff/);
  expect(rates.calls).toBe(1);
  expect(await historyLength(cs.id)).toBe(history);
  expect(await paymentsOf(cs.id)).toHaveLength(1);
});

test('concurrent page polls of an expired payment renew it once (one update ID, deduplicated by the server)', async () => {
  const cs = await expiredSession({ currency: 'SATS', amount: 1000 });
  const seen = await Promise.all(Array.from({ length: 10 }, () => pageStatus(cs.id)));
  expect(new Set(seen.map((s) => s.payment.id)).size).toBe(1);
  expect(await paymentsOf(cs.id)).toHaveLength(2);
  // The workflow saw one renew update, however the ten polls interleaved (without the ID: one per poll
  // that reached it before the renewal, each accepted and failed in the handler, or refused).
  const history = await sys.temporal.workflow.getHandle(cs.id).fetchHistory();
  const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'renew');
  expect(accepted).toHaveLength(1);
});

test('a repeated deactivate with the API\'s update ID gets the first outcome instead of a refusal', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const first = await handle.executeUpdate(deactivateUpdate, { updateId: 'deactivate' });
  const again = await handle.executeUpdate(deactivateUpdate, { updateId: 'deactivate' });
  // Without the ID the second would be a new request: refused (no longer active), or not found once the run closed.
  expect(again).toEqual(first);
});

test('of two concurrent amount choices one wins; the other is refused and its amount never gets a payment', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: [1000, 2000] })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const outcomes = await Promise.allSettled([
    handle.executeUpdate(chooseAmountUpdate, { args: ['1000'], updateId: 'chooseAmount:1000' }),
    handle.executeUpdate(chooseAmountUpdate, { args: ['2000'], updateId: 'chooseAmount:2000' }),
  ]);
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(refused).toHaveLength(1);
  expect(refused[0].reason.cause?.message).toBe(AMOUNT_ALREADY_CHOSEN);
  const payments = await paymentsOf(cs.id);
  expect(payments).toHaveLength(1);
  expect(payments[0].status).toBe('unpaid');
  // The page, posted again with the other amount, shows the payment of the amount that won.
  const res = await fetch(`${sys.baseUrl}/pay/${cs.id}`, { method: 'POST', body: new URLSearchParams({ amount: '2000' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(await paymentsOf(cs.id)).toHaveLength(1);
});
