/**
 * A session's creation whose outcome is unknown. The activity that creates a session with its first
 * payment can commit and still fail (its answer lost when the worker or PostgreSQL goes away, then every
 * retry failing): the workflow then carries on without that payment, while the read model already shows
 * it, one state version up, and customers pay it. Money for that payment must still show on the session.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityDeps } from '../../activities/deps';
import { creationActivities } from '../../activities/creation';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import type { CheckoutWorkflowInput } from '../../src/domain/definition';
import { createLogger } from '../../src/logger';
import { StaticRateProvider } from '../../src/rates';
import { reconcile } from '../../src/services/reconcile';
import { stateQuery } from '../../src/temporal/definitions';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

// A price no other test uses: the trigger below refuses its payments only.
const PRICE = 3165;
const sys = useTestSystem({
  // The failed payment request waits for its retry round (an hour away), so only the receipt moves the session.
  env: { WORKFLOW_RETRY_BASE_SECONDS: '3600' },
  beforeStop: async (s) => { await s.db.raw('drop trigger if exists test_refuse_payment on payments; drop function if exists test_refuse_payment()'); },
});
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);

test('when the creating attempt committed but the workflow saw it fail, a receipt for the payment it made is on the session and reconciles', async () => {
  // Every attempt to make the first payment fails: the workflow goes on without one, flagged.
  await sys.db.raw(`create or replace function test_refuse_payment() returns trigger language plpgsql as $$
    begin if new.amount = ${PRICE} then raise exception 'payments are down (test)'; end if; return new; end $$`);
  await sys.db.raw('create trigger test_refuse_payment before insert on payments for each row execute function test_refuse_payment()');
  const created = await api('POST', '/checkout-sessions', { currency: 'SATS', amount: PRICE, payment_methods: ['lightning'] });
  expect(created.status).toBe(200);
  const cs = created.body;
  expect(cs.payment_id).toBeNull();
  await sys.db.raw('drop trigger test_refuse_payment on payments');

  // What the first attempt had committed: the creation activity's own transaction, run again to the end.
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const started = (await handle.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const input = defaultPayloadConverter.fromPayload<CheckoutWorkflowInput>(started);
  if (input.kind !== 'new') throw new Error('not a new run');
  const deps = {
    db: sys.db, log: createLogger('silent'), publicUrl: sys.config.publicUrl, platformFeePercent: '1',
    rates: { test: new StaticRateProvider(), live: new StaticRateProvider(), liveConfigured: false },
    lightning: { test: new LocalLightningNode(generateNodeKey().privateKey, 'regtest') },
  } as unknown as ActivityDeps;
  const payment = await creationActivities(deps).createSession({ definition: input.definition, seq: 1 });
  const shown = (await api('GET', `/checkout-sessions/${cs.id}`)).body;
  expect(shown.payment_id).toBe(payment!.id);
  expect((await handle.query(stateQuery)).payments).toEqual([]);

  // The customer pays the payment the API shows, in full.
  const paid = await api('POST', `/test-helpers/payments/${payment!.id}/receive`, { amount: PRICE, method: 'lightning' });
  expect(paid.status).toBe(200);
  await waitFor(() => sys.db(T.receipts).first('status').where({ id: paid.body.id }), (r) => r?.status === 'credited', 60_000);

  expect((await api('GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ status: 'paid', target_amount_paid: PRICE });
  expect(await handle.query(stateQuery)).toMatchObject({ status: 'paid', receivedSats: String(PRICE) });
  const differences = (await reconcile(sys.db)).filter((d) => d.subject.includes(cs.id));
  expect(differences).toEqual([]);
}, 120_000);
