/**
 * A session is created in one workflow task: update-with-start runs the `createSession` local activity
 * (row, first payment, mirrored state, events in one transaction) and answers in that task. A local
 * activity runs again when its workflow task is lost, so repeating it must change nothing.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { creationActivities } from '../../activities/creation';
import type { ActivityDeps } from '../../activities/deps';
import { T } from '../../src/db/tables';
import type { CheckoutWorkflowInput } from '../../src/domain/definition';
import { call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The events up to the answer of the `created` update. */
function untilCreated(events: HistoryEvent[]): HistoryEvent[] {
  const end = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
  expect(end).toBeGreaterThan(0);
  return events.slice(0, end + 1);
}

test('the created update is answered in the first workflow task, after one local activity and no activity task', async () => {
  const cs = (await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 10000 })).body;
  expect(cs.payment_id).toMatch(/^pi_/);
  const history = await sys.temporal.workflow.getHandle(cs.id).fetchHistory();
  const upToCreated = untilCreated(history.events ?? []);
  expect(upToCreated.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
  expect(upToCreated.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
  expect(upToCreated.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
});

test('repeating createSession after it committed returns the same payment and writes nothing new', async () => {
  const cs = (await call(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 2500, description: 'repeat' })).body;
  const history = await sys.temporal.workflow.getHandle(cs.id).fetchHistory();
  const started = history.events![0].workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<CheckoutWorkflowInput>(started.input!.payloads![0]);
  if (input.kind !== 'new') throw new Error('expected a new session');

  const snapshot = async () => ({
    session: await sys.db(T.sessions).where({ id: cs.id }).first(),
    payments: await sys.db(T.payments).where({ checkout_session_id: cs.id }),
    events: await sys.db(T.events).where({ account_id: merchant.id }).whereIn('object_id', [cs.id, cs.payment_id]).orderBy('seq'),
    account: await sys.db(T.accounts).where({ id: merchant.id }).first(),
  });
  const before = await snapshot();
  expect(before.events.map((e) => e.event_type)).toEqual(['checkout_session.created', 'payment.created']);

  // The repeat finds the stored payment, so it calls neither the rate source nor a Lightning node.
  const deps = { db: sys.db, log: sys.ctx.log, publicUrl: sys.config.publicUrl, platformFeePercent: '1' } as unknown as ActivityDeps;
  const payment = await creationActivities(deps).createSession({ definition: input.definition, seq: 1 });

  expect(payment?.id).toBe(cs.payment_id);
  const after = await snapshot();
  expect(after.payments).toHaveLength(1);
  expect(after.events.map((e) => e.id)).toEqual(before.events.map((e) => e.id));
  expect(after.session.version).toBe(before.session.version);
  expect(after.account.next_address_index_test).toBe(before.account.next_address_index_test);
});
