import { fork } from 'node:child_process';
import type { GetLoadReply, GetLoadRequest } from './getLoad';
import { rate, type Summary } from './stats';

/** Figures of the GET load. */
export interface ReadResult {
  seconds: number;
  concurrency: number;
  sessions: number;
  requests: number;
  errors: number;
  requestsPerSec: number;
  latency: Summary;
}

/**
 * Runs `GET /checkout-sessions/{id}` for `seconds` with `concurrency` keep-alive connections from a
 * separate process (getLoad.ts), over the given sessions, and collects its figures.
 */
export async function runReads(baseUrl: string, key: string, ids: string[], seconds: number, concurrency: number): Promise<ReadResult> {
  const child = fork(require.resolve('./getLoad'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
  const reply = await new Promise<GetLoadReply>((resolve, reject) => {
    child.once('message', (m) => resolve(m as GetLoadReply));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`GET load process exited with ${code}`)));
    const request: GetLoadRequest = { baseUrl, key, ids, seconds, concurrency };
    child.send(request);
  });
  return {
    seconds, concurrency, sessions: ids.length, requests: reply.requests, errors: reply.errors,
    requestsPerSec: rate(reply.requests, reply.wallMs), latency: reply.latency,
  };
}
