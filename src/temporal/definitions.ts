import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReceiptInput, SessionState } from '../domain/session';

/**
 * Every message a checkout-session workflow understands, defined once. The API, the watcher and
 * operators (via the `temporal` CLI / Web UI, by these names) all use these.
 */

/** Resolves once the session is persisted and its first payment (if any) is made. */
export const createdUpdate = defineUpdate<{ version: number }>('created');

/** Deactivates an active session; no argument. Rejected (validator) unless the session is active. */
export const deactivateUpdate = defineUpdate<{ version: number }>('deactivate');

/** The customer picked an amount on an `options`/`preset` session: make its payment. */
export const chooseAmountUpdate = defineUpdate<{ version: number }, [string]>('chooseAmount');

/** Money arrived for one of the session's payments (sent by the payment watcher). */
export const receiptSignal = defineSignal<[ReceiptInput]>('receipt');

/** The workflow's current state, for operators and tests. */
export const stateQuery = defineQuery<SessionState>('state');

export const CHECKOUT_WORKFLOW_TYPE = 'checkoutSession';
