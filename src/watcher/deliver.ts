import type { Client } from '@temporalio/client';
import type { PaymentRow } from '../db/payments';
import type { ReceiptRow } from '../db/receipts';
import type { CheckoutWorkflowInput } from '../domain/definition';
import { DEFAULT_TEMPORAL_CALL_MS, withCallDeadline } from '../temporal/deadline';
import { CHECKOUT_WORKFLOW_TYPE, receiptSignal } from '../temporal/definitions';

/**
 * Hands a stored receipt to its session's workflow with signal-with-start: a running workflow gets the
 * signal; a closed one is started again in `resume` mode, which credits the receipt (flagged late)
 * through the same exactly-once path and closes. Safe to repeat: the workflow dedupes by reference.
 */
export async function deliverReceipt(
  temporal: Client, opts: { taskQueue: string; monitoringMs: number; historyLimit?: number; retryBaseMs?: number }, receipt: ReceiptRow, _payment?: PaymentRow,
): Promise<void> {
  const input: CheckoutWorkflowInput = {
    kind: 'resume', sessionId: receipt.checkout_session_id, monitoringMs: opts.monitoringMs, historyLimit: opts.historyLimit, retryBaseMs: opts.retryBaseMs,
  };
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
