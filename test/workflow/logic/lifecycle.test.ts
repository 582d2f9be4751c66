/**
 * A session's long life at its real durations: the 24-hour monitoring window, a year-long TTL, the
 * idle close (WORKFLOW_IDLE_SECONDS, a day), the resume that brings a closed session back, an operator's
 * cancel, and continue-as-new carrying the state, the receipt dedupe set and failed work.
 */
import { chooseAmountUpdate, receiptSignal, renewUpdate, retryUpdate, stateQuery } from '../../../src/temporal/definitions';
import type { CheckoutWorkflowInput } from '../../../src/domain/definition';
import { DAY, DEFAULT_RUN, HOUR, MINUTE, SECOND, definition, eventually, useLogicEnvironment } from './harness';

const logic = useLogicEnvironment();
const YEAR_SECONDS = 31_536_000;
const handleOf = (id: string, runId?: string) => logic.env.client.workflow.getHandle(id, runId);
const status = async (id: string) => (await handleOf(id).describe()).status.name;
const eventsOf = (id: string) => logic.backend.events.filter((e) => e.sessionId === id).map((e) => e.type);

test('the defaults these tests run at', () => {
  expect(DEFAULT_RUN).toEqual({ monitoringMs: DAY, historyLimit: 10_000, retryBaseMs: 30 * SECOND, idleMs: DAY });
});

test('a paid session stays open 24 hours: money then is overpaid; money after it resumes the session, is late, and the run closes again', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition());
    const payment = (await logic.state(id)).payments[0];
    await handleOf(id).signal(receiptSignal, { receiptId: logic.backend.addReceipt(id, payment, '1000') });
    await eventually(() => logic.state(id), (s) => s.status === 'paid');

    await logic.skip(23 * HOUR);
    const extra = logic.backend.addReceipt(id, payment, '200');
    await handleOf(id).signal(receiptSignal, { receiptId: extra });
    await eventually(async () => logic.backend.credits.at(-1), (c) => c?.receiptId === extra);
    expect(logic.backend.credits.at(-1)).toEqual({ receiptId: extra, flag: 'overpaid' });
    await logic.skip(58 * MINUTE);
    expect(await status(id)).toBe('RUNNING');

    await logic.skip(3 * MINUTE);
    expect(await logic.ended(id)).toBe('COMPLETED');

    const late = logic.backend.addReceipt(id, payment, '300');
    const resumed = await logic.resumeWithReceipt(id, late);
    await eventually(async () => logic.backend.credits.at(-1), (c) => c?.receiptId === late);
    expect(logic.backend.credits.at(-1)).toEqual({ receiptId: late, flag: 'late' });
    // The run the receipt started read the session and that receipt in one local activity, not two.
    const named = (name: 'receiptFacts' | 'loadSessionWithReceipt') => logic.backend.callsOf(name).filter((c) => (c.input as { receiptId: string }).receiptId === late).length;
    expect([named('loadSessionWithReceipt'), named('receiptFacts')]).toEqual([1, 0]);
    // A resumed run of a settled session handles what woke it and ends, with no window of its own.
    expect(await logic.ended(id, resumed)).toBe('COMPLETED');
    expect(logic.backend.states.get(id)?.exceptionStatus).toBe('paid_late');
  });
});

test('a year-long TTL: a year without a single event, the payment expires at its TTL, the run closes a day later, and a renewal resumes it', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition({ ttlSeconds: YEAR_SECONDS }));
    // A renewal before the expiry is refused by the validator.
    await expect(handleOf(id).executeUpdate(renewUpdate)).rejects.toMatchObject({ cause: { type: 'SessionTransitionRejected' } });
    const callsBefore = logic.backend.calls.length;

    await logic.skip(364 * DAY);
    expect((await logic.state(id)).payments[0].status).toBe('unpaid');
    // Nothing ran all year: no activity, no timer fired (the payment's expiry is the one timer).
    expect(logic.backend.calls.length).toBe(callsBefore);
    const fired = (await handleOf(id).fetchHistory()).events!.filter((e) => e.timerFiredEventAttributes);
    expect(fired).toEqual([]);

    await logic.skip(DAY + MINUTE);
    await eventually(async () => eventsOf(id), (e) => e.includes('payment.expired'));
    expect((await logic.state(id)).payments[0].status).toBe('expired');
    await logic.skip(23 * HOUR + 58 * MINUTE);
    expect(await status(id)).toBe('RUNNING');
    await logic.skip(3 * MINUTE);
    expect(await logic.ended(id)).toBe('COMPLETED');

    // Someone opens the page a year and a day on: a resumed run (update-with-start in the API) makes payment 2.
    const resumed = await logic.resume(id);
    await handleOf(id, resumed).executeUpdate(renewUpdate);
    const renewed = await logic.state(id, resumed);
    expect(renewed.payments.find((p) => p.id === renewed.currentPaymentId)).toMatchObject({ seq: 2, status: 'unpaid', amount: '1000' });
  });
});

test('a session with no amount chosen closes after a day idle; choosing an amount later resumes it', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition({ amount: null }));
    await logic.skip(DAY - 2 * MINUTE);
    expect(await status(id)).toBe('RUNNING');
    await logic.skip(3 * MINUTE);
    expect(await logic.ended(id)).toBe('COMPLETED');

    const resumed = await logic.resume(id);
    await handleOf(id, resumed).executeUpdate(chooseAmountUpdate, { args: ['500'] });
    const state = await logic.state(id, resumed);
    expect(state.amount).toBe('500');
    expect(state.payments.find((p) => p.id === state.currentPaymentId)).toMatchObject({ seq: 1, amount: '500', status: 'unpaid' });
  });
});

test('an operator\'s cancel deactivates the session and ends the run', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition());
    await handleOf(id).cancel();
    expect(await logic.ended(id)).toBe('COMPLETED');
    expect(eventsOf(id)).toEqual(expect.arrayContaining(['payment.cancelled', 'checkout_session.deactivated']));
    expect(logic.backend.states.get(id)?.status).toBe('deactivated');
  });
});

test('at its history limit a run continues as new with the state, the receipt dedupe set and the failed work, which the next run retries', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition({ amount: '100000' }), { historyLimit: 50 });
    const firstRun = (await handleOf(id).describe()).runId;
    const first = handleOf(id, firstRun);
    const failing = logic.backend.addReceipt(id, (await first.query(stateQuery)).payments[0], '10');
    logic.backend.failNext('creditReceipt', 1, (input: { receipt: { receiptId: string } }) => input.receipt.receiptId === failing);
    await first.signal(receiptSignal, { receiptId: failing });

    // Partial payments, each on the fresh payment the last one asked for, until the run continues as new.
    const sent = [failing];
    const credited = (receiptId: string) => logic.backend.credits.some((c) => c.receiptId === receiptId);
    for (;;) {
      const s = await first.query(stateQuery);
      const receiptId = logic.backend.addReceipt(id, s.payments.find((p) => p.id === s.currentPaymentId)!, '10');
      sent.push(receiptId);
      await first.signal(receiptSignal, { receiptId });
      await eventually(async () => credited(receiptId), Boolean);
      if ((await first.describe()).historyLength >= 50) break;
      expect(sent.length).toBeLessThan(40);
    }
    const next = handleOf(id, await logic.continuedRun(id, firstRun));
    const continued = await next.query(stateQuery);
    expect(continued.amountPaid).toBe(String(10 * sent.length));
    expect(continued.seenReceipts).toEqual(sent.map((r) => `ref_${r}`));
    const started = (await next.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(Buffer.from(started.input!.payloads![0].data!).toString('utf8')) as CheckoutWorkflowInput;
    expect(input.kind).toBe('continued');
    const recovery = input.kind === 'continued' ? input.recovery : undefined;
    expect(recovery?.jobs.map((j) => (j.kind === 'credit_receipt' ? j.receipt.receiptId : j.kind))).toEqual([failing]);
    expect(recovery?.attention?.reason).toMatch(/^credit_receipt: TestOutage/);
    // The next run retries it on the carried backoff.
    await logic.skip(31 * SECOND);
    await eventually(async () => credited(failing), Boolean);
    expect(await next.executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
    expect(logic.backend.credits.filter((c) => c.receiptId === failing)).toHaveLength(1);
    // A receipt the first run counted is not counted again by the second.
    const reads = logic.backend.callsOf('receiptFacts').length;
    await next.signal(receiptSignal, { receiptId: sent[1] });
    await eventually(async () => logic.backend.callsOf('receiptFacts').length, (n) => n === reads + 1);
    expect((await next.query(stateQuery)).amountPaid).toBe(String(10 * sent.length));
  });
});
