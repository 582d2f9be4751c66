import { condition, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { linkOutcomeSignal, refundStatusQuery, type LinkOutcome, type RefundWorkflowInput } from '../src/temporal/withdrawalDefinitions';

type Activities = ReturnType<typeof createActivities>;

const db = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
// Exactly once by the payment hash: the activity asks the node before it sends (see activities/lightningSend.ts).
const send = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

/** The refund as its workflow holds it. */
class RefundEntity {
  status = 'pending';
  outcome: LinkOutcome | null = null;

  constructor(readonly input: RefundWorkflowInput) {}

  /** Pays the customer's invoice once; the refund succeeds (money and fee posted) or fails (reserve released). */
  async payInvoice(step: { livemode: boolean; paymentRequest: string; paymentHash: string; feeLimitSats: string }): Promise<void> {
    setCurrentDetails(`Paying refund ${this.input.refundId} to ${step.paymentHash}`);
    const result = await send.sendLightningPayment(step);
    const refundId = this.input.refundId;
    this.status = result.status === 'succeeded'
      ? (await db.settleRefund({ refundId, paymentHash: step.paymentHash, feeSats: result.feeSats })).status
      : (await db.failRefund({ refundId, paymentHash: step.paymentHash, reason: result.reason })).status;
  }

  /** Waits for the refund's withdrawal link to end (its workflow signals), then records the refund's outcome. */
  async awaitLink(linkId: string, linkStatus: string): Promise<void> {
    // The link may have ended before this workflow listened (a retried create): its row already says so.
    if (linkStatus === 'paid' || linkStatus === 'expired' || linkStatus === 'deactivated') this.outcome ??= { linkId, status: linkStatus };
    setCurrentDetails(`Refund ${this.input.refundId} waits for withdrawal link ${linkId}`);
    await condition(() => this.outcome !== null);
    this.status = (await db.finishLinkRefund({ refundId: this.input.refundId, outcome: this.outcome! })).status;
  }
}

/**
 * One refund's life (workflow ID = the refund's ID), a saga: the refund was recorded and its money
 * reserved at create; this pays it (the customer's invoice, or a withdrawal link the customer claims)
 * and ends it `succeeded`, `failed` or `canceled`. Statuses move only here.
 */
export async function refund(input: RefundWorkflowInput): Promise<string> {
  const entity = new RefundEntity(input);
  setHandler(refundStatusQuery, () => entity.status);
  setHandler(linkOutcomeSignal, (outcome) => { entity.outcome ??= outcome; });

  const step = await db.nextRefundStep({ refundId: input.refundId });
  if (step.kind === 'done') entity.status = step.status;
  else if (step.kind === 'send') await entity.payInvoice(step);
  else await entity.awaitLink(step.linkId, step.linkStatus);
  setCurrentDetails(`Refund ${input.refundId} ${entity.status}`);
  return entity.status;
}
