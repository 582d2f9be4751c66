import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SessionRow } from '../db/sessions';
import { DEFAULT_TEMPORAL_CALL_MS } from '../temporal/deadline';
import { renewUpdate } from '../temporal/definitions';
import { runSettings, updateSession } from '../temporal/sessionRun';
import type { ServiceContext } from './context';

/** True when an active session's current payment has expired: someone who can pay may want a fresh one. */
export function needsRenewal(row: Pick<SessionRow, 'status' | 'payment_expires_at'>, now = Date.now()): boolean {
  return row.status === 'active' && row.payment_expires_at != null && Number(row.payment_expires_at) <= now;
}

/**
 * Asks the session's workflow for a fresh payment when its current one expired (the `renew` update).
 * Only the payment page calls this: a customer who can pay is looking at it. An API read never renews
 * (it shows the expired payment), so a merchant polling its sessions makes no invoices. A session whose
 * run closed while idle is started again to take the update. The update ID (the expired payment) lets
 * the server answer concurrent polls of the same expired payment with one renewal. Returns whether a
 * renewal happened; a refusal (paid or renewed meanwhile, a renewal already retrying on the workflow's
 * backoff) or an unreachable Temporal leaves the read as it was.
 */
export async function renewIfExpired(ctx: ServiceContext, row: Pick<SessionRow, 'id' | 'status' | 'payment_id' | 'payment_expires_at'>): Promise<boolean> {
  if (!needsRenewal(row)) return false;
  try {
    await updateSession(ctx.temporal, runSettings(ctx.config), row.id, renewUpdate, {
      updateId: `renew:${row.payment_id ?? ''}`, deadlineMs: DEFAULT_TEMPORAL_CALL_MS,
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) ctx.log.warn({ err, sessionId: row.id }, 'renewal of an expired payment failed; the page shows it expired');
    return false;
  }
}
