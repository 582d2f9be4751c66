import type { Client } from '@temporalio/client';

/**
 * Default deadline of one API-side Temporal call (an update, a signal, a start). Without one, a call to
 * an unreachable server retries for about 20 s and an update to a busy workflow waits indefinitely;
 * with it the caller gets a gRPC DEADLINE_EXCEEDED (or WorkflowUpdateRPCTimeoutOrCancelledError),
 * which the API answers with a 503 and Retry-After.
 */
export const DEFAULT_TEMPORAL_CALL_MS = 5_000;

/** Runs `fn`'s Temporal calls with a deadline `ms` from now. */
export function withCallDeadline<T>(temporal: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return temporal.withDeadline(Date.now() + ms, fn);
}
