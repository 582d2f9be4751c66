import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

/** What a 503 is blamed on. */
export type Dependency = 'database' | 'temporal';

// PostgreSQL SQLSTATEs that mean "not now" rather than "wrong request": connection exceptions (08…),
// admin/crash shutdown and "starting up" (57P01-57P03), statement timeout (57014), too many connections.
const PG_UNAVAILABLE = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '57014', '53300']);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// pg raises these as plain Errors without a code when the server goes away under an open connection.
const PG_MESSAGES = [/Connection terminated/i, /connection timeout/i, /Client has encountered a connection error/i];
// gRPC: UNAVAILABLE (14), DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), CANCELLED by our own deadline (1).
const GRPC_UNAVAILABLE = new Set([1, 4, 8, 14]);
// FAILED_PRECONDITION (9) while the workflow's task is being retried (it timed out on a worker that died,
// or its history process did): the server refuses updates until a task completes, seconds later.
const GRPC_FAILED_PRECONDITION = 9;
const RETRYING_TASK = /Workflow Task in failed state/i;

/**
 * Whether `err` (or one of its causes) says a dependency is unreachable or too slow, so the honest
 * answer is a 503 with Retry-After instead of a 500. Returns which dependency, or null.
 */
export function unavailableDependency(err: unknown): Dependency | null {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'temporal';
    if (isGrpcServiceError(e) && GRPC_UNAVAILABLE.has(e.code)) return 'temporal';
    const { name, code, message, details } = e as { name?: string; code?: unknown; message?: string; details?: string };
    // Update-with-start reports it as a plain Error carrying the status code and the reason.
    if (code === GRPC_FAILED_PRECONDITION && RETRYING_TASK.test(`${details ?? ''} ${message ?? ''}`)) return 'temporal';
    if (name === 'KnexTimeoutError') return 'database';
    if (typeof code === 'string' && (PG_UNAVAILABLE.has(code) || SOCKET_ERRORS.has(code))) return 'database';
    if (typeof message === 'string' && PG_MESSAGES.some((re) => re.test(message))) return 'database';
  }
  return null;
}
