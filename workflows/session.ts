import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, log, patched, setCurrentDetails,
  upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { ReceiptFacts } from '../activities/receipts';
import type { CheckoutWorkflowInput, SessionDefinition } from '../src/domain/definition';
import type { SessionState } from '../src/domain/session';
import { chosenAmountError } from '../src/domain/amountChoice';
import { amountDue, nextState, type SessionInput } from '../src/domain/transitions';
import type { ReceiptSignal } from '../src/temporal/definitions';
import { initialState } from '../src/domain/initialState';
import { CheckoutAttentionKey } from '../src/temporal/searchAttributes';
import { searchAttributesKey, searchAttributesOf, sessionSummary } from '../src/temporal/workflowView';
import { localDb, localPayments, remoteMoney } from './activityOptions';
import { Recovery, failureLine, isActivityFailure, retryDelayMs, type Job } from './recovery';
import { PATCHES } from './patches';
import { Serializer } from './serializer';

/** Well below Temporal's 50k-event limit: a year of TTL renewals or a flood of receipts stays cheap to replay. */
const DEFAULT_HISTORY_LIMIT = 10_000;
const DEFAULT_RETRY_BASE_MS = 30_000;
const DEFAULT_IDLE_MS = 24 * 3_600_000;
const RENEWAL_PENDING = 'A fresh payment is being made; it is retried on the workflow\'s backoff.';

/** What the main loop does after a turn. */
export type Next = 'wait' | 'close' | 'continue-as-new';

/**
 * One checkout session inside its workflow: the state, the failed work and the inputs waiting, and
 * how each input becomes a transition (`nextState`, the only place the state changes) whose effects
 * run as activities. Sections (a receipt, an update, a timer) run one at a time (`Serializer`), never
 * cancelled half-way. An activity failure never fails the workflow: the work is kept, flagged and
 * retried on a durable backoff (`Recovery`).
 */
export class CheckoutSession {
  private state: SessionState | undefined;
  private readonly recovery: Recovery;
  private readonly inbox: ReceiptSignal[] = [];
  private readonly serial = new Serializer();
  private readonly idleMs: number;
  private ready: boolean;
  private wakeRequested = false;
  private cancelRequested = false;
  /** When the session last changed; an active session with nothing due closes its run `idleMs` after it. */
  private lastChange = Date.now();
  /** A resumed run of a settled session only handles what woke it (late money); an active one lives on. */
  private closeWhenSettled = false;
  private publishedKey = '';
  private publishedAttention: boolean;
  /** The facts of the receipt that started this run, read with the session (used once, by that receipt's turn). */
  private startFacts: { receiptId: string; facts: ReceiptFacts | null } | null = null;

  constructor(private readonly input: CheckoutWorkflowInput) {
    this.state = input.kind === 'continued' ? input.state : undefined;
    this.recovery = new Recovery(input.kind === 'continued' ? input.recovery : undefined, input.retryBaseMs ?? DEFAULT_RETRY_BASE_MS);
    this.ready = this.state !== undefined;
    this.publishedAttention = this.recovery.attention !== null;
    this.idleMs = input.idleMs ?? DEFAULT_IDLE_MS;
  }

  // ── Inputs ──────────────────────────────────────────────────────────────────────────────────────

  get current(): SessionState { return mustHave(this.state); }
  /** The `created` update: answers once the session is persisted and its first payment (if any) made. */
  async whenCreated(): Promise<{ version: number }> {
    await condition(() => this.ready);
    return { version: this.current.version };
  }

  receive(receipt: ReceiptSignal): void { this.inbox.push(receipt); }

  /** An operator's cancel request: the next turn deactivates the session and the run ends. */
  requestCancel(): void { this.cancelRequested = true; }

  /**
   * An update's validator: dry-runs the transition, so a refused update leaves no trace in the history.
   * An update that started a `resume` run (update-with-start) arrives before the state is loaded: it is
   * accepted, waits for the state, and a refusal then fails it inside the handler.
   */
  validate(event: SessionInput): void {
    if (!this.state && this.input.kind === 'resume') return;
    const s = mustHave(this.state);
    const result = nextState(s, event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
    this.precheck(event, s);
  }

  /** An update's transition, in its turn; the main loop then recomputes its deadline. */
  update(event: SessionInput): Promise<{ version: number }> {
    return this.whenReady(() => this.serial.run(async () => {
      // A renewal while a payment request is failing adds nothing: that request is the renewal, on its backoff.
      if (event.type === 'renew' && this.paymentRequestPending()) return { version: this.current.version };
      this.precheck(event, this.current);
      const result = await this.apply(event);
      this.wakeRequested = true;
      return result;
    }));
  }

  /** The operator's `retry`: runs the failed work now. */
  retryNow(): Promise<{ pending: number; attention: string | null }> {
    return this.serial.run(async () => {
      await this.retryJobs();
      return { pending: this.recovery.jobs.length, attention: this.recovery.attention?.reason ?? null };
    });
  }

  // ── The run ─────────────────────────────────────────────────────────────────────────────────────

  /** Creates the session (a new run) or loads it (a resumed run); then updates may apply. */
  async start(): Promise<void> {
    const input = this.input;
    if (input.kind === 'new') {
      await this.serial.run(() => this.create(input.definition));
    } else if (input.kind === 'resume') {
      this.state = await this.loadState(input.sessionId, input.receiptId);
      this.closeWhenSettled = this.state.status !== 'active';
    }
    this.publish();
    this.ready = true;
    this.lastChange = Date.now();
  }

  /** Waits for the next input or deadline: a receipt, an update, a payment's expiry, a retry round, the end. */
  async waitForInput(): Promise<void> {
    this.wakeRequested = false;
    let deadline = earliest(this.nextDeadline(), this.recovery.attention?.retryAt ?? null);
    if (this.idle()) deadline = this.lastChange + this.idleMs;
    const wake = () => this.inbox.length > 0 || this.historyFull() || this.wakeRequested || this.cancelRequested;
    if (deadline === null) await condition(wake);
    else await condition(wake, Math.max(deadline - Date.now(), 1));
  }

  /** One turn: receipts waiting, a payment that expired, a retry round due, a cancel request. */
  handleDue(): Promise<void> {
    return this.serial.run(async () => {
      while (this.inbox.length > 0) await this.takeReceipt(this.inbox.shift()!);
      const s = this.current;
      const open = s.payments.find((p) => p.id === s.currentPaymentId);
      if (open && open.status === 'unpaid' && Date.now() >= open.expiresAt) {
        await this.apply({ type: 'payment_expired', paymentId: open.id });
      }
      if (this.recovery.attention && Date.now() >= this.recovery.attention.retryAt) await this.retryJobs();
      this.transition({ type: 'tidy', monitoringMs: this.input.monitoringMs });
      if (this.cancelRequested && this.current.status === 'active') await this.apply({ type: 'deactivate' });
    });
  }

  /** Whether the run goes on, ends (settled and watched long enough, idle, cancelled) or continues as new. */
  async next(): Promise<Next> {
    if (this.cancelRequested) {
      await condition(allHandlersFinished);
      if (this.recovery.jobs.length > 0) {
        log.warn('run cancelled with failed work left; the read model and the receipts redelivery keep the facts', {
          sessionId: workflowInfo().workflowId, pending: this.recovery.jobs.map((j) => j.kind),
        });
      }
      return 'close';
    }
    const s = this.current;
    const settled = s.status !== 'active' && this.inbox.length === 0 && this.recovery.jobs.length === 0;
    if (settled && Date.now() >= monitoringEnd(s, this.input.monitoringMs, this.closeWhenSettled)) return 'close';
    if (this.idle() && Date.now() >= this.lastChange + this.idleMs) {
      // Updates accepted meanwhile finish first; one that made the session busy again keeps the run.
      await condition(allHandlersFinished);
      if (this.idle()) return 'close';
    }
    if (this.historyFull()) {
      // Carry the state (with its receipt dedupe set and failed work) into a fresh history once in-flight handlers finish.
      await condition(allHandlersFinished);
      if (this.inbox.length === 0) return 'continue-as-new';
    }
    return 'wait';
  }

  /** Ends the run: in-flight updates finish, then the state is the run's result. */
  async close(): Promise<SessionState> {
    await condition(allHandlersFinished);
    return this.current;
  }

  /** Continues as new with the state and the failed work (typed: the next run's input). */
  continueAsNew(): Promise<never> {
    const { monitoringMs, historyLimit, retryBaseMs, idleMs } = this.input;
    return continueAsNew<(input: CheckoutWorkflowInput) => Promise<SessionState>>({
      kind: 'continued', state: this.current, recovery: this.recovery.snapshot(), monitoringMs, historyLimit, retryBaseMs, idleMs,
    });
  }

  // ── Transitions and effects ─────────────────────────────────────────────────────────────────────

  /** The only place the state changes: `nextState`. Returns the transition's effects (not run). */
  private transition(event: SessionInput): Job[] {
    const result = nextState(this.current, event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
    this.state = result.state;
    return result.effects;
  }

  private async apply(event: SessionInput): Promise<{ version: number }> {
    const effects = this.transition(event);
    this.lastChange = Date.now();
    await this.runEffects(effects);
    this.dropObsoleteJobs();
    this.publish();
    return { version: this.current.version };
  }

  private async runEffects(effects: Job[]): Promise<void> {
    for (const effect of effects) await this.runJob(effect);
  }

  /** Runs one job; an activity failure keeps the job for a retry and flags the session instead of failing it. */
  private async runJob(job: Job): Promise<boolean> {
    try {
      await this.execute(job);
      return true;
    } catch (err) {
      if (!isActivityFailure(err)) throw err;
      this.keepForRetry([job], failureLine(job.kind, err));
      return false;
    }
  }

  private keepForRetry(jobs: Job[], reason: string): void {
    log.warn('checkout session work failed; kept for a retry', { sessionId: workflowInfo().workflowId, reason });
    this.recovery.keep(jobs, reason, Date.now());
    this.wakeRequested = true;
    this.publish();
  }

  private async execute(job: Job): Promise<void> {
    if (job.kind === 'persist') return localDb.persistNewSession(job.definition);
    const snapshot = this.current;
    switch (job.kind) {
      case 'record':
        return localDb.recordSession({ state: snapshot, events: job.events });
      case 'receipt':
        return this.creditFromDatabase(job.receiptId);
      case 'transfer':
        return localDb.executeTransfer({ sessionId: snapshot.id, transferId: job.transferId });
      case 'credit_receipt': {
        const { transferIds } = await remoteMoney.creditReceipt({ state: snapshot, receipt: job.receipt, flag: job.flag, events: job.events });
        await this.postTransfers(transferIds.map((transferId): Job => ({ kind: 'transfer', transferId })));
        return;
      }
      case 'open_payment': {
        const payment = await localPayments.openPayment({ sessionId: snapshot.id, seq: job.seq, amount: job.amount });
        await this.apply({ type: 'payment_opened', payment });
        return;
      }
    }
  }

  /**
   * Transfers are posted in their array order, each its own activity, each exactly once (keyed,
   * check-before-act). Order is a priority under failure too: once one fails, the later ones wait
   * behind it unattempted, so a later destination is never paid from a balance an earlier one needed.
   */
  private async postTransfers(transfers: Job[]): Promise<void> {
    for (const [i, transfer] of transfers.entries()) {
      if (!(await this.runJob(transfer))) {
        this.recovery.hold(transfers.slice(i + 1));
        return;
      }
    }
  }

  /**
   * A new session in one local activity: its row, first payment and mirrored state. If it fails, the
   * steps it stands for run as ordinary jobs (both idempotent): the row at once, the payment on the retry rounds.
   */
  private async create(definition: SessionDefinition): Promise<void> {
    // The state exists once the activity answers (until then updates wait and the state query refuses).
    // The activity records the `payment_opened` transition itself (the same reducer, from the same
    // initial state and sequence number), so it is applied here without its effects.
    const initial = initialState(definition);
    const requested = definition.amount === null ? null : nextState(initial, { type: 'request_payment', amount: definition.amount }, Date.now());
    const base = requested?.state ?? initial;
    const request = requested?.ok ? requested.effects[0] : null;
    try {
      const payment = await localPayments.createSession({ definition, seq: request?.kind === 'open_payment' ? request.seq : initial.nextPaymentSeq });
      this.state = base;
      if (payment) this.transition({ type: 'payment_opened', payment });
    } catch (err) {
      if (!isActivityFailure(err)) throw err;
      // The session must exist even when its first payment cannot be made (the API answers with it, flagged).
      // The failure does not say the attempt wrote nothing: one may have committed the row with its first
      // payment at the `payment_opened` state (one version up, what the API then shows) and lost its answer
      // (a worker or PostgreSQL gone before it reached us, then every retry failing). The read model's write is
      // version-guarded, so the state skips that version: the next transition writes above it. Kept at an
      // equal version, a receipt for that payment would be credited while its session row kept 0 paid.
      // (Only the version that later activity inputs carry changes, no command: recorded histories replay.)
      this.state = request === null ? base : { ...base, version: base.version + 1 };
      if (request === null) {
        this.keepForRetry([{ kind: 'persist', definition }], failureLine('persist', err));
      } else {
        const reason = failureLine('open_payment', err);
        await this.runJob({ kind: 'persist', definition });
        this.keepForRetry([request], reason);
      }
    }
    this.publish();
  }

  /** A receipt signal: the database holds the facts; the message only names the receipt. */
  private async takeReceipt(message: ReceiptSignal): Promise<void> {
    await this.runJob({ kind: 'receipt', receiptId: message.receiptId });
  }

  private async creditFromDatabase(receiptId: string): Promise<void> {
    // The run's own receipt was read with the session (nothing else credits it meanwhile: this workflow is its only writer).
    const loaded = this.startFacts?.receiptId === receiptId ? this.startFacts : null;
    this.startFacts = null;
    const facts = loaded ? loaded.facts : await localDb.receiptFacts({ sessionId: this.current.id, receiptId });
    if (!facts) {
      log.warn('receipt refused: not a stored receipt of this session', { sessionId: workflowInfo().workflowId, receiptId });
      return;
    }
    const { credited, ...receipt } = facts;
    // The database is the dedupe of record: credited already, or applied and waiting for its credit's retry.
    if (credited || this.recovery.jobs.some((j) => j.kind === 'credit_receipt' && j.receipt.receiptId === receiptId)) return;
    await this.apply({ type: 'receipt', receipt, late: this.closeWhenSettled && this.current.status !== 'active' });
    this.transition({ type: 'tidy', monitoringMs: this.input.monitoringMs });
  }

  /** Runs the failed work again, oldest first; a transfer that fails again holds the later ones. */
  private async retryJobs(): Promise<void> {
    const before = this.recovery.attention;
    const jobs = this.recovery.takeAll();
    let transferFailed = false;
    for (const job of jobs) {
      const needed = this.refresh(job);
      if (needed === null) continue;
      if (needed.kind === 'transfer' && transferFailed) { this.recovery.hold([needed]); continue; }
      if (!(await this.runJob(needed)) && needed.kind === 'transfer') transferFailed = true;
    }
    this.recovery.roundDone(before, Date.now());
    this.publish();
  }

  /** Failed work the session no longer needs (a payment request of a session since paid or deactivated) goes. */
  private dropObsoleteJobs(): void {
    if (this.recovery.jobs.length === 0) return;
    this.recovery.replace(this.recovery.jobs.map((j) => this.refresh(j)).filter((j): j is Job => j !== null));
  }

  /**
   * A job as it is needed now: null when no longer needed; a failed payment request for another amount
   * than is due now becomes a request for what is due, under a fresh sequence number from the reducer.
   */
  private refresh(job: Job): Job | null {
    if (job.kind !== 'open_payment') return job;
    const s = this.current;
    if (s.status !== 'active' || s.amount === null) return null;
    const due = amountDue(s);
    if (due === null || due === '0') return null;
    return due === job.amount ? job : this.transition({ type: 'request_payment', amount: due })[0];
  }

  private paymentRequestPending(): boolean {
    return this.recovery.jobs.some((j) => j.kind === 'open_payment');
  }

  private precheck(event: SessionInput, s: SessionState): void {
    if (event.type === 'amount_chosen') {
      const error = chosenAmountError(event.amount, s.currency, s.amountChoice);
      if (error) throw ApplicationFailure.nonRetryable(error, 'InvalidAmount');
    }
    if (event.type === 'renew' && this.paymentRequestPending()) throw ApplicationFailure.nonRetryable(RENEWAL_PENDING, 'RenewalPending');
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

  private whenReady<T>(handler: () => Promise<T>): Promise<T> {
    return this.ready ? handler() : condition(() => this.ready).then(handler);
  }

  /** Active, nothing due (no open payment, no failed work), nothing waiting: the run may close. */
  private idle(): boolean {
    return this.current.status === 'active' && this.nextDeadline() === null
      && this.recovery.jobs.length === 0 && this.inbox.length === 0 && !this.cancelRequested;
  }

  private nextDeadline(): number | null {
    const s = this.current;
    if (s.status !== 'active') return monitoringEnd(s, this.input.monitoringMs, this.closeWhenSettled);
    const open = s.payments.find((p) => p.id === s.currentPaymentId);
    return open && open.status === 'unpaid' ? open.expiresAt : null;
  }

  private async loadState(sessionId: string, receiptId?: string): Promise<SessionState> {
    const withReceipt = receiptId !== undefined && patched(PATCHES.resumeWithReceipt);
    // Nothing can happen without the state: keep trying on the backoff (flagged) until the database answers.
    for (let attempts = 0; ; attempts++) {
      try {
        if (withReceipt) {
          const { state, facts } = await localDb.loadSessionWithReceipt({ sessionId, receiptId });
          this.startFacts = { receiptId, facts };
          return state;
        }
        return await localDb.loadSessionState(sessionId);
      } catch (err) {
        if (!isActivityFailure(err)) throw err;
        log.warn('could not load the session state; retrying', { sessionId, reason: failureLine('load_state', err) });
        upsertSearchAttributes([{ key: CheckoutAttentionKey, value: true }]);
        this.publishedAttention = true;
        await condition(() => false, retryDelayMs(attempts, this.input.retryBaseMs ?? DEFAULT_RETRY_BASE_MS));
      }
    }
  }

  private historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  /** Search attributes and the Web UI's details line, written only when they change. */
  private publish(): void {
    if (!this.state) return;
    const s = this.state;
    const key = searchAttributesKey(s);
    if (key !== this.publishedKey) upsertSearchAttributes(searchAttributesOf(s));
    this.publishedKey = key;
    // Only on a change: sessions that never failed issue exactly the commands they always did.
    const attention = this.recovery.attention;
    if ((attention !== null) !== this.publishedAttention) upsertSearchAttributes([{ key: CheckoutAttentionKey, value: attention !== null }]);
    this.publishedAttention = attention !== null;
    const flag = attention ? ` | ATTENTION (${this.recovery.jobs.length} failed, retry ${attention.attempts + 1}): ${attention.reason}` : '';
    setCurrentDetails(`${sessionSummary(s)}${flag}`);
  }
}

function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** A settled session stays open to catch late money; a run resumed for a settled session only handles what woke it. */
function monitoringEnd(state: SessionState, monitoringMs: number, closeWhenSettled: boolean): number {
  return closeWhenSettled ? 0 : (state.settledAt ?? 0) + monitoringMs;
}

function mustHave(state: SessionState | undefined): SessionState {
  if (!state) throw ApplicationFailure.nonRetryable('The checkout session is not initialised yet.', 'SessionNotReady');
  return state;
}
