import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SessionRow } from '../db/sessions';
import { DEFAULT_TEMPORAL_CALL_MS, withCallDeadline } from '../temporal/deadline';
import { renewUpdate } from '../temporal/definitions';
import type { ServiceContext } from './context';

/** True when an active session's current payment has expired: someone reading it may want to pay. */
export function needsRenewal(row: Pick<SessionRow, 'status' | 'payment_expires_at'>, now = Date.now()): boolean {
  return row.status === 'active' && row.payment_expires_at != null && Number(row.payment_expires_at) <= now;
}

/**
 * Asks the session's workflow for a fresh payment when its current one expired (the `renew` update), so
 * invoices and addresses are made only when someone can pay, not at every TTL. Returns whether a renewal
 * happened; a refusal (paid or renewed meanwhile) or an unreachable Temporal leaves the read as it was.
 */
export async function renewIfExpired(ctx: ServiceContext, row: Pick<SessionRow, 'id' | 'status' | 'payment_expires_at'>): Promise<boolean> {
  if (!needsRenewal(row)) return false;
  try {
    await withCallDeadline(ctx.temporal, DEFAULT_TEMPORAL_CALL_MS, () => ctx.temporal.workflow.getHandle(row.id).executeUpdate(renewUpdate));
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) ctx.log.warn({ err, sessionId: row.id }, 'renewal of an expired payment failed; the read shows it expired');
    return false;
  }
}
