import type { Client } from '@temporalio/client';
import type { PaymentRow } from '../db/payments';
import type { ReceiptRow } from '../db/receipts';
import { DEFAULT_TEMPORAL_CALL_MS, withCallDeadline } from '../temporal/deadline';
import { CHECKOUT_WORKFLOW_TYPE, receiptSignal } from '../temporal/definitions';
import { resumeInput, type RunSettings } from '../temporal/sessionRun';

/**
 * Hands a stored receipt to its session's workflow with signal-with-start: a running workflow gets the
 * signal; a closed one (settled, idle, or closed by an operator) is started again in `resume` mode,
 * which credits the receipt (flagged late if the session had settled) through the same exactly-once path. Safe to repeat: the workflow dedupes by reference.
 */
export async function deliverReceipt(
  temporal: Client, opts: RunSettings, receipt: ReceiptRow, _payment?: PaymentRow,
): Promise<void> {
  // A new run loads the session and this receipt together (one local activity); a running one ignores the input.
  const input = resumeInput(receipt.checkout_session_id, opts, receipt.id);
  // A deadline, so an unreachable Temporal costs the caller seconds, not the client's ~20 s of retries;
  // the receipt is stored already and the redelivery loop hands it on later.
  await withCallDeadline(temporal, DEFAULT_TEMPORAL_CALL_MS, () => temporal.workflow.signalWithStart(CHECKOUT_WORKFLOW_TYPE, {
    workflowId: receipt.checkout_session_id,
    taskQueue: opts.taskQueue,
    args: [input],
    signal: receiptSignal,
    // Only the ID: the workflow reads the amount and terms from the stored row (a message is never trusted).
    signalArgs: [{ receiptId: receipt.id }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  }));
}
