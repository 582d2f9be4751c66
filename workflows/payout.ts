import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { SendOutcome } from '../activities/payouts';
import type { PayoutWorkflowInput } from '../src/temporal/payoutDefinitions';

type Activities = ReturnType<typeof createActivities>;

/**
 * Failure types of the send that no retry can fix (thrown as non-retryable ApplicationFailures by
 * activities/payouts.ts; listed so a change there cannot make them retry forever).
 */
export const PAYOUT_SEND_NON_RETRYABLE = ['PayoutNotFound', 'PayoutsUnavailable'];

// The send is a remote activity (recorded in history, never local): its outcome is a fact the saga acts on.
// Retried without limit: a send of unknown outcome is never abandoned, and every attempt asks the node
// first (activities/payouts.ts), so retrying cannot pay twice. The heartbeat detects a dead worker fast.
const { sendPayout } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes', heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: PAYOUT_SEND_NON_RETRYABLE },
});
const { settlePayout, failPayout } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** One payout's saga: the reservation was made with the payout's row; send, then settle or release. */
class PayoutSaga {
  status: 'unpaid' | 'paid' | 'failed' = 'unpaid';

  constructor(private readonly payoutId: string) {}

  async run(): Promise<'paid' | 'failed'> {
    setCurrentDetails(`Sending payout ${this.payoutId}`);
    const sent: SendOutcome = await sendPayout({ payoutId: this.payoutId });
    if (sent.outcome === 'paid') {
      await settlePayout({ payoutId: this.payoutId, feeSats: sent.feeSats });
      this.status = 'paid';
    } else {
      await failPayout({ payoutId: this.payoutId, reason: sent.reason });
      this.status = 'failed';
    }
    setCurrentDetails(`Payout ${this.payoutId} ${this.status}${sent.outcome === 'failed' ? `: ${sent.reason}` : ''}`);
    return this.status;
  }
}

/** A payout (workflow ID = payout ID): the saga of activities/payouts.ts. */
export async function payout(input: PayoutWorkflowInput): Promise<'paid' | 'failed'> {
  return new PayoutSaga(input.payoutId).run();
}
