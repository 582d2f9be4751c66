import {
  ApplicationFailure, allHandlersFinished, condition, getExternalWorkflowHandle, proxyActivities, setCurrentDetails, setHandler,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  claimUpdate, deactivateWithdrawalLinkUpdate, linkOutcomeSignal, withdrawalLinkStatusQuery,
  type ClaimResult, type WithdrawClaim, type WithdrawalLinkWorkflowInput,
} from '../src/temporal/withdrawalDefinitions';
import { Serializer } from './serializer';

type Activities = ReturnType<typeof createActivities>;

// Database steps: quick, retried until the database answers (they are keyed and idempotent).
const db = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
// The send: the activity asks the node about the payment hash before it sends, so a retry after a crash
// or a timeout finds the first attempt instead of paying again; it heartbeats while the payment is in flight.
const send = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

/** The link's state as its workflow holds it: the status the row has after the last step. */
class WithdrawalLinkEntity {
  status = 'active';
  claimed = false;

  constructor(readonly input: WithdrawalLinkWorkflowInput) {}

  get expired(): boolean {
    return this.input.expiresAt !== null && Date.now() >= this.input.expiresAt;
  }

  get closed(): boolean {
    return this.status === 'paid' || this.status === 'expired' || this.status === 'deactivated';
  }

  /** A wallet's claim: recorded by the activity (which re-checks everything against the row). */
  async claim(claim: WithdrawClaim): Promise<ClaimResult> {
    const result = await db.claimWithdrawalLink({ linkId: this.input.linkId, ...claim });
    if (result.ok) {
      this.status = 'processing';
      this.claimed = true;
    }
    return result;
  }

  async close(status: 'expired' | 'deactivated'): Promise<void> {
    this.status = (await db.closeWithdrawalLink({ linkId: this.input.linkId, status })).status;
  }

  /** Pays the recorded claim exactly once, then settles (paid) or reopens the link (the send failed). */
  async pay(): Promise<void> {
    this.claimed = false;
    const claim = await db.claimedWithdrawalLink({ linkId: this.input.linkId });
    if (!claim) return;
    setCurrentDetails(`Paying ${claim.amountSats} sats to ${claim.paymentHash}`);
    const outcome = await send.sendLightningPayment({
      livemode: claim.livemode, paymentRequest: claim.paymentRequest, paymentHash: claim.paymentHash, feeLimitSats: claim.feeLimitSats,
    });
    if (outcome.status === 'succeeded') {
      this.status = (await db.settleWithdrawalLink({ linkId: claim.linkId, paymentHash: claim.paymentHash, feeSats: outcome.feeSats })).status;
    } else {
      this.status = (await db.reopenWithdrawalLink({ linkId: claim.linkId, paymentHash: claim.paymentHash, reason: outcome.reason })).status;
    }
  }
}

/**
 * One withdrawal link's life (workflow ID = the link's ID): waits for a wallet's claim, a deactivation
 * or its expiry; pays a claim exactly once; a failed send reopens the link. The link's reservation is
 * settled on payment and released on expiry or deactivation. A link made for a refund tells the refund's
 * workflow how it ended.
 */
export async function withdrawalLink(input: WithdrawalLinkWorkflowInput): Promise<string> {
  const link = new WithdrawalLinkEntity(input);
  const serial = new Serializer();

  setHandler(withdrawalLinkStatusQuery, () => link.status);
  setHandler(claimUpdate, (claim) => serial.run(() => link.claim(claim)), {
    validator: (_claim: WithdrawClaim) => { if (link.status !== 'active') throw ApplicationFailure.nonRetryable(`This withdrawal link is ${link.status}`, 'LinkNotActive'); },
  });
  setHandler(deactivateWithdrawalLinkUpdate, () => serial.run(async () => {
    if (link.status === 'active') await link.close('deactivated');
    return { status: link.status };
  }), {
    validator: () => { if (link.status !== 'active') throw ApplicationFailure.nonRetryable(`A ${link.status} withdrawal link cannot be deactivated`, 'LinkNotActive'); },
  });

  while (!link.closed) {
    setCurrentDetails(`Withdrawal link ${link.status}`);
    const wake = () => link.claimed || link.closed;
    if (input.expiresAt === null) await condition(wake);
    else await condition(wake, Math.max(input.expiresAt - Date.now(), 1));
    await serial.run(async () => {
      if (link.claimed) await link.pay();
      else if (link.status === 'active' && link.expired) await link.close('expired');
    });
  }
  await condition(allHandlersFinished);
  const refundId = await db.refundOfWithdrawalLink({ linkId: input.linkId });
  if (refundId) {
    // The refund's workflow waits for this; one that is gone (terminated by an operator) has nobody to tell.
    await getExternalWorkflowHandle(refundId).signal(linkOutcomeSignal, { linkId: input.linkId, status: link.status as 'paid' | 'expired' | 'deactivated' })
      .catch(() => undefined);
  }
  return link.status;
}
