import { Dec } from './money';
import type {
  EventIntent, PaymentState, ReceiptFlag, ReceiptInput, SessionState,
} from './session';
import { baseValueOfSats, isPaidWithinTolerance } from './tolerance';

/** What can happen to a session. The workflow turns signals, updates and timers into these. */
export type SessionInput =
  | { type: 'payment_opened'; payment: PaymentState }
  | { type: 'receipt'; receipt: ReceiptInput; late: boolean }
  /** Records the expiry; a fresh payment waits until a customer can pay (`renew`). */
  | { type: 'payment_expired'; paymentId: string }
  /** Someone can pay now (the page or an API read): make a payment for what is due if the current one expired. */
  | { type: 'renew' }
  | { type: 'deactivate' }
  | { type: 'amount_chosen'; amount: string }
  /**
   * Bookkeeping, no version change: a payment request for `amount` with a fresh sequence number (the
   * first payment of a new session; a failed request re-asked for a new amount due).
   */
  | { type: 'request_payment'; amount: string }
  /** Bookkeeping, no version change: drop payments that can no longer matter and cap what the state carries. */
  | { type: 'tidy'; monitoringMs: number };

/** What the workflow must do after a transition, in order. */
export type SessionEffect =
  | { kind: 'record'; events: EventIntent[] }
  | { kind: 'credit_receipt'; receipt: ReceiptInput; flag: ReceiptFlag; events: EventIntent[] }
  /**
   * `seq` is assigned here, by the reducer, when the payment is asked for: a retry of the request finds
   * the payment an earlier attempt may have made under the same number.
   */
  | { kind: 'open_payment'; amount: string; seq: number };

export type Transition =
  | { ok: true; state: SessionState; effects: SessionEffect[] }
  | { ok: false; state: SessionState; error: string };

/**
 * Every state change of a checkout session, in one pure function (BTCPay's UpdateInvoice). It never
 * mutates its input; the workflow feeds it inputs and runs the effects it returns.
 */
export function nextState(current: SessionState, input: SessionInput, now: number): Transition {
  const state = cloneState(current);
  switch (input.type) {
    case 'payment_opened':
      return paymentOpened(state, input.payment);
    case 'receipt':
      return receipt(state, input.receipt, input.late, now);
    case 'payment_expired':
      return paymentExpired(state, input.paymentId);
    case 'renew':
      return renew(state, now);
    case 'deactivate':
      return deactivate(state, now);
    case 'amount_chosen':
      return amountChosen(state, input.amount);
    case 'request_payment':
      return { ok: true, state, effects: [requestPayment(state, input.amount)] };
    case 'tidy': {
      const tidied = capState(prunePayments(state, now, input.monitoringMs));
      return { ok: true, state: tidied, effects: [] };
    }
  }
}

/** The refusal of deactivating a session that is not active (the API says the same as the workflow). */
export function notDeactivatableMessage(status: string): string {
  return `This checkout session is ${status}; only an active checkout session can be deactivated.`;
}

/** Base-currency amount still due (never negative); null while no amount is chosen. */
export function amountDue(state: SessionState): string | null {
  if (state.amount === null) return null;
  const due = new Dec(state.amount).minus(state.amountPaid);
  return due.isPositive() ? due.toFixed() : '0';
}

/** A deep copy: the state is plain JSON (it travels as a Temporal payload), and the sandbox has no structuredClone. */
function cloneState(state: SessionState): SessionState {
  return JSON.parse(JSON.stringify(state)) as SessionState;
}

function ok(state: SessionState, effects: SessionEffect[]): Transition {
  state.version += 1;
  return { ok: true, state, effects };
}

/** A payment request for `amount`, taking the session's next payment sequence number (mutates the fresh copy). */
function requestPayment(state: SessionState, amount: string): SessionEffect {
  const seq = state.nextPaymentSeq;
  state.nextPaymentSeq = seq + 1;
  return { kind: 'open_payment', amount, seq };
}

function currentPayment(state: SessionState): PaymentState | undefined {
  return state.payments.find((p) => p.id === state.currentPaymentId);
}

function cancelOpenPayment(state: SessionState, events: EventIntent[]): void {
  const open = currentPayment(state);
  if (open && open.status === 'unpaid') {
    open.status = 'cancelled';
    events.push({ type: 'payment.cancelled', objectId: open.id });
  }
}

function paymentOpened(state: SessionState, payment: PaymentState): Transition {
  state.payments.push({ ...payment });
  state.currentPaymentId = payment.id;
  const events: EventIntent[] = [{ type: 'payment.created', objectId: payment.id }];
  // A payment made while the session closed (a deactivate raced the renewal) is never collectible.
  if (state.status !== 'active') cancelOpenPayment(state, events);
  return ok(state, [{ kind: 'record', events }]);
}

function receipt(state: SessionState, input: ReceiptInput, late: boolean, now: number): Transition {
  if (state.seenReceipts.includes(input.reference)) return { ok: true, state, effects: [] };
  state.seenReceipts.push(input.reference);

  let payment = state.payments.find((p) => p.id === input.paymentId);
  if (!payment) {
    // A payment pruned from the state (old, expired): its locked terms travel with the receipt.
    payment = { ...input.payment, status: 'expired', receivedSats: input.payment.receivedSats ?? '0', amountPaid: input.payment.amountPaid ?? '0' };
    state.payments.push(payment);
  }
  const value = baseValueOfSats(input.sats, payment.exchangeRate);
  payment.receivedSats = (BigInt(payment.receivedSats) + BigInt(input.sats)).toString();
  payment.amountPaid = new Dec(payment.amountPaid).plus(value).toFixed();
  state.receivedSats = (BigInt(state.receivedSats) + BigInt(input.sats)).toString();
  state.amountPaid = new Dec(state.amountPaid).plus(value).toFixed();

  const events: EventIntent[] = [];
  if (payment.status !== 'paid') events.push({ type: 'payment.paid', objectId: payment.id });
  payment.status = 'paid';
  events.push({ type: 'checkout_session.payment_paid', objectId: state.id });

  const effects: SessionEffect[] = [];
  let flag: ReceiptFlag = null;
  if (state.status === 'active') {
    if (state.amount !== null && isPaidWithinTolerance(state.amountPaid, state.amount, state.tolerancePercent)) {
      state.status = 'paid';
      state.settledAt = now;
      state.exceptionStatus = exceptionFor(state.amountPaid, state.amount, payment.exchangeRate);
      cancelOpenPayment(state, events);
      events.push({ type: 'checkout_session.paid', objectId: state.id });
    } else if (payment.id === state.currentPaymentId && state.amount !== null) {
      // A Lightning invoice cannot be paid twice: ask for the rest with a fresh payment.
      effects.push(requestPayment(state, amountDue(state)!));
    }
  } else {
    flag = late || state.status === 'deactivated' ? 'late' : 'overpaid';
    state.exceptionStatus = flag === 'late' ? 'paid_late' : 'overpaid';
  }
  effects.unshift({ kind: 'credit_receipt', receipt: input, flag, events });
  return ok(state, effects);
}

/**
 * Exact, under- or overpaid. A fiat price is converted to sats rounding up (`ceil`), so paying a
 * payment's `target_amount` exactly is worth up to one sat more than the price: less than one sat (at
 * the rate of the payment that completed the session) above the price is exact, not `overpaid`.
 */
export function exceptionFor(amountPaid: string, amount: string, exchangeRate: string): SessionState['exceptionStatus'] {
  const excess = new Dec(amountPaid).minus(amount);
  if (excess.isNegative()) return 'underpaid';
  return excess.gte(new Dec(1).div(exchangeRate)) ? 'overpaid' : null;
}

function paymentExpired(state: SessionState, paymentId: string): Transition {
  const payment = currentPayment(state);
  if (!payment || payment.id !== paymentId || payment.status !== 'unpaid') {
    return { ok: true, state, effects: [] };
  }
  payment.status = 'expired';
  const effects: SessionEffect[] = [{ kind: 'record', events: [{ type: 'payment.expired', objectId: payment.id }] }];
  // The session never expires by TTL, and it waits for `renew`: an abandoned session makes no invoice,
  // address, rate call or event until someone can pay.
  return ok(state, effects);
}

/** Why `renew` has nothing to do, or null when the current payment expired (by status or by time). */
export function renewRefusal(state: SessionState, now: number): string | null {
  if (state.status !== 'active') return `This checkout session is ${state.status}; it has no payment to renew.`;
  if (state.amount === null) return 'No amount is chosen yet; there is no payment to renew.';
  const open = currentPayment(state);
  if (open && open.status === 'unpaid' && open.expiresAt > now) return 'The current payment has not expired.';
  if (open && open.status === 'paid') return 'The current payment received funds; its successor is being made.';
  return null;
}

function renew(state: SessionState, now: number): Transition {
  const refusal = renewRefusal(state, now);
  if (refusal) return { ok: false, state, error: refusal };
  const events: EventIntent[] = [];
  const open = currentPayment(state);
  if (open && open.status === 'unpaid') {
    open.status = 'expired';
    events.push({ type: 'payment.expired', objectId: open.id });
  }
  const effects: SessionEffect[] = events.length > 0 ? [{ kind: 'record', events }] : [];
  effects.push(requestPayment(state, amountDue(state)!));
  return ok(state, effects);
}

function deactivate(state: SessionState, now: number): Transition {
  if (state.status !== 'active') {
    return {
      ok: false,
      state,
      error: notDeactivatableMessage(state.status),
    };
  }
  state.status = 'deactivated';
  state.settledAt = now;
  const events: EventIntent[] = [];
  cancelOpenPayment(state, events);
  events.push({ type: 'checkout_session.deactivated', objectId: state.id });
  return ok(state, [{ kind: 'record', events }]);
}

function amountChosen(state: SessionState, amount: string): Transition {
  if (state.status !== 'active') {
    return { ok: false, state, error: `This checkout session is ${state.status}; its amount cannot change.` };
  }
  if (state.receivedSats !== '0') {
    return { ok: false, state, error: 'This checkout session already received funds; its amount cannot change.' };
  }
  // The first choice stands: a second one (another tab, a double post) must not cancel the payment a
  // customer may be paying already.
  if (state.amount !== null) return { ok: false, state, error: AMOUNT_ALREADY_CHOSEN };
  state.amount = amount;
  const events: EventIntent[] = [];
  cancelOpenPayment(state, events);
  return ok(state, [{ kind: 'record', events }, requestPayment(state, amount)]);
}

/** The refusal of a second amount choice. */
export const AMOUNT_ALREADY_CHOSEN = 'The amount of this checkout session is already chosen.';

/** Drops payments that can no longer matter (no funds, closed, past the monitoring window). */
export function prunePayments(state: SessionState, now: number, monitoringMs: number): SessionState {
  const keep = (p: PaymentState) =>
    p.id === state.currentPaymentId || p.receivedSats !== '0' || p.status === 'unpaid' || p.expiresAt + monitoringMs > now;
  return state.payments.every(keep) ? state : { ...state, payments: state.payments.filter(keep) };
}

/** How many payments and receipt references a session's workflow state keeps at most (flood-proof payloads). */
export const STATE_CAPS = { payments: 25, seenReceipts: 100 };

/**
 * Caps what the state carries, so no flood of receipts can push it (and every activity input carrying it)
 * towards Temporal's payload limits: the oldest closed payments beyond the cap leave the state (the
 * database keeps them; a receipt for one brings its stored terms and totals back), and the dedupe set
 * keeps only the newest references (the database's `credited` flag is the dedupe of record).
 */
export function capState(state: SessionState): SessionState {
  let { payments, seenReceipts } = state;
  if (payments.length > STATE_CAPS.payments) {
    const closed = payments.filter((p) => p.id !== state.currentPaymentId && p.status !== 'unpaid');
    const drop = new Set(closed.slice(0, payments.length - STATE_CAPS.payments).map((p) => p.id));
    payments = payments.filter((p) => !drop.has(p.id));
  }
  if (seenReceipts.length > STATE_CAPS.seenReceipts) seenReceipts = seenReceipts.slice(-STATE_CAPS.seenReceipts);
  return payments === state.payments && seenReceipts === state.seenReceipts ? state : { ...state, payments, seenReceipts };
}

/** SATS still due on the payment now being collected: 0 once paid, null while no amount is chosen. */
export function targetAmountDue(state: SessionState, toTargetSats: (amount: string, rate: string) => bigint): string | null {
  if (state.status === 'paid') return '0';
  const due = amountDue(state);
  const current = state.payments.find((p) => p.id === state.currentPaymentId);
  if (due === null || !current) return null;
  return toTargetSats(due, current.exchangeRate).toString();
}
