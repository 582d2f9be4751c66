/** The payout workflow's type name (one workflow per payout, ID = payout ID): the API starts it by name. */
export const PAYOUT_WORKFLOW_TYPE = 'payout';

/** Input of the payout workflow: only the ID; every fact is read from the payout's row. */
export interface PayoutWorkflowInput { payoutId: string }
