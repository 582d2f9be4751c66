import { randomBytes } from 'node:crypto';
import { callApi, mustCall } from './http';
import { rate, runPool, summarize, type Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** A session the benchmark created: its ID and the payment being collected. */
export interface CreatedSession {
  id: string;
  paymentId: string;
}

/** Figures of the creation phase. */
export interface CreationResult {
  sessions: number;
  concurrency: number;
  sessionsPerSec: number;
  latency: Summary;
  /** The same request with nothing else in flight: what one customer waits for on an idle system. */
  alone?: Summary;
  /** Sessions/s divided by the baseline's workflows/s. */
  ratioToBaseline: number | null;
}

/** Amount of every session: 10,000 SATS (the seed's example), paid in one receipt. */
export const SESSION_SATS = 10_000;

/** A realistic create body: SATS amount (TTL defaults to a year), both methods, 2 split transfers. */
function sessionBody(destinations: Merchant[], i: number) {
  return {
    currency: 'SATS', amount: SESSION_SATS, description: `Bench order ${i}`, metadata: { order: String(i) },
    transfers: destinations.map((d, k) => ({ destination_account: d.id, percentage: k === 0 ? 10 : 25 })),
  };
}

/**
 * Creates one session through `POST /checkout-sessions` and checks the promise of the API: the reply
 * (read back from PostgreSQL after the workflow's update returned) carries the first payment.
 */
export async function createSession(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[], i: number, idempotencyKey: boolean,
): Promise<CreatedSession> {
  const headers: Record<string, string> = idempotencyKey ? { 'idempotency-key': randomBytes(12).toString('hex') } : {};
  const body = await mustCall<{ id: string; payment_id: string | null; status: string }>(
    sys.baseUrl, merchant.key, 'POST', '/checkout-sessions', sessionBody(destinations, i), headers,
  );
  // Under overload the API answers after its deadline before the first payment exists (the session is
  // persisted, the payment follows): wait for it, and the time counts in this create's latency.
  for (let waited = 0; !body.payment_id && body.status === 'active' && waited < 60_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    Object.assign(body, await mustCall<typeof body>(sys.baseUrl, merchant.key, 'GET', `/checkout-sessions/${body.id}`));
  }
  if (!body.payment_id || body.status !== 'active') throw new Error(`session ${body.id} came back without its payment`);
  return { id: body.id, paymentId: body.payment_id };
}

/** Creates `n` sessions with `concurrency` requests in flight, then `aloneSessions` one at a time; measures each POST. */
export async function runCreation(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[], n: number, concurrency: number,
  idempotencyKeys: boolean, baselinePerSec: number | null, aloneSessions = 0,
): Promise<{ result: CreationResult; sessions: CreatedSession[] }> {
  const sessions: CreatedSession[] = [];
  const latencies: number[] = [];
  const wallMs = await runPool(n, concurrency, async (i) => {
    const t0 = performance.now();
    sessions.push(await createSession(sys, merchant, destinations, i, idempotencyKeys));
    latencies.push(performance.now() - t0);
  });
  const perSec = rate(n, wallMs);
  const alone: number[] = [];
  await runPool(aloneSessions, 1, async (i) => {
    const t0 = performance.now();
    await createSession(sys, merchant, destinations, n + i, idempotencyKeys);
    alone.push(performance.now() - t0);
  });
  return {
    result: {
      sessions: n, concurrency, sessionsPerSec: perSec, latency: summarize(latencies), alone: aloneSessions > 0 ? summarize(alone) : undefined,
      ratioToBaseline: baselinePerSec ? Math.round((perSec / baselinePerSec) * 100) / 100 : null,
    },
    sessions,
  };
}

/** Every created session is readable by GET with its invoice and address (checked after the phase, untimed). */
export async function checkReadable(sys: BenchSystem, merchant: Merchant, sessions: CreatedSession[]): Promise<void> {
  await runPool(sessions.length, 8, async (i) => {
    const s = sessions[i];
    const session = await callApi(sys.baseUrl, merchant.key, 'GET', `/checkout-sessions/${s.id}`);
    const payment = await callApi(sys.baseUrl, merchant.key, 'GET', `/payments/${s.paymentId}`);
    const options = payment.body?.payment_method_options;
    if (session.status !== 200 || !options?.lightning?.payment_request || !options?.onchain?.address) {
      throw new Error(`session ${s.id} is not readable with its invoice and address: ${JSON.stringify(payment.body)}`);
    }
  });
}
