import { CancellationScope, setHandler } from '@temporalio/workflow';
import type { CheckoutWorkflowInput } from '../src/domain/definition';
import type { SessionState } from '../src/domain/session';
import {
  chooseAmountUpdate, createdUpdate, deactivateUpdate, receiptSignal, renewUpdate, retryUpdate, stateQuery,
} from '../src/temporal/definitions';
import { CheckoutSession } from './session';

/**
 * One checkout session's whole life: its payments, receipts, renewals, deactivation and the monitoring
 * window after it settles. This function is the wiring: messages in, the lifecycle loop; what each
 * input does is in `CheckoutSession` (workflows/session.ts), and every state change is a `nextState`
 * transition (src/domain/transitions.ts).
 *
 * Every run ends: a settled session after its monitoring window, an active one once it has been idle
 * (`idleMs`: nothing due, no failed work, no message), any run an operator cancels (the session is
 * deactivated first), and a long one continues as new. The read model keeps the session; the next
 * receipt (signal-with-start) or update (update-with-start) starts a `resume` run from it.
 */
export async function checkoutSession(input: CheckoutWorkflowInput): Promise<SessionState> {
  const session = new CheckoutSession(input);

  // Receipts queue for the loop; updates are validated by a dry run (a refusal leaves no history) and
  // applied in turn with everything else.
  setHandler(receiptSignal, (receipt) => session.receive(receipt));
  setHandler(stateQuery, () => session.current);
  setHandler(createdUpdate, async () => session.whenCreated());
  setHandler(deactivateUpdate, () => session.update({ type: 'deactivate' }), {
    validator: () => session.validate({ type: 'deactivate' }),
  });
  setHandler(chooseAmountUpdate, (amount) => session.update({ type: 'amount_chosen', amount }), {
    validator: (amount) => session.validate({ type: 'amount_chosen', amount }),
  });
  setHandler(renewUpdate, () => session.update({ type: 'renew' }), {
    validator: () => session.validate({ type: 'renew' }),
  });
  setHandler(retryUpdate, () => session.retryNow(), { validator: () => { void session.current; } });

  // "Request Cancellation" (Web UI) is an input, not an interruption: the body runs non-cancellable and
  // the next turn deactivates the session, then the run ends.
  CancellationScope.current().cancelRequested.catch(() => session.requestCancel());

  return CancellationScope.nonCancellable(async () => {
    await session.start();
    for (;;) {
      await session.waitForInput();
      await session.handleDue();
      const next = await session.next();
      if (next === 'close') return session.close();
      if (next === 'continue-as-new') return session.continueAsNew();
    }
  });
}
