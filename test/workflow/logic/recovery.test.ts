/**
 * Recovery at its real durations: failed work is kept, the session flagged, and the workflow retries on
 * its own backoff (30 s doubling to the 1-hour cap) until the work goes through.
 */
import { deactivateUpdate, receiptSignal, renewUpdate, retryUpdate } from '../../../src/temporal/definitions';
import { DEFAULT_RUN, HOUR, SECOND, definition, eventually, useLogicEnvironment } from './harness';

const logic = useLogicEnvironment();

test('when the first payment cannot be made, the session exists, flagged, and the retries back off from 30 s to the 1-hour cap', async () => {
  expect(DEFAULT_RUN.retryBaseMs).toBe(30 * SECOND);
  await logic.withWorker(async () => {
    logic.backend.failNext('createSession');
    logic.backend.failAlways('openPayment');
    const id = await logic.create(definition());
    // The row is written on its own (persist), the payment request waits for the retry rounds.
    expect(logic.backend.callsOf('persistNewSession')).toHaveLength(1);
    expect((await logic.state(id)).currentPaymentId).toBeNull();

    await logic.skip(6 * HOUR);
    const attempts = await eventually(async () => logic.backend.callsOf('openPayment'), (c) => c.length >= 10);
    const gaps = attempts.slice(1).map((c, i) => c.at - attempts[i].at).slice(0, 9);
    const expected = [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600].map((s) => s * SECOND);
    // The test clock moves on by the real time a round takes (milliseconds): a few seconds of slack.
    gaps.forEach((gap, i) => expect([i, gap >= expected[i] && gap < expected[i] + 5 * SECOND]).toEqual([i, true]));

    logic.backend.heal('openPayment');
    const result = await logic.env.client.workflow.getHandle(id).executeUpdate(retryUpdate);
    expect(result).toEqual({ pending: 0, attention: null });
    expect((await logic.state(id)).currentPaymentId).toMatch(/^pi_/);
  });
});

test('a session without an amount whose row cannot be written keeps the write and retries it after 30 s', async () => {
  await logic.withWorker(async () => {
    logic.backend.failNext('createSession');
    const createdAt = await logic.now();
    const id = await logic.create(definition({ amount: null }));
    expect(logic.backend.definitions.has(id)).toBe(false);
    await logic.skip(31 * SECOND);
    await eventually(async () => logic.backend.definitions.has(id), Boolean);
    const persists = logic.backend.callsOf('persistNewSession').filter((c) => (c.input as { id: string }).id === id);
    expect(persists).toHaveLength(1);
    expect(persists[0].at - createdAt).toBeGreaterThanOrEqual(30 * SECOND);
    expect(await logic.env.client.workflow.getHandle(id).executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
  });
});

test('a credit that fails is kept; the operator\'s retry credits it at once, without waiting for the backoff', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition());
    const payment = (await logic.state(id)).payments[0];
    const receiptId = logic.backend.addReceipt(id, payment, '1000');
    logic.backend.failNext('creditReceipt');
    const handle = logic.env.client.workflow.getHandle(id);
    await handle.signal(receiptSignal, { receiptId });
    await eventually(async () => logic.backend.callsOf('creditReceipt').length, (n) => n === 1);
    // The state moved on (paid) while the ledger write waits: the database, not the state, says what is credited.
    expect((await logic.state(id)).status).toBe('paid');
    expect(logic.backend.credits).toEqual([]);
    const result = await handle.executeUpdate(retryUpdate);
    expect(result).toEqual({ pending: 0, attention: null });
    expect(logic.backend.credits).toEqual([{ receiptId, flag: null }]);
    // A second signal for the same receipt credits nothing more.
    await handle.signal(receiptSignal, { receiptId });
    await eventually(async () => logic.backend.callsOf('receiptFacts').length, (n) => n === 2);
    expect(logic.backend.callsOf('creditReceipt')).toHaveLength(2);
  });
});

test('transfers are posted in order; after a failure the later ones wait unattempted and the retry round posts them in order', async () => {
  await logic.withWorker(async () => {
    const id = await logic.create(definition());
    const payment = (await logic.state(id)).payments[0];
    const receiptId = logic.backend.addReceipt(id, payment, '1000', ['tr_1', 'tr_2', 'tr_3']);
    logic.backend.failNext('executeTransfer', 1, (input: { transferId: string }) => input.transferId === 'tr_2');
    await logic.env.client.workflow.getHandle(id).signal(receiptSignal, { receiptId });
    const tried = () => logic.backend.callsOf('executeTransfer').map((c) => `${(c.input as { transferId: string }).transferId}${c.failed ? ' failed' : ''}`);
    await eventually(async () => tried(), (t) => t.length === 2);
    expect(tried()).toEqual(['tr_1', 'tr_2 failed']);
    await logic.skip(31 * SECOND);
    await eventually(async () => tried(), (t) => t.length === 4);
    expect(tried()).toEqual(['tr_1', 'tr_2 failed', 'tr_2', 'tr_3']);
    expect(logic.backend.transfers).toEqual(['tr_1', 'tr_2', 'tr_3']);
  });
});

test('a resumed run that cannot load its state keeps trying on the backoff, then handles what woke it', async () => {
  await logic.withWorker(async () => {
    // A session whose run closed (settled after its window): the read model holds it.
    const def = definition();
    const id = await logic.create(def, { monitoringMs: 0 });
    const payment = (await logic.state(id)).payments[0];
    const paid = logic.backend.addReceipt(id, payment, '1000');
    const handle = logic.env.client.workflow.getHandle(id);
    await handle.signal(receiptSignal, { receiptId: paid });
    expect(await logic.ended(id)).toBe('COMPLETED');

    const late = logic.backend.addReceipt(id, payment, '500');
    logic.backend.failNext('loadSessionWithReceipt', 3);
    await logic.resumeWithReceipt(id, late);
    await logic.skip(10 * 60 * SECOND);
    const loads = await eventually(async () => logic.backend.callsOf('loadSessionWithReceipt'), (c) => c.length === 4);
    expect(loads.slice(1).map((c, i) => c.at - loads[i].at >= [30, 60, 120][i] * SECOND)).toEqual([true, true, true]);
    await eventually(async () => logic.backend.credits.map((c) => c.receiptId), (r) => r.includes(late));
    expect(logic.backend.credits.at(-1)).toEqual({ receiptId: late, flag: 'late' });
    expect(await logic.ended(id)).toBe('COMPLETED');
  });
});

test('a failed payment request goes when the session is deactivated, and a renewal is refused while it waits', async () => {
  await logic.withWorker(async () => {
    logic.backend.failNext('createSession');
    logic.backend.failAlways('openPayment');
    const id = await logic.create(definition());
    const handle = logic.env.client.workflow.getHandle(id);
    await expect(handle.executeUpdate(renewUpdate)).rejects.toMatchObject({ cause: { type: 'RenewalPending' } });
    await handle.executeUpdate(deactivateUpdate);
    logic.backend.heal('openPayment');
    expect(await handle.executeUpdate(retryUpdate)).toEqual({ pending: 0, attention: null });
    expect((await logic.state(id)).status).toBe('deactivated');
  });
});
