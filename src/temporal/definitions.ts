import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionState } from '../domain/session';

/**
 * Every message a checkout-session workflow understands, defined once. The API, the watcher and
 * operators (via the `temporal` CLI / Web UI, by these names) all use these.
 */

/** Resolves once the session is persisted and its first payment (if any) is made. */
export const createdUpdate = defineUpdate<{ version: number }>('created');

/** Deactivates an active session; no argument. Rejected (validator) unless the session is active. */
export const deactivateUpdate = defineUpdate<{ version: number }>('deactivate');

/**
 * Someone can pay the session now (its page is open, the API read it) and its current payment expired:
 * make a fresh payment for what is due. Refused by the validator (no trace) when there is nothing to renew.
 */
export const renewUpdate = defineUpdate<{ version: number }>('renew');

/** The customer picked an amount on an `options`/`preset` session: make its payment. */
export const chooseAmountUpdate = defineUpdate<{ version: number }, [string]>('chooseAmount');

/**
 * Money arrived for one of the session's payments (sent by the payment watcher): only the stored
 * receipt's ID. The workflow reads every fact (amount, reference, payment terms) from the database,
 * scoped to the session, so a forged signal credits nothing.
 */
export type ReceiptSignal = { receiptId: string };
export const receiptSignal = defineSignal<[ReceiptSignal]>('receipt');

/** What an operator's `retry` answers: the work still failing after the retry, and why. */
export interface RetryResult {
  pending: number;
  attention: string | null;
}

/** Retries a session's failed work now (operators: `temporal workflow update execute --name retry -w cs_…`). */
export const retryUpdate = defineUpdate<RetryResult>('retry');

/** The workflow's current state, for operators and tests. */
export const stateQuery = defineQuery<SessionState>('state');

export const CHECKOUT_WORKFLOW_TYPE = 'checkoutSession';
