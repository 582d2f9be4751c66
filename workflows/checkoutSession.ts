import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setCurrentDetails,
  setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CheckoutWorkflowInput } from '../src/domain/definition';
import type { ReceiptInput, SessionState } from '../src/domain/session';
import { nextState, prunePayments, type SessionEffect, type SessionInput } from '../src/domain/transitions';
import {
  chooseAmountUpdate, createdUpdate, deactivateUpdate, receiptSignal, stateQuery,
} from '../src/temporal/definitions';
import { initialState } from '../src/domain/initialState';
import { searchAttributesKey, searchAttributesOf, sessionSummary } from '../src/temporal/workflowView';
import { Serializer } from './serializer';

type Activities = ReturnType<typeof createActivities>;

/** Well below Temporal's 50k-event limit: a year of TTL renewals or a flood of receipts stays cheap to replay. */
const DEFAULT_HISTORY_LIMIT = 10_000;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * One checkout session's whole life: its payments, receipts, TTL renewals, deactivation and the
 * monitoring window after it settles. State changes only through `nextState`; this function feeds
 * it inputs and runs the effects it returns, one transition at a time.
 */
export async function checkoutSession(input: CheckoutWorkflowInput): Promise<SessionState> {
  const inbox: ReceiptInput[] = [];
  const serial = new Serializer();
  let state: SessionState | undefined = input.kind === 'continued' ? input.state : undefined;
  let ready = state !== undefined;
  const resumed = input.kind === 'resume';
  let publishedKey = '';

  setHandler(receiptSignal, (receipt) => { inbox.push(receipt); });
  setHandler(stateQuery, () => mustHave(state));
  setHandler(createdUpdate, async () => {
    await condition(() => ready);
    return { version: mustHave(state).version };
  });
  // Validators dry-run the transition, so a refused update leaves no trace in the history.
  setHandler(deactivateUpdate, () => serial.run(() => apply({ type: 'deactivate' })), {
    validator: () => dryRun({ type: 'deactivate' }),
  });
  setHandler(chooseAmountUpdate, (amount) => serial.run(() => apply({ type: 'amount_chosen', amount })), {
    validator: (amount) => dryRun({ type: 'amount_chosen', amount }),
  });

  if (input.kind === 'new') {
    await acts.persistNewSession(input.definition);
    state = initialState(input.definition);
    await serial.run(async () => {
      if (state!.amount !== null) await runEffects([{ kind: 'open_payment', amount: state!.amount }]);
      else publish();
    });
  } else if (input.kind === 'resume') {
    state = await acts.loadSessionState(input.sessionId);
  }
  publish();
  ready = true;

  const monitoringMs = input.monitoringMs;
  for (;;) {
    const deadline = nextDeadline(mustHave(state), monitoringMs, resumed);
    const wake = () => inbox.length > 0 || historyFull();
    if (deadline === null) await condition(wake);
    else await condition(wake, Math.max(deadline - Date.now(), 1));
    await serial.run(async () => {
      while (inbox.length > 0) await apply({ type: 'receipt', receipt: inbox.shift()!, late: resumed && state!.status !== 'active' });
      const open = state!.payments.find((p) => p.id === state!.currentPaymentId);
      if (open && open.status === 'unpaid' && Date.now() >= open.expiresAt) await apply({ type: 'payment_expired', paymentId: open.id });
      state = prunePayments(state!, Date.now(), monitoringMs);
    });
    const s = mustHave(state);
    if (s.status !== 'active' && inbox.length === 0 && Date.now() >= monitoringEnd(s, monitoringMs, resumed)) break;
    if (historyFull()) {
      // Carry the state (with its receipt dedupe set) into a fresh history once in-flight handlers finish.
      await condition(allHandlersFinished);
      if (inbox.length === 0) await continueAsNew<typeof checkoutSession>({ kind: 'continued', state: mustHave(state), monitoringMs, historyLimit: input.historyLimit });
    }
  }
  await condition(allHandlersFinished);
  return mustHave(state);

  async function apply(event: SessionInput): Promise<{ version: number }> {
    const result = nextState(mustHave(state), event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
    state = result.state;
    await runEffects(result.effects);
    publish();
    return { version: state.version };
  }

  async function runEffects(effects: SessionEffect[]): Promise<void> {
    for (const effect of effects) {
      const snapshot = mustHave(state);
      if (effect.kind === 'record') {
        await acts.recordSession({ state: snapshot, events: effect.events });
      } else if (effect.kind === 'credit_receipt') {
        const { transferIds } = await acts.creditReceipt({ state: snapshot, receipt: effect.receipt, flag: effect.flag, events: effect.events });
        // Transfers run in array order, each its own activity, each exactly once (keyed, check-before-act).
        for (const transferId of transferIds) await acts.executeTransfer(transferId);
      } else {
        const seq = snapshot.nextPaymentSeq;
        state = { ...snapshot, nextPaymentSeq: seq + 1 };
        const payment = await acts.openPayment({ sessionId: snapshot.id, seq, amount: effect.amount });
        await apply({ type: 'payment_opened', payment });
      }
    }
  }

  function historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  function dryRun(event: SessionInput): void {
    if (!state) throw ApplicationFailure.nonRetryable('The checkout session is not initialised yet.', 'SessionNotReady');
    const result = nextState(state, event, Date.now());
    if (!result.ok) throw ApplicationFailure.nonRetryable(result.error, 'SessionTransitionRejected');
  }

  function publish(): void {
    const s = mustHave(state);
    const key = searchAttributesKey(s);
    if (key !== publishedKey) upsertSearchAttributes(searchAttributesOf(s));
    publishedKey = key;
    setCurrentDetails(sessionSummary(s));
  }
}

function nextDeadline(state: SessionState, monitoringMs: number, resumed: boolean): number | null {
  if (state.status !== 'active') return monitoringEnd(state, monitoringMs, resumed);
  const open = state.payments.find((p) => p.id === state.currentPaymentId);
  return open && open.status === 'unpaid' ? open.expiresAt : null;
}

/** A settled session stays open to catch late money; a resumed run only handles what woke it. */
function monitoringEnd(state: SessionState, monitoringMs: number, resumed: boolean): number {
  return resumed ? 0 : (state.settledAt ?? 0) + monitoringMs;
}

function mustHave(state: SessionState | undefined): SessionState {
  if (!state) throw ApplicationFailure.nonRetryable('The checkout session is not initialised yet.', 'SessionNotReady');
  return state;
}
