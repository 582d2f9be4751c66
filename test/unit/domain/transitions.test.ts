import { initialState } from '../../../src/domain/initialState';
import type { PaymentState, ReceiptInput, SessionState } from '../../../src/domain/session';
import { AMOUNT_ALREADY_CHOSEN, nextState, prunePayments, type SessionEffect, type Transition } from '../../../src/domain/transitions';

const NOW = 1_700_000_000_000;

function session(overrides: Partial<SessionState> = {}): SessionState {
  return {
    ...initialState({ id: 'cs_1', accountId: 'acct_1', livemode: false, created: NOW, currency: 'SATS', amount: '100000',
      tolerancePercent: '2.5', ttlSeconds: 600, linkId: null, fields: {} }),
    ...overrides,
  };
}

function payment(id: string, overrides: Partial<PaymentState> = {}): PaymentState {
  return { id, seq: 1, amount: '100000', exchangeRate: '1', targetAmount: '100000', status: 'unpaid',
    expiresAt: NOW + 600_000, receivedSats: '0', amountPaid: '0', ...overrides };
}

function receiptFor(p: PaymentState, sats: string, reference = `tx${sats}:0`): ReceiptInput {
  return { receiptId: `rcpt_${reference}`, reference, paymentId: p.id, method: 'onchain', sats, payment: p };
}

function withOpenPayment(overrides: Partial<SessionState> = {}): SessionState {
  const opened = nextState(session(overrides), { type: 'payment_opened', payment: payment('pi_1') }, NOW);
  return ok(opened).state;
}

function ok(t: Transition): Extract<Transition, { ok: true }> {
  if (!t.ok) throw new Error(t.error);
  return t;
}

const kinds = (effects: SessionEffect[]) => effects.map((e) => e.kind);

describe('nextState: the session state machine', () => {
  test('opening a payment makes it current and records payment.created', () => {
    const t = ok(nextState(session(), { type: 'payment_opened', payment: payment('pi_1') }, NOW));
    expect(t.state.currentPaymentId).toBe('pi_1');
    expect(t.effects).toEqual([{ kind: 'record', events: [{ type: 'payment.created', objectId: 'pi_1' }] }]);
  });

  test.each([
    ['97499', 'active', null, ['credit_receipt', 'open_payment']],
    ['97500', 'paid', 'underpaid', ['credit_receipt']],
    ['100000', 'paid', null, ['credit_receipt']],
    ['100001', 'paid', 'overpaid', ['credit_receipt']],
  ])('a receipt of %s of 100,000 SATS at 2.5%% leaves the session %s (%s)', (sats, status, exception, effects) => {
    const s = withOpenPayment();
    const t = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], sats), late: false }, NOW));
    expect(t.state.status).toBe(status);
    expect(t.state.exceptionStatus).toBe(exception);
    expect(kinds(t.effects)).toEqual(effects);
    expect(t.state.payments[0].status).toBe('paid');
  });

  test('when a second partial payment reaches the tolerance, the session is paid', () => {
    let s = withOpenPayment();
    let t = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], '60000'), late: false }, NOW));
    // The reducer numbers the payment it asks for, and the state's next number moves on.
    expect(t.effects[1]).toEqual({ kind: 'open_payment', amount: '40000', seq: s.nextPaymentSeq });
    expect(t.state.nextPaymentSeq).toBe(s.nextPaymentSeq + 1);
    s = ok(nextState(t.state, { type: 'payment_opened', payment: payment('pi_2', { seq: 2, amount: '40000', targetAmount: '40000' }) }, NOW)).state;
    t = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[1], '37500'), late: false }, NOW));
    expect(t.state.status).toBe('paid');
    expect(t.state.receivedSats).toBe('97500');
    expect(t.state.settledAt).toBe(NOW);
  });

  test('the same receipt twice counts once', () => {
    const s = withOpenPayment();
    const once = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], '1000'), late: false }, NOW));
    const twice = ok(nextState(once.state, { type: 'receipt', receipt: receiptFor(s.payments[0], '1000'), late: false }, NOW));
    expect(twice.effects).toEqual([]);
    expect(twice.state.receivedSats).toBe('1000');
  });

  test('money after paid is credited and flagged overpaid; after deactivation or a closed workflow, late', () => {
    const s = withOpenPayment();
    const paid = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], '100000'), late: false }, NOW)).state;
    const after = ok(nextState(paid, { type: 'receipt', receipt: receiptFor(s.payments[0], '5', 'extra:0'), late: false }, NOW));
    expect(after.effects[0]).toMatchObject({ kind: 'credit_receipt', flag: 'overpaid' });
    expect(after.state.exceptionStatus).toBe('overpaid');
    expect(after.state.receivedSats).toBe('100005');

    const resumed = ok(nextState(paid, { type: 'receipt', receipt: receiptFor(s.payments[0], '5', 'late:0'), late: true }, NOW));
    expect(resumed.effects[0]).toMatchObject({ kind: 'credit_receipt', flag: 'late' });
    expect(resumed.state.exceptionStatus).toBe('paid_late');

    const deactivated = ok(nextState(s, { type: 'deactivate' }, NOW)).state;
    const afterDeactivation = ok(nextState(deactivated, { type: 'receipt', receipt: receiptFor(s.payments[0], '10'), late: false }, NOW));
    expect(afterDeactivation.state.status).toBe('deactivated');
    expect(afterDeactivation.state.exceptionStatus).toBe('paid_late');
    expect(afterDeactivation.effects[0]).toMatchObject({ kind: 'credit_receipt', flag: 'late' });
  });

  test('deactivation cancels the open payment; deactivating again or after paid is refused', () => {
    const s = withOpenPayment();
    const t = ok(nextState(s, { type: 'deactivate' }, NOW));
    expect(t.state.status).toBe('deactivated');
    expect(t.state.payments[0].status).toBe('cancelled');
    expect(t.effects).toEqual([{ kind: 'record', events: [
      { type: 'payment.cancelled', objectId: 'pi_1' }, { type: 'checkout_session.deactivated', objectId: 'cs_1' }] }]);
    const again = nextState(t.state, { type: 'deactivate' }, NOW);
    expect(again).toMatchObject({ ok: false, error: expect.stringContaining('deactivated') });
    const paid = ok(nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], '100000'), late: false }, NOW)).state;
    expect(nextState(paid, { type: 'deactivate' }, NOW)).toMatchObject({ ok: false, error: expect.stringContaining('paid') });
  });

  test('an expired unpaid payment is recorded expired; renew makes a payment for the amount still due', () => {
    const s = withOpenPayment();
    const t = ok(nextState(s, { type: 'payment_expired', paymentId: 'pi_1' }, NOW));
    expect(t.state.payments[0].status).toBe('expired');
    expect(t.effects).toEqual([{ kind: 'record', events: [{ type: 'payment.expired', objectId: 'pi_1' }] }]);
    expect(ok(nextState(t.state, { type: 'payment_expired', paymentId: 'pi_1' }, NOW)).effects).toEqual([]);
    expect(ok(nextState(t.state, { type: 'renew' }, NOW)).effects).toEqual([{ kind: 'open_payment', amount: '100000', seq: 1 }]);
  });

  test('a receipt for a payment pruned from the state still converts at that payment\'s locked rate', () => {
    const s = withOpenPayment({ currency: 'USD', amount: '10' });
    const old = payment('pi_old', { amount: '10', exchangeRate: '1000', targetAmount: '10000', status: 'expired' });
    const t = ok(nextState(s, { type: 'receipt', receipt: receiptFor(old, '10000'), late: false }, NOW));
    expect(t.state.amountPaid).toBe('10');
    expect(t.state.status).toBe('paid');
  });

  test('options/preset sessions open their payment once an amount is chosen; not after funds arrived', () => {
    const s = session({ amount: null });
    const t = ok(nextState(s, { type: 'amount_chosen', amount: '250' }, NOW));
    expect(t.state.amount).toBe('250');
    expect(t.effects).toEqual([{ kind: 'record', events: [] }, { kind: 'open_payment', amount: '250', seq: 1 }]);
    // The first choice stands: a second one is refused, even before the payment for the first exists.
    expect(nextState(t.state, { type: 'amount_chosen', amount: '500' }, NOW)).toMatchObject({ ok: false, error: AMOUNT_ALREADY_CHOSEN });
    expect(nextState(t.state, { type: 'amount_chosen', amount: '250' }, NOW)).toMatchObject({ ok: false, error: AMOUNT_ALREADY_CHOSEN });
    const funded = { ...withOpenPayment(), receivedSats: '1' };
    expect(nextState(funded, { type: 'amount_chosen', amount: '5' }, NOW)).toMatchObject({ ok: false });
  });

  test('nextState never mutates its input', () => {
    const s = withOpenPayment();
    const frozen = JSON.stringify(s);
    nextState(s, { type: 'receipt', receipt: receiptFor(s.payments[0], '100'), late: false }, NOW);
    nextState(s, { type: 'deactivate' }, NOW);
    expect(JSON.stringify(s)).toBe(frozen);
  });

  test('pruning keeps the current payment, funded ones and those inside the monitoring window', () => {
    const s = session({ currentPaymentId: 'pi_3', payments: [
      payment('pi_1', { status: 'expired', expiresAt: NOW - 10_000 }),
      payment('pi_2', { status: 'paid', receivedSats: '5', expiresAt: NOW - 10_000 }),
      payment('pi_3'),
      payment('pi_4', { status: 'expired', expiresAt: NOW - 10 }),
    ] });
    expect(prunePayments(s, NOW, 1_000).payments.map((p) => p.id)).toEqual(['pi_2', 'pi_3', 'pi_4']);
  });
});
