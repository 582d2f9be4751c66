import {
  ApplicationFailure, CancellationScope, allHandlersFinished, condition, continueAsNew, log, patched, setCurrentDetails,
  setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { CheckoutWorkflowInput, SessionDefinition } from '../src/domain/definition';
import type { ReceiptInput, SessionState } from '../src/domain/session';
import { chosenAmountError } from '../src/domain/amountChoice';
import { amountDue, capState, nextState, prunePayments, type SessionEffect, type SessionInput } from '../src/domain/transitions';
import {
  chooseAmountUpdate, createdUpdate, deactivateUpdate, receiptSignal, renewUpdate, retryUpdate, stateQuery, type ReceiptSignal,
} from '../src/temporal/definitions';
import { initialState } from '../src/domain/initialState';
import { CheckoutAttentionKey } from '../src/temporal/searchAttributes';
import { searchAttributesKey, searchAttributesOf, sessionSummary } from '../src/temporal/workflowView';
import {
  dbActivities, localDbActivities, localPaymentActivities, moneyActivities, paymentActivities,
} from './activityOptions';
import { PATCHES } from './patches';
import { emptyRecovery, failureLine, isActivityFailure, retryDelayMs, type Job, type Recovery } from './recovery';
import { Serializer } from './serializer';

/** Well below Temporal's 50k-event limit: a year of TTL renewals or a flood of receipts stays cheap to replay. */
const DEFAULT_HISTORY_LIMIT = 10_000;
const DEFAULT_RETRY_BASE_MS = 30_000;
const DEFAULT_IDLE_MS = 24 * 3_600_000;
const RENEWAL_PENDING = 'A fresh payment is being made; it is retried on the workflow\'s backoff.';

/**
 * One checkout session's whole life: its payments, receipts, TTL renewals, deactivation and the
 * monitoring window after it settles. State changes only through `nextState`; this function feeds
 * it inputs and runs the effects it returns, one transition at a time. It never fails: work whose
 * activity fails is kept, flagged (`CheckoutAttention`, the details line) and retried on a growing
 * durable backoff or by an operator's `retry`, while receipts and updates keep being handled.
 *
 * Every run ends: a settled session after its monitoring window, an active one once it has been idle
 * (`idleMs`: nothing due, no failed work, no message), and any run an operator cancels (the session is
 * deactivated first). The read model keeps the session; the next receipt (signal-with-start) or update
 * (update-with-start) starts a `resume` run from it.
 */
export async function checkoutSession(input: CheckoutWorkflowInput): Promise<SessionState> {
  const inbox: ReceiptSignal[] = [];
  const serial = new Serializer();
  let state: SessionState | undefined = input.kind === 'continued' ? input.state : undefined;
  const recovery: Recovery = input.kind === 'continued' && input.recovery ? input.recovery as Recovery : emptyRecovery();
  let ready = state !== undefined;
  let publishedKey = '';
  let publishedAttention = recovery.attention !== null;
  let wakeRequested = false;
  const retryBaseMs = input.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const idleMs = input.idleMs ?? DEFAULT_IDLE_MS;
  /** When the session last changed; an active session with nothing due closes its run `idleMs` after it. */
  let lastChange = Date.now();
  /** A resumed run of a settled session only handles what woke it (late money); an active one lives on. */
  let closeWhenSettled = false;
  // An operator's cancel request ("Request Cancellation" in the Web UI) is an input, not an interruption:
  // the workflow body and every section run non-cancellable, and the loop deactivates the session and ends.
  let cancelRequested = false;
  CancellationScope.current().cancelRequested.catch(() => { cancelRequested = true; });

  setHandler(receiptSignal, (receipt) => { inbox.push(receipt); });
  setHandler(stateQuery, () => mustHave(state));
  setHandler(createdUpdate, async () => {
    await condition(() => ready);
    return { version: mustHave(state).version };
  });
  // Validators dry-run the transition, so a refused update leaves no trace in the history. An update that
  // started a `resume` run (update-with-start) arrives before the state is loaded: it is accepted, waits
  // for the state, and a refusal then fails it inside the handler.
  setHandler(deactivateUpdate, () => whenReady(() => serial.run(() => applyFromUpdate({ type: 'deactivate' }))), {
    validator: () => { dryRun({ type: 'deactivate' }); },
  });
  setHandler(chooseAmountUpdate, (amount) => whenReady(() => serial.run(async () => {
    checkChosenAmount(amount, mustHave(state));
    return applyFromUpdate({ type: 'amount_chosen', amount });
  })), {
    validator: (amount) => {
      const s = dryRun({ type: 'amount_chosen', amount });
      if (s) checkChosenAmount(amount, s);
    },
  });
  // A renewal while a payment request is failing adds nothing: that request is the renewal, retried on the
  // durable backoff. Refused without a trace, so page polls during an outage cost no payment attempts.
  setHandler(renewUpdate, () => whenReady(() => serial.run(async () => {
    if (paymentRequestPending()) return { version: mustHave(state).version };
    return applyFromUpdate({ type: 'renew' });
  })), {
    validator: () => {
      dryRun({ type: 'renew' });
      if (paymentRequestPending()) throw ApplicationFailure.nonRetryable(RENEWAL_PENDING, 'RenewalPending');
    },
  });
  setHandler(retryUpdate, () => serial.run(async () => {
    await retryJobs();
    return { pending: recovery.jobs.length, attention: recovery.attention?.reason ?? null };
  }), { validator: () => { mustHave(state); } });

  return CancellationScope.nonCancellable(lifecycle);

  /** The run: the session is created or loaded, then every input is handled until the run ends. */
  async function lifecycle(): Promise<SessionState> {
    if (input.kind === 'new' && patched(PATCHES.createInOneStep)) {
      const definition = input.definition;
      await serial.run(() => createInOneStep(definition));
    } else if (input.kind === 'new') {
      // A failed insert is kept for a retry like any other work; the payment request after it waits its turn.
      await runJob({ kind: 'persist', definition: input.definition });
      state = initialState(input.definition);
      await serial.run(async () => {
        if (state!.amount !== null) await runEffects([{ kind: 'open_payment', amount: state!.amount }]);
        else publish();
      });
    } else if (input.kind === 'resume') {
      state = await loadState(input.sessionId);
      closeWhenSettled = state.status !== 'active';
    }
    publish();
    ready = true;
    lastChange = Date.now();

    const monitoringMs = input.monitoringMs;
    for (;;) {
      wakeRequested = false;
      let deadline = earliest(nextDeadline(mustHave(state), monitoringMs, closeWhenSettled), recovery.attention?.retryAt ?? null);
      if (idle() && patched(PATCHES.idleClose)) deadline = lastChange + idleMs;
      const wake = () => inbox.length > 0 || historyFull() || wakeRequested || cancelRequested;
      if (deadline === null) await condition(wake);
      else await condition(wake, Math.max(deadline - Date.now(), 1));
      await serial.run(async () => {
        while (inbox.length > 0) await takeReceipt(inbox.shift()!);
        const open = state!.payments.find((p) => p.id === state!.currentPaymentId);
        if (open && open.status === 'unpaid' && Date.now() >= open.expiresAt) {
          await apply({ type: 'payment_expired', paymentId: open.id, lazy: patched(PATCHES.lazyRenewal) });
        }
        if (recovery.attention && Date.now() >= recovery.attention.retryAt) await retryJobs();
        state = prunePayments(state!, Date.now(), monitoringMs);
        if (cancelRequested && state.status === 'active') await apply({ type: 'deactivate' });
      });
      if (cancelRequested) {
        await condition(allHandlersFinished);
        if (recovery.jobs.length > 0) {
          log.warn('run cancelled with failed work left; the read model and the receipts redelivery keep the facts', {
            sessionId: workflowInfo().workflowId, pending: recovery.jobs.map((j) => j.kind),
          });
        }
        break;
      }
      const s = mustHave(state);
      const settled = s.status !== 'active' && inbox.length === 0 && recovery.jobs.length === 0;
      if (settled && Date.now() >= monitoringEnd(s, monitoringMs, closeWhenSettled)) break;
      if (idle() && Date.now() >= lastChange + idleMs && patched(PATCHES.idleClose)) {
        // Updates accepted meanwhile finish first; one that made the session busy again keeps the run.
        await condition(allHandlersFinished);
        if (idle()) break;
      }
      if (historyFull()) {
        // Carry the state (with its receipt dedupe set and failed work) into a fresh history once in-flight handlers finish.
        await condition(allHandlersFinished);
        if (inbox.length === 0) {
          await continueAsNew<typeof checkoutSession>({
            kind: 'continued', state: mustHave(state), recovery, monitoringMs, historyLimit: input.historyLimit, retryBaseMs: input.retryBaseMs,
            idleMs: input.idleMs,
          });
        }
      }
    }
    await condition(allHandlersFinished);
    return mustHave(state);
  }

  function paymentRequestPending(): boolean {
    return recovery.jobs.some((j) => j.kind === 'open_payment');
  }

  /** Active, nothing due (no open payment, no failed work), nothing waiting: the run may close. */
  function idle(): boolean {
    const s = mustHave(state);
    return s.status === 'active' && nextDeadline(s, input.monitoringMs, closeWhenSettled) === null
      && recovery.jobs.length === 0 && inbox.length === 0 && !cancelRequested;
  }

  function whenReady<T>(handler: () => Promise<T>): Promise<T> {
    return ready ? handler() : condition(() => ready).then(handler);
  }

  function checkChosenAmount(amount: string, s: SessionState): void {
    const error = chosenAmountError(amount, s.currency, s.amountChoice);
    if (error) throw ApplicationFailure.nonRetryable(error, 'InvalidAmount');
  }

  async function apply(event: SessionInput): Promise<{ version: number }> {
    const result = nextState(mustHave(state), event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
    state = result.state;
    lastChange = Date.now();
    await runEffects(result.effects);
    dropObsoleteJobs();
    publish();
    return { version: state.version };
  }

  /** An update's transition; the main loop then recomputes its deadline (a renewal, the monitoring end). */
  async function applyFromUpdate(event: SessionInput): Promise<{ version: number }> {
    const result = await apply(event);
    if (patched(PATCHES.wakeLoopOnUpdate)) wakeRequested = true;
    return result;
  }

  async function runEffects(effects: SessionEffect[]): Promise<void> {
    for (const effect of effects) await runJob(effect);
  }

  /** Runs one job; an activity failure keeps the job for a retry and flags the session instead of failing it. */
  async function runJob(job: Job): Promise<boolean> {
    try {
      await execute(job);
      return true;
    } catch (err) {
      if (!isActivityFailure(err)) throw err;
      keepForRetry([job], failureLine(job.kind, err));
      return false;
    }
  }

  /** Keeps failed work for the retry rounds, flags the session and wakes the loop to schedule the round. */
  function keepForRetry(jobs: Job[], reason: string): void {
    log.warn('checkout session work failed; kept for a retry', { sessionId: workflowInfo().workflowId, reason });
    for (const job of jobs) {
      if (job.kind === 'open_payment') recovery.jobs = recovery.jobs.filter((j) => j.kind !== 'open_payment');
      recovery.jobs.push(job);
    }
    const now = Date.now();
    recovery.attention = recovery.attention
      ? { ...recovery.attention, reason }
      : { reason, since: now, attempts: 0, retryAt: now + retryDelayMs(0, retryBaseMs) };
    wakeRequested = true;
    publish();
  }

  /**
   * A new session in one local activity: its row, first payment and mirrored state (patch `create-in-one-step`).
   * The activity recorded the `payment_opened` transition already, so it is applied here without its effects.
   * If it fails, the two steps it stands for run as ordinary jobs (both idempotent): the row at once, the
   * payment on the retry rounds.
   */
  async function createInOneStep(definition: SessionDefinition): Promise<void> {
    const initial = initialState(definition);
    const seq = initial.nextPaymentSeq;
    const base: SessionState = definition.amount === null ? initial : { ...initial, nextPaymentSeq: seq + 1 };
    try {
      const payment = await localPaymentActivities.createSession({ definition, seq });
      state = base;
      if (payment) {
        const opened = nextState(base, { type: 'payment_opened', payment }, Date.now());
        if (!opened.ok) throw ApplicationFailure.nonRetryable(opened.error, 'SessionTransitionRejected');
        state = opened.state;
      }
    } catch (err) {
      if (!isActivityFailure(err)) throw err;
      // The session must exist even when its first payment cannot be made (the API answers with it, flagged).
      state = base;
      if (definition.amount === null) {
        keepForRetry([{ kind: 'persist', definition }], failureLine('persist', err));
      } else {
        const reason = failureLine('open_payment', err);
        await runJob({ kind: 'persist', definition });
        keepForRetry([{ kind: 'open_payment', amount: definition.amount, seq }], reason);
      }
    }
    publish();
  }

  /**
   * Remote activities on the histories that started before `local-activities`, local ones after. A local
   * activity can run again when its workflow task is lost (a worker crash, a completion the server
   * refused), so only work that is safe to repeat and that the workflow never tells "done" from the
   * database by is local: reads, keyed writes, version-guarded mirrors, keyed transfers.
   */
  function db() { return patched(PATCHES.localActivities) ? localDbActivities : dbActivities; }
  function transfers() { return patched(PATCHES.localActivities) ? localDbActivities : moneyActivities; }
  function payments() { return patched(PATCHES.localActivities) ? localPaymentActivities : paymentActivities; }
  /**
   * Crediting stays a remote activity: the workflow skips a receipt the database says is credited, so a
   * credit must be in the history before the state that includes it moves on. A local credit repeated
   * after a lost workflow task would find the receipt credited and drop it from the replayed state.
   */
  function credits() { return moneyActivities; }

  async function execute(job: Job): Promise<void> {
    if (job.kind === 'persist') return db().persistNewSession(job.definition);
    const snapshot = mustHave(state);
    switch (job.kind) {
      case 'record':
        return db().recordSession({ state: snapshot, events: job.events });
      case 'receipt':
        return creditFromDatabase(job.receiptId);
      case 'transfer':
        return transfers().executeTransfer({ sessionId: snapshot.id, transferId: job.transferId });
      case 'credit_receipt': {
        const { transferIds } = await credits().creditReceipt({ state: snapshot, receipt: job.receipt, flag: job.flag, events: job.events });
        // Transfers run in array order, each its own activity, each exactly once (keyed, check-before-act).
        for (const transferId of transferIds) await runJob({ kind: 'transfer', transferId });
        return;
      }
      case 'open_payment': {
        const seq = job.seq ?? snapshot.nextPaymentSeq;
        // The sequence is taken before the call, so a retry of this job finds the payment an earlier attempt made.
        if (job.seq === undefined) { job.seq = seq; state = { ...snapshot, nextPaymentSeq: seq + 1 }; }
        const payment = await payments().openPayment({ sessionId: snapshot.id, seq, amount: job.amount });
        await apply({ type: 'payment_opened', payment });
        return;
      }
    }
  }

  /** A receipt signal: the database holds the facts; the message only names the receipt. */
  async function takeReceipt(message: ReceiptSignal): Promise<void> {
    if (!patched(PATCHES.receiptFactsFromDb)) {
      await apply({ type: 'receipt', receipt: message as ReceiptInput, late: closeWhenSettled && state!.status !== 'active' });
      return;
    }
    await runJob({ kind: 'receipt', receiptId: message.receiptId });
  }

  async function creditFromDatabase(receiptId: string): Promise<void> {
    const facts = await db().receiptFacts({ sessionId: mustHave(state).id, receiptId });
    if (!facts) {
      log.warn('receipt refused: not a stored receipt of this session', { sessionId: workflowInfo().workflowId, receiptId });
      return;
    }
    const { credited, ...receipt } = facts;
    // The database is the dedupe of record: credited already, or applied and waiting for its credit's retry.
    if (credited || recovery.jobs.some((j) => j.kind === 'credit_receipt' && j.receipt.receiptId === receiptId)) return;
    await apply({ type: 'receipt', receipt, late: closeWhenSettled && state!.status !== 'active' });
    state = capState(state!);
  }

  /** Runs the failed work again, oldest first; clears the flag when all of it went through. */
  async function retryJobs(): Promise<void> {
    const attention = recovery.attention;
    const jobs = recovery.jobs;
    recovery.jobs = [];
    for (const job of jobs) if (stillNeeded(job)) await runJob(job);
    if (recovery.jobs.length === 0) {
      recovery.attention = null;
    } else if (attention) {
      const attempts = attention.attempts + 1;
      recovery.attention = { ...recovery.attention!, attempts, retryAt: Date.now() + retryDelayMs(attempts, retryBaseMs) };
    }
    publish();
  }

  /** Failed work the session no longer needs (a payment request of a session since paid or deactivated) goes. */
  function dropObsoleteJobs(): void {
    if (recovery.jobs.length === 0) return;
    recovery.jobs = recovery.jobs.filter(stillNeeded);
    if (recovery.jobs.length === 0) recovery.attention = null;
  }

  /** A failed payment request is dropped once the session no longer needs it, or re-asked for what is due now. */
  function stillNeeded(job: Job): boolean {
    if (job.kind !== 'open_payment') return true;
    const s = mustHave(state);
    if (s.status !== 'active' || s.amount === null) return false;
    const due = amountDue(s);
    if (due === null || due === '0') return false;
    if (due !== job.amount) { job.amount = due; job.seq = undefined; }
    return true;
  }

  async function loadState(sessionId: string): Promise<SessionState> {
    // Nothing can happen without the state: keep trying on the backoff (flagged) until the database answers.
    for (let attempts = 0; ; attempts++) {
      try {
        return await db().loadSessionState(sessionId);
      } catch (err) {
        if (!isActivityFailure(err)) throw err;
        log.warn('could not load the session state; retrying', { sessionId, reason: failureLine('load_state', err) });
        upsertSearchAttributes([{ key: CheckoutAttentionKey, value: true }]);
        publishedAttention = true;
        await condition(() => false, retryDelayMs(attempts, retryBaseMs));
      }
    }
  }

  function historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  /** The state the update would apply to, or undefined while a resumed run loads it (checked in the handler). */
  function dryRun(event: SessionInput): SessionState | undefined {
    if (!state) {
      if (input.kind === 'resume') return undefined;
      throw ApplicationFailure.nonRetryable('The checkout session is not initialised yet.', 'SessionNotReady');
    }
    const result = nextState(state, event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
    return state;
  }

  function publish(): void {
    if (!state) return;
    const s = state;
    const key = searchAttributesKey(s);
    if (key !== publishedKey) upsertSearchAttributes(searchAttributesOf(s));
    publishedKey = key;
    // Only on a change: sessions that never failed issue exactly the commands they always did.
    const attention = recovery.attention !== null;
    if (attention !== publishedAttention) upsertSearchAttributes([{ key: CheckoutAttentionKey, value: attention }]);
    publishedAttention = attention;
    const flag = recovery.attention ? ` | ATTENTION (${recovery.jobs.length} failed, retry ${recovery.attention.attempts + 1}): ${recovery.attention.reason}` : '';
    setCurrentDetails(`${sessionSummary(s)}${flag}`);
  }
}

function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function nextDeadline(state: SessionState, monitoringMs: number, closeWhenSettled: boolean): number | null {
  if (state.status !== 'active') return monitoringEnd(state, monitoringMs, closeWhenSettled);
  const open = state.payments.find((p) => p.id === state.currentPaymentId);
  return open && open.status === 'unpaid' ? open.expiresAt : null;
}

/** A settled session stays open to catch late money; a run resumed for a settled session only handles what woke it. */
function monitoringEnd(state: SessionState, monitoringMs: number, closeWhenSettled: boolean): number {
  return closeWhenSettled ? 0 : (state.settledAt ?? 0) + monitoringMs;
}

function mustHave(state: SessionState | undefined): SessionState {
  if (!state) throw ApplicationFailure.nonRetryable('The checkout session is not initialised yet.', 'SessionNotReady');
  return state;
}
