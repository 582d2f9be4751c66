import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { unavailableDependency } from '../../../src/api/unavailable';

/** Which errors the API answers with 503 + Retry-After (a dependency down or too slow) instead of 500. */
const status = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 }; // gRPC status codes

function grpcError(code: number, details = 'x'): Error {
  return Object.assign(new Error(`${code} grpc`), { code, details, metadata: {} });
}

test.each([
  ['knex could not get a connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' }), 'database'],
  ['PostgreSQL refused the connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'database'],
  ['PostgreSQL shut down under an open connection', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'database'],
  ['a statement ran past statement_timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), 'database'],
  ['pg lost the connection', new Error('Connection terminated unexpectedly'), 'database'],
  ['Temporal unreachable', new ServiceError('Failed to signalWithStart Workflow', { cause: grpcError(status.UNAVAILABLE) }), 'temporal'],
  ['a Temporal call past its deadline', new ServiceError('Failed', { cause: grpcError(status.DEADLINE_EXCEEDED) }), 'temporal'],
  ['an update past its deadline', new WorkflowUpdateRPCTimeoutOrCancelledError('Timed out'), 'temporal'],
  // Seen on the multi-process cluster after a worker or history process was killed (docs/cluster.md).
  ['an update while the workflow task is retried', grpcError(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to Workflow Task in failed state.'), 'temporal'],
] as const)('%s → 503', (_name, err, dependency) => {
  expect(unavailableDependency(err)).toBe(dependency);
});

test.each([
  ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
  ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['a Temporal refusal', new ServiceError('Failed', { cause: grpcError(status.INVALID_ARGUMENT) })],
  ['another failed precondition', grpcError(status.FAILED_PRECONDITION, 'Workflow execution already completed')],
  ['nothing', undefined],
] as const)('%s stays a 500', (_name, err) => {
  expect(unavailableDependency(err)).toBeNull();
});
