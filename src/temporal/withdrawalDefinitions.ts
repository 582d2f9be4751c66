import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * The messages of the withdrawal-link and refund workflows, defined once (the API, the LNURL callback
 * and operators use these names). Messages carry identifiers and the wallet's invoice, never facts the
 * database holds: the activities read the link from its row and re-check the claim there.
 */

export const WITHDRAWAL_LINK_WORKFLOW_TYPE = 'withdrawalLink';
export const REFUND_WORKFLOW_TYPE = 'refund';

/** Input of a link's workflow (workflow ID = the link's ID). */
export interface WithdrawalLinkWorkflowInput {
  linkId: string;
  /** When the link expires (ms since the epoch), null for never: the workflow's timer. */
  expiresAt: number | null;
}

/** What a wallet sent to the LNURL callback: the link's `k1` and its BOLT11 invoice. */
export interface WithdrawClaim {
  k1: string;
  paymentRequest: string;
}

/** The claim was taken (the link is paying it) or refused with LUD-03's reason. */
export type ClaimResult = { ok: true } | { ok: false; reason: string };

/** A wallet's claim (the LNURL callback). Answers once the claim is recorded; the send follows. */
export const claimUpdate = defineUpdate<ClaimResult, [WithdrawClaim]>('claim');

/** Deactivates an active link and releases its reserve. Rejected (validator) unless the link is active. */
export const deactivateWithdrawalLinkUpdate = defineUpdate<{ status: string }>('deactivate');

/** The link's status as its workflow sees it (operators, tests). */
export const withdrawalLinkStatusQuery = defineQuery<string>('status');

/** How a link a refund paid through ended: the refund's workflow turns it into its own status. */
export interface LinkOutcome {
  linkId: string;
  status: 'paid' | 'expired' | 'deactivated';
}
export const linkOutcomeSignal = defineSignal<[LinkOutcome]>('linkOutcome');

/** Input of a refund's workflow (workflow ID = the refund's ID). */
export interface RefundWorkflowInput {
  refundId: string;
}

/** The refund's status as its workflow sees it (operators, tests). */
export const refundStatusQuery = defineQuery<string>('refundStatus');
