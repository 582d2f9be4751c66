import type { SessionState } from './session';
import type { PendingWork } from './work';

/** A checkout session as created: the validated request with defaults applied, payload-safe. */
export interface SessionDefinition {
  id: string;
  accountId: string;
  livemode: boolean;
  created: number;
  currency: string;
  /** Decimal string; null for `options`/`preset` until the customer picks. */
  amount: string | null;
  tolerancePercent: string;
  ttlSeconds: number;
  linkId: string | null;
  /** The create fields as the API returns them (amounts already normalised to decimal strings). */
  fields: Record<string, unknown>;
}

/** What starts a checkout-session workflow run. */
export type CheckoutWorkflowInput = {
  monitoringMs: number;
  /** Continue-as-new once the history holds this many events (Temporal also suggests it on its own). */
  historyLimit?: number;
  /** First delay of the workflow's own retry of failed work (doubles per round, capped at an hour). */
  retryBaseMs?: number;
  /** An active session with nothing due closes its run after this long idle (a later message resumes it). */
  idleMs?: number;
} & (
  | { kind: 'new'; definition: SessionDefinition }
  /**
   * A receipt (signal-with-start) or an update (update-with-start) arrived for a session whose run had
   * closed (idle, settled, or closed by an operator): reload from the read model.
   */
  /** `receiptId`: the receipt whose signal started this run (signal-with-start), loaded with the session. */
  | { kind: 'resume'; sessionId: string; receiptId?: string }
  /** Continue-as-new: the state and the failed work waiting for its retry. */
  | { kind: 'continued'; state: SessionState; recovery?: PendingWork }
);
