import type { SessionDefinition } from './definition';
import type { SessionEffect } from './transitions';

/**
 * A unit of a session's work that can fail and be retried on its own: an effect of a transition, or
 * one of the steps the workflow runs around them. Plain data: it travels across continue-as-new.
 */
export type Job =
  | SessionEffect
  | { kind: 'persist'; definition: SessionDefinition }
  | { kind: 'receipt'; receiptId: string }
  | { kind: 'transfer'; transferId: string };

/** Why a session needs an operator's eye: the last failure, and when the workflow retries on its own. */
export interface Attention {
  /** One line: what failed and why, e.g. `open_payment: LightningUnavailable: Lightning is not configured…`. */
  reason: string;
  since: number;
  /** Retry rounds that failed so far (the backoff grows with it). */
  attempts: number;
  retryAt: number;
}

/** Work that failed and waits for a retry, oldest first, carried across continue-as-new. */
export interface PendingWork {
  jobs: Job[];
  attention: Attention | null;
}
